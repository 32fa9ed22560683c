"""nn: DataParallel, AdaptiveLogSoftmaxWithLoss, FractionalMaxPool, init aliases."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember


def _copy_params(src, dst):
    dst.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                         src.state_dict().items()})


def test_data_parallel_cpu():
    tm = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU()))
    em = ember.nn.DataParallel(ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU()))
    assert list(em.state_dict()) == list(tm.state_dict()) == ["module.0.weight",
                                                               "module.0.bias"]
    assert repr(em) == repr(tm)
    _copy_params(tm, em)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))
    assert isinstance(em.module, ember.nn.Sequential) and em.device_ids == tm.device_ids == []
    # a checkpoint of the wrapped model loads into the bare one after stripping "module."
    bare = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU())
    bare.load_state_dict({k[len("module."):]: v for k, v in em.state_dict().items()})
    assert_same(bare(ember.tensor(x)), tm(torch.tensor(x)))
    lin = ember.nn.Linear(4, 2)
    out = ember.nn.parallel.data_parallel(lin, ember.tensor(x))
    np.testing.assert_array_equal(out.detach().numpy(), lin(ember.tensor(x)).detach().numpy())


def _asm_pair(head_bias=False):
    torch.manual_seed(0)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10], div_value=2.0,
                                             head_bias=head_bias)
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10], div_value=2.0,
                                             head_bias=head_bias)
    assert list(em.state_dict()) == list(tm.state_dict())
    _copy_params(tm, em)
    return tm, em


@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax_forward_backward(head_bias):
    tm, em = _asm_pair(head_bias)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 16)).astype(np.float32)
    y = np.array([0, 3, 5, 7, 9, 10, 19, 12])
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    to, eo = tm(tx, torch.tensor(y)), em(ex, ember.tensor(y))
    assert type(eo).__name__ == "_ASMoutput" and eo._fields == ("output", "loss")
    assert_same(eo.output, to.output)
    assert_same(eo.loss, to.loss)
    to.loss.backward()
    eo.loss.backward()
    assert_same(ex.grad, tx.grad)
    assert_same(em.tail[1][0].weight.grad, tm.tail[1][0].weight.grad)
    assert_same(em.head.weight.grad, tm.head.weight.grad)
    assert_same(em.log_prob(ex), tm.log_prob(tx))
    assert_same(em.predict(ex), tm.predict(tx))
    # unbatched
    to1 = tm(tx[0], torch.tensor(y[3]))
    eo1 = em(ex[0], ember.tensor(y[3]))
    assert_same(eo1.output, to1.output)
    # (torch's log_prob/predict take batches only; Ember also accepts one row)
    assert_same(em.log_prob(ex[0]), tm.log_prob(tx[:1])[0])


def test_adaptive_log_softmax_errors():
    check_error(lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]), ValueError)
    check_error(lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 10]), ValueError)

    def bad_target(lib):
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5])
        m(lib.randn(2, 8), lib.tensor([1, 10]))
    check_error(bad_target, RuntimeError)
    check_error(lambda lib: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5])(
        lib.randn(3, 8), lib.tensor([1, 2])), RuntimeError)


@pytest.mark.parametrize("nd,shape,k,osz", [(2, (2, 3, 9, 11), 3, (4, 5)),
                                            (2, (2, 3, 7, 7), 2, 3),
                                            (2, (3, 8, 8), (2, 3), (4, 4)),
                                            (3, (2, 2, 6, 7, 8), 2, (3, 4, 5))])
def test_fractional_max_pool_given_samples(nd, shape, k, osz):
    nb = shape[0] if len(shape) == nd + 2 else 1
    samples = np.random.default_rng(2).random((nb, shape[-nd - 1], nd)).astype(np.float32)
    fname = f"fractional_max_pool{nd}d"

    def fn(lib, x):
        return getattr(lib.nn.functional, fname)(x, k, output_size=osz, return_indices=True,
                                                  _random_samples=lib.tensor(samples))
    check(fn, [shape])
    check(lambda lib, x: getattr(lib.nn, f"FractionalMaxPool{nd}d")(
        k, output_size=osz, _random_samples=lib.tensor(samples))(x), [shape], noncontig=True)


def test_fractional_max_pool_ratio_random_and_grad():
    samples = np.random.default_rng(3).random((1, 2, 2)).astype(np.float32)
    check(lambda lib, x: lib.nn.functional.fractional_max_pool2d(
        x, 2, output_ratio=(0.5, 0.5), _random_samples=lib.tensor(samples)), [(1, 2, 10, 12)])
    gradcheck(lambda lib, x: lib.nn.functional.fractional_max_pool2d(
        x, 2, output_size=3, _random_samples=lib.tensor(samples, dtype=lib.float64)),
        [(1, 2, 6, 6)])
    ember.manual_seed(0)
    m = ember.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5), return_indices=True)
    out, idx = m(ember.randn(2, 3, 10, 10))
    assert out.shape == (2, 3, 5, 5) and idx.dtype is ember.int64
    assert repr(m) == "FractionalMaxPool2d()"
    assert list(ember.nn.FractionalMaxPool2d(2, output_size=2, _random_samples=ember.rand(
        1, 3, 2)).state_dict()) == ["_random_samples"]


def test_fractional_max_pool_errors():
    check_error(lambda lib: lib.nn.FractionalMaxPool2d(2), ValueError)
    check_error(lambda lib: lib.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5),
                ValueError)
    check_error(lambda lib: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5), ValueError)
    check_error(lambda lib: lib.nn.functional.fractional_max_pool2d(
        lib.randn(1, 1, 5, 5), 3, output_size=4, _random_samples=lib.rand(1, 1, 2)),
        RuntimeError)


def test_init_deprecated_aliases():
    for name in ("dirac", "eye"):
        t = torch.empty(3, 3, 3) if name == "dirac" else torch.empty(3, 4)
        e = ember.empty(*t.shape)
        with pytest.warns(FutureWarning, match=f"nn.init.{name}_"):
            getattr(ember.nn.init, name)(e)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(torch.nn.init, name)(t)
        assert_same(e, t)
