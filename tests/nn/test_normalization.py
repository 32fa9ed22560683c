"""layer_norm, group_norm, rms_norm, local_response_norm and their modules against torch."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck

torch = pytest.importorskip("torch")
import ember  # noqa: E402


def F(lib):
    return lib.nn.functional


@pytest.mark.parametrize("shape,ns", [((4, 6), (6,)), ((2, 3, 4, 5), (4, 5)), ((3, 7), (7,))])
@pytest.mark.parametrize("affine", ["both", "weight", "none"])
def test_layer_norm(shape, ns, affine):
    if affine == "both":
        check(lambda lib, x, w, b: F(lib).layer_norm(x, ns, w, b), [shape, ns, ns])
    elif affine == "weight":
        check(lambda lib, x, w: F(lib).layer_norm(x, ns, w, eps=1e-3), [shape, ns])
    else:
        check(lambda lib, x: F(lib).layer_norm(x, ns), [shape], noncontig=True)


def test_layer_norm_float64_gradcheck_and_double_backward():
    check(lambda lib, x, w, b: F(lib).layer_norm(x, (5,), w, b), [(3, 5), (5,), (5,)],
          dtype="float64")
    gradcheck(lambda lib, x, w, b: F(lib).layer_norm(x, (5,), w, b), [(3, 5), (5,), (5,)])
    a = np.random.default_rng(0).standard_normal((3, 5))
    res = []
    for lib in (torch, ember):
        x = lib.tensor(a, requires_grad=True)
        w = lib.tensor(a[0] + 1, requires_grad=True)
        y = F(lib).layer_norm(x, (5,), w)
        (g,) = lib.autograd.grad((y * y * y).sum(), x, create_graph=True)
        (g * g).sum().backward()
        res.append([x.grad, w.grad])
    assert_same(res[1], res[0], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("shape,groups", [((2, 6, 5), 3), ((2, 4, 3, 3), 2), ((3, 8), 2)])
def test_group_norm(shape, groups):
    c = shape[1]
    check(lambda lib, x, w, b: F(lib).group_norm(x, groups, w, b), [shape, (c,), (c,)])
    check(lambda lib, x: F(lib).group_norm(x, groups, eps=1e-3), [shape], noncontig=True)
    gradcheck(lambda lib, x, w, b: F(lib).group_norm(x, groups, w, b), [shape, (c,), (c,)])


@pytest.mark.parametrize("eps", [None, 1e-3])
def test_rms_norm(eps):
    check(lambda lib, x, w: F(lib).rms_norm(x, (6,), w, eps=eps), [(4, 6), (6,)])
    check(lambda lib, x: F(lib).rms_norm(x, (3, 6), eps=eps), [(2, 3, 6)], noncontig=True)
    gradcheck(lambda lib, x, w: F(lib).rms_norm(x, (6,), w, eps=eps), [(4, 6), (6,)])


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_local_response_norm(size):
    check(lambda lib, x: F(lib).local_response_norm(x, size, alpha=0.1, beta=0.6, k=1.5),
          [(2, 6, 3, 3)])
    check(lambda lib, x: F(lib).local_response_norm(x, size), [(2, 4, 5)])


def test_modules_match_torch():
    specs = [("LayerNorm", (6,), {}), ("LayerNorm", ((3, 6),), dict(bias=False)),
             ("LayerNorm", (6,), dict(elementwise_affine=False)),
             ("GroupNorm", (3, 6), {}), ("GroupNorm", (2, 6), dict(affine=False)),
             ("RMSNorm", (6,), {}), ("RMSNorm", (6,), dict(eps=1e-4, elementwise_affine=False)),
             ("LocalResponseNorm", (3,), {})]
    x = np.random.default_rng(0).standard_normal((2, 3, 6)).astype(np.float32)
    xg = np.random.default_rng(1).standard_normal((2, 6, 4)).astype(np.float32)
    for name, args, kw in specs:
        tm = getattr(torch.nn, name)(*args, **kw)
        em = getattr(ember.nn, name)(*args, **kw)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        for k, v in tm.state_dict().items():
            np.testing.assert_array_equal(em.state_dict()[k].numpy(), v.numpy())
        a = xg if name in ("GroupNorm", "LocalResponseNorm") else x
        tx, ex = torch.tensor(a, requires_grad=True), ember.tensor(a, requires_grad=True)
        to, eo = tm(tx), em(ex)
        assert_same(eo, to)
        (to * to).sum().backward()
        (eo * eo).sum().backward()
        assert_same(ex.grad, tx.grad)
        for n, p in em.named_parameters():
            assert_same(p.grad, dict(tm.named_parameters())[n].grad)


def test_errors():
    check_error(lambda lib: F(lib).layer_norm(lib.ones(2, 3, 4), (5,)), RuntimeError,
                r"normalized_shape=\[5\]")
    check_error(lambda lib: F(lib).layer_norm(lib.ones(2, 4), (4,), lib.ones(3)), RuntimeError)
    check_error(lambda lib: F(lib).group_norm(lib.ones(2, 3, 4), 2), RuntimeError,
                "divisible by num_groups")
    check_error(lambda lib: F(lib).rms_norm(lib.ones(2, 3, 4), (5,)), RuntimeError)
    check_error(lambda lib: F(lib).local_response_norm(lib.ones(2, 3), 2), ValueError)
    check_error(lambda lib: lib.nn.GroupNorm(4, 6), ValueError)
    check_error(lambda lib: F(lib).layer_norm(lib.ones(2, 4, dtype=lib.int64), (4,)),
                RuntimeError)
