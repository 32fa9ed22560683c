"""Top-level names: errors, defaults, flags, autocast state, ATen-form losses, embedding_bag,
binomial, gradient, unsafe splits and *_copy variants."""

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember


def test_errors_and_flags():
    assert issubclass(ember.OutOfMemoryError, RuntimeError)
    assert ember.cuda.OutOfMemoryError is ember.OutOfMemoryError
    assert issubclass(ember.AcceleratorError, RuntimeError)
    assert ember.has_lapack and ember.has_spectral
    assert ember.has_mkl is False and ember.has_openmp is False
    assert ember.set_flush_denormal(True) is False
    assert ember.init_num_threads() is None
    assert ember.get_device(ember.ones(2)) == -1 == torch.get_device(torch.ones(2))
    assert ember.GradScaler is ember.amp.GradScaler
    assert not ember.is_inference(ember.ones(2)) and not ember.ones(2).is_inference()


def test_set_default_tensor_type():
    try:
        with pytest.warns(UserWarning, match="deprecated"):
            ember.set_default_tensor_type(ember.DoubleTensor)
        assert ember.get_default_dtype() is ember.float64
        assert ember.tensor([1.0]).dtype is ember.float64
        with pytest.warns(UserWarning):
            ember.set_default_tensor_type("torch.FloatTensor")
        assert ember.get_default_dtype() is ember.float32
        with pytest.warns(UserWarning), pytest.raises(TypeError):
            ember.set_default_tensor_type(ember.LongTensor)
    finally:
        ember.set_default_dtype(ember.float32)


def test_autocast_state():
    assert not ember.is_autocast_enabled()
    assert ember.get_autocast_dtype("cpu") is ember.bfloat16
    assert ember.get_autocast_dtype("cuda") is ember.float16
    with ember.autocast("cpu"):
        assert ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled()
        with pytest.warns(DeprecationWarning):
            assert ember.is_autocast_cpu_enabled()
    with ember.autocast("cpu", dtype=ember.float16):
        assert ember.get_autocast_dtype("cpu") is ember.float16
    assert not ember.is_autocast_enabled("cpu")
    ember.set_autocast_enabled("cpu", True)
    assert ember.is_autocast_enabled("cpu")
    ember.set_autocast_enabled("cpu", False)
    with pytest.warns(DeprecationWarning):
        ember.set_autocast_cpu_enabled(True)
    assert ember.is_autocast_enabled("cpu")
    with pytest.warns(DeprecationWarning):
        ember.set_autocast_cpu_enabled(False)
    ember.set_autocast_enabled(True)
    assert ember.is_autocast_enabled()
    ember.set_autocast_enabled(False)
    with pytest.warns(DeprecationWarning):
        assert ember.get_autocast_gpu_dtype() is ember.float16
    assert ember.is_autocast_cache_enabled()
    assert ember.autocast_increment_nesting() == 1 and ember.autocast_decrement_nesting() == 0


LOSSES = [
    (lambda lib, a, b, y: lib.cosine_embedding_loss(a, b, y.sign(), 0.1, 1),
     [(4, 5), (4, 5), (4,)]),
    (lambda lib, a, b, y: lib.margin_ranking_loss(a, b, y.sign(), 0.2, 2), [(6,), (6,), (6,)]),
    (lambda lib, a, b, c: lib.triplet_margin_loss(a, b, c, 1.0, 2, 1e-6, False, 0),
     [(3, 4), (3, 4), (3, 4)]),
    (lambda lib, a, y: lib.hinge_embedding_loss(a, y.sign(), 1.0, 1), [(5,), (5,)]),
    (lambda lib, a, y: lib.poisson_nll_loss(a, y.abs(), True, False, 1e-8, 1), [(5,), (5,)]),
]


@pytest.mark.parametrize("i", range(len(LOSSES)))
def test_aten_losses(i):
    fn, shapes = LOSSES[i]
    check(fn, shapes)


def test_ctc_loss_aten():
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((6, 2, 4)).astype(np.float32)
    tg = np.array([[1, 2], [3, 1]])

    def fn(lib, x):
        lp = x.log_softmax(2)
        return lib.ctc_loss(lp, lib.tensor(tg), [6, 6], [2, 2], 0, 1, False)
    check(fn, [logits])


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("last", [False, True])
def test_embedding_bag_aten(mode, last):
    w = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    idx = [0, 2, 4, 1, 3]
    off = [0, 2, 5] if last else [0, 2, 2]

    def fn(lib, weight):
        return lib.embedding_bag(weight, lib.tensor(idx), lib.tensor(off), False, mode, False,
                                 None, last)
    check(fn, [w])


def test_binomial():
    ember.manual_seed(0)
    count = ember.full((20000,), 10.0)
    prob = ember.full((20000,), 0.3)
    s = ember.binomial(count, prob)
    assert s.dtype is ember.float32
    assert abs(s.mean().item() - 3.0) < 0.05 and abs(s.var().item() - 2.1) < 0.1
    assert s.min().item() >= 0 and s.max().item() <= 10
    g = ember.Generator().manual_seed(3)
    a = ember.binomial(ember.full((5,), 4.0), ember.full((5,), 0.5), generator=g)
    g.manual_seed(3)
    assert ember.equal(a, ember.binomial(ember.full((5,), 4.0), ember.full((5,), 0.5),
                                         generator=g))


@pytest.mark.parametrize("kw", [{}, {"spacing": 2.0}, {"dim": 1, "edge_order": 2},
                                {"spacing": [2.0, 0.5]}, {"dim": -1}])
def test_gradient(kw):
    check(lambda lib, x: lib.gradient(x, **kw), [(5, 6)])


def test_gradient_coordinates_and_int():
    xs = np.array([0.0, 1.0, 3.0, 4.0, 7.0], np.float32)
    for eo in (1, 2):
        check(lambda lib, f: lib.gradient(f, spacing=(lib.tensor(xs),), dim=0, edge_order=eo),
              [(5, 3)])
    assert_same(ember.gradient(ember.tensor([1, 4, 9, 16]))[0],
                torch.gradient(torch.tensor([1, 4, 9, 16]))[0])
    gradcheck(lambda lib, x: lib.gradient(x, edge_order=2)[0], [(6,)])
    check_error(lambda lib: lib.gradient(lib.ones(2), edge_order=2), RuntimeError)
    check_error(lambda lib: lib.gradient(lib.ones(4, 4), spacing=[1.0, 2.0, 3.0]), RuntimeError)


def test_unsafe_splits():
    check(lambda lib, x: lib.unsafe_chunk(x, 3, 1), [(2, 7)])
    check(lambda lib, x: lib.unsafe_split(x, 2, 0), [(5, 2)])
    check(lambda lib, x: lib.unsafe_split_with_sizes(x, [1, 3], 1), [(2, 4)])
    check(lambda lib, x: x.unsafe_chunk(2), [(4, 3)])


COPIES = [
    lambda lib, x: lib.view_copy(x, (6, 4)),
    lambda lib, x: lib.permute_copy(x, (1, 0, 2)),
    lambda lib, x: lib.transpose_copy(x, 0, 2),
    lambda lib, x: lib.expand_copy(x[:1], (3, 3, 4)),
    lambda lib, x: lib.squeeze_copy(x[:1]),
    lambda lib, x: lib.unsqueeze_copy(x, 1),
    lambda lib, x: lib.select_copy(x, 1, 2),
    lambda lib, x: lib.slice_copy(x, 2, 1, 4, 2),
    lambda lib, x: lib.t_copy(x[0]),
    lambda lib, x: lib.diagonal_copy(x, 0, 1, 2),
    lambda lib, x: lib.alias_copy(x),
    lambda lib, x: lib.narrow_copy(x, 2, 1, 2),
    lambda lib, x: lib.split_copy(x, 2, 2),
    lambda lib, x: lib.split_with_sizes_copy(x, [1, 3], 2),
    lambda lib, x: lib.unbind_copy(x, 1),
    lambda lib, x: lib.unfold_copy(x, 2, 2, 1),
]


@pytest.mark.parametrize("i", range(len(COPIES)))
def test_copy_variants(i):
    def fn(lib, x):
        out = COPIES[i](lib, x)
        for o in (out if isinstance(out, tuple) else (out,)):
            assert o.is_contiguous()
        return out
    check(fn, [(2, 3, 4)], noncontig=True)


def test_copy_variants_do_not_alias():
    check(lambda lib, x: lib.as_strided_copy(x, (2, 2), (1, 2)), [(2, 3, 4)])
    # torch.detach_copy's result claims requires_grad (an ATen quirk); Ember's does not
    check(lambda lib, x: lib.detach_copy(x), [(2, 3)], grad=False, noncontig=True)
    x = ember.arange(6.0).view(2, 3)
    y = ember.view_copy(x, (3, 2))
    y.zero_()
    assert x.sum().item() == 15.0
