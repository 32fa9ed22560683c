"""scaled_dot_product_attention and MultiheadAttention against torch."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck

torch = pytest.importorskip("torch")
import ember  # noqa: E402

rng = np.random.default_rng(0)


def sdpa(lib, *a, **k):
    return lib.nn.functional.scaled_dot_product_attention(*a, **k)


@pytest.mark.parametrize("shapes", [[(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7)],
                                    [(4, 5), (6, 5), (6, 7)],
                                    [(2, 3, 4, 5), (1, 1, 6, 5), (2, 1, 6, 7)]])
def test_sdpa_plain_and_broadcast(shapes):
    check(lambda lib, q, k, v: sdpa(lib, q, k, v), shapes)


def test_sdpa_causal_scale_noncontig():
    shapes = [(2, 2, 4, 5), (2, 2, 6, 5), (2, 2, 6, 3)]
    check(lambda lib, q, k, v: sdpa(lib, q, k, v, is_causal=True), shapes)
    check(lambda lib, q, k, v: sdpa(lib, q, k, v, scale=0.2), shapes, noncontig=True)


def test_sdpa_masks():
    bm = rng.random((4, 6)) > 0.3
    bm[1] = False  # a fully masked row gives zeros, as torch's CPU kernel
    check(lambda lib, q, k, v, m: sdpa(lib, q, k, v, attn_mask=m),
          [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), bm])
    fm = rng.standard_normal((3, 1, 6)).astype(np.float32)
    check(lambda lib, q, k, v, m: sdpa(lib, q, k, v, attn_mask=m),
          [(2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), fm])  # grads reach the float mask too


def test_sdpa_gqa():
    check(lambda lib, q, k, v: sdpa(lib, q, k, v, enable_gqa=True),
          [(2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 7)])


def test_sdpa_dropout():
    q, k, v = (ember.randn(2, 2, 5, 4, requires_grad=True) for _ in range(3))
    ember.manual_seed(0)
    a = sdpa(ember, q, k, v, dropout_p=0.5)
    ember.manual_seed(0)
    b = sdpa(ember, q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    assert not np.allclose(a.detach().numpy(), sdpa(ember, q, k, v).detach().numpy())
    np.testing.assert_array_equal(sdpa(ember, q, k, v, dropout_p=1.0).detach().numpy(), 0)

    def seeded(lib, q, k, v):
        ember.manual_seed(3)
        return sdpa(lib, q, k, v, dropout_p=0.3)
    gradcheck(seeded, [(1, 2, 4, 3), (1, 2, 5, 3), (1, 2, 5, 2)])


def test_sdpa_gradcheck_and_double_backward():
    gradcheck(lambda lib, q, k, v, m: sdpa(lib, q, k, v, attn_mask=m),
              [(2, 4, 3), (2, 5, 3), (2, 5, 2), (4, 5)])
    arrs = [rng.standard_normal(s) for s in [(2, 4, 3), (2, 5, 3), (2, 5, 2)]]
    grads = []
    for lib in (torch, ember):
        ts = [lib.tensor(a, requires_grad=True) for a in arrs]
        out = sdpa(lib, *ts, is_causal=True)
        (g,) = lib.autograd.grad((out * out).sum(), ts[0], create_graph=True)
        (g * g).sum().backward()
        grads.append([t.grad for t in ts])
    assert_same(grads[1], grads[0], rtol=1e-6, atol=1e-9)


def test_sdpa_errors():
    q, k, v = (np.ones(s, np.float32) for s in [(1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 6)])
    T = lambda lib, a: lib.tensor(a)  # noqa: E731
    check_error(lambda lib: sdpa(lib, T(lib, q), T(lib, k), T(lib, v),
                                 attn_mask=lib.ones(3, 5, dtype=lib.bool), is_causal=True),
                RuntimeError)
    check_error(lambda lib: sdpa(lib, T(lib, q), T(lib, k[..., :3]), T(lib, v)), RuntimeError)
    check_error(lambda lib: sdpa(lib, T(lib, q), T(lib, k), T(lib, v[:, :, :4])), RuntimeError)
    check_error(lambda lib: sdpa(lib, T(lib, np.ones((1, 3, 3, 4), np.float32)), T(lib, k),
                                 T(lib, v), enable_gqa=True), RuntimeError)


# ---------------------------------------------------------------- MultiheadAttention
def mha_pair(*a, **k):
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(*a, **k)
    e = ember.nn.MultiheadAttention(*a, **k)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    e.load_state_dict({n: ember.tensor(v.detach().numpy()) for n, v in t.state_dict().items()})
    return t, e


def mha_compare(t, e, shapes, train=True, **kw):
    arrs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    res = []
    for lib, m in ((torch, t), (ember, e)):
        m.train(train)
        ts = [lib.tensor(a, requires_grad=True) for a in arrs]
        args = ts * 3 if len(ts) == 1 else ts
        kk = {n: lib.tensor(v) if isinstance(v, np.ndarray) else v for n, v in kw.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            o, w = m(*args, **kk)
        loss = (o * o).sum() + ((w * w).sum() if w is not None else 0)
        loss.backward()
        res.append(([o, w], ts, dict(m.named_parameters())))
    (to, tts, tps), (eo, ets, eps) = res
    assert_same(eo, to, atol=1e-5)
    for a, b in zip(ets, tts):
        assert_same(a.grad, b.grad, atol=1e-5, what="grad input")
    for n, p in eps.items():
        assert_same(p.grad, tps[n].grad, atol=1e-5, what=f"grad {n}")


def test_mha_self_and_cross():
    t, e = mha_pair(8, 2)
    mha_compare(t, e, [(5, 3, 8)])
    mha_compare(t, e, [(5, 3, 8), (6, 3, 8), (6, 3, 8)])
    mha_compare(t, e, [(5, 3, 8)], need_weights=False)
    mha_compare(t, e, [(5, 8)])  # unbatched
    mha_compare(t, e, [(5, 3, 8)], average_attn_weights=False,
                attn_mask=rng.standard_normal((6, 5, 5)).astype(np.float32))


def test_mha_masks_and_causal():
    t, e = mha_pair(8, 2)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    am = np.triu(np.ones((5, 5), bool), 1)
    mha_compare(t, e, [(5, 3, 8)], key_padding_mask=kpm, attn_mask=am)
    mha_compare(t, e, [(5, 3, 8)], key_padding_mask=kpm, attn_mask=am, need_weights=False)
    mha_compare(t, e, [(5, 3, 8)], attn_mask=am, is_causal=True, need_weights=False)
    mha_compare(t, e, [(5, 3, 8)], train=False)


@pytest.mark.parametrize("kw", [dict(kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True,
                                     batch_first=True),
                                dict(bias=False, batch_first=True),
                                dict(add_zero_attn=True)])
def test_mha_flags(kw):
    t, e = mha_pair(8, 2, **kw)
    bf = kw.get("batch_first", False)
    kd, vd = kw.get("kdim", 8), kw.get("vdim", 8)
    if bf:
        shapes = [(3, 5, 8), (3, 6, kd), (3, 6, vd)]
    else:
        shapes = [(5, 3, 8), (6, 3, kd), (6, 3, vd)]
    mha_compare(t, e, shapes, key_padding_mask=np.zeros((3, 6), bool))
    if kd != 8:
        assert e.in_proj_weight is None and tuple(e.k_proj_weight.shape) == (8, kd)


def test_mha_init_and_errors():
    e = ember.nn.MultiheadAttention(8, 2, add_bias_kv=True)
    assert float(e.in_proj_bias.abs().sum()) == 0
    bound = (6 / (8 + 24)) ** 0.5
    assert float(e.in_proj_weight.abs().max()) <= bound
    check_error(lambda lib: lib.nn.MultiheadAttention(8, 3), AssertionError)
    check_error(lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(5, 3, 8), lib.ones(5, 3, 8), lib.ones(5, 3, 8), is_causal=True), RuntimeError)
    check_error(lambda lib: lib.nn.MultiheadAttention(8, 2)(
        lib.ones(5, 3, 8), lib.ones(5, 3, 8), lib.ones(5, 3, 8),
        attn_mask=lib.ones(4, 5, dtype=lib.bool)), RuntimeError)
