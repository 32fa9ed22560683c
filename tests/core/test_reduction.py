"""Reductions, cumulative ops and the softmax family against torch (forward and backward)."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember

SHAPES_DIMS = [((3, 4), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), (0, 2)),
               ((2, 3, 4), (-1, 1)), ((5,), 0), ((), None), ((), 0), ((2, 0, 3), 1),
               ((2, 3, 4), ())]


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "nansum",
                                  "nanmean"])
@pytest.mark.parametrize("shape,dim", SHAPES_DIMS)
@pytest.mark.parametrize("keepdim", [False, True])
def test_multi_dim_reductions(name, shape, dim, keepdim):
    if name == "logsumexp" and (dim is None or dim == ()):
        pytest.skip("logsumexp needs dim (torch errors on dim=() with keepdim)")
    if name in ("amax", "amin") and 0 in shape:
        pytest.skip("empty max: error path tested elsewhere")
    if dim is None:
        fn = (lambda lib, x: getattr(lib, name)(x)) if not keepdim else None
        if fn is None:
            return
    else:
        def fn(lib, x):
            return getattr(lib, name)(x, dim, keepdim=keepdim)
    check(fn, [shape])
    check(fn, [shape], noncontig=True)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "logsumexp", "prod", "var", "std"])
def test_reduction_gradcheck(name):
    dim = 1 if name != "prod" else 0
    gradcheck(lambda lib, x: getattr(lib, name)(x, dim), [(3, 4)])
    if name not in ("logsumexp",):
        gradcheck(lambda lib, x: getattr(lib, name)(x), [(2, 3)])


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16", "float64",
                                   "bfloat16"])
@pytest.mark.parametrize("name", ["sum", "prod", "mean", "amax", "max", "argmax", "all", "any",
                                  "count_nonzero", "cumsum", "cumprod", "logsumexp", "median",
                                  "nansum"])
def test_reduction_dtypes(name, dtype):
    a = np.array([[1, 0, 3], [2, 2, 1]])

    def fn(lib, x):
        t = lib.tensor(x).to(getattr(lib, dtype))
        if name in ("cumsum", "cumprod", "logsumexp"):
            return getattr(lib, name)(t, 1)
        return getattr(lib, name)(t)
    try:
        expect = fn(torch, a)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            fn(ember, a)
        return
    assert_same(fn(ember, a), expect)


def test_dtype_argument():
    a = np.array([[1, 2, 3], [4, 5, 6]])
    for fn in (lambda lib, x: lib.sum(x, dtype=lib.float64),
               lambda lib, x: x.sum(1, dtype=lib.int32),
               lambda lib, x: lib.prod(x, 1, dtype=lib.float32),
               lambda lib, x: x.float().mean(dtype=lib.float64),
               lambda lib, x: lib.mean(x, 0, dtype=lib.float32),
               lambda lib, x: lib.cumsum(x, 1, dtype=lib.float32),
               lambda lib, x: x.cumprod(0, dtype=lib.float64),
               lambda lib, x: lib.softmax(x, 1, dtype=lib.float64),
               lambda lib, x: lib.log_softmax(x.float(), 0, dtype=lib.float64)):
        check(fn, [a])
    check(lambda lib, x: lib.sum(x, 1, dtype=lib.float64), [(3, 4)])
    check(lambda lib, x: lib.softmax(x, 1, dtype=lib.float64), [(3, 4)])
    check_error(lambda lib: lib.tensor([1, 2]).mean(), RuntimeError)


@pytest.mark.parametrize("name", ["max", "min", "median", "nanmedian", "mode"])
@pytest.mark.parametrize("shape,dim", [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -2), ((5,), 0),
                                       ((), 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_values_indices(name, shape, dim, keepdim):
    a = np.random.default_rng(1).permutation(int(np.prod(shape))).reshape(shape).astype(
        np.float32)

    def fn(lib, x):
        r = getattr(lib, name)(x, dim, keepdim=keepdim)
        assert type(r).__name__ == name and r.values is r[0] and r.indices is r[1]
        return tuple(r)
    check(fn, [a])
    check(fn, [a], noncontig=True)


def test_values_indices_repr_and_full():
    for lib in (torch, ember):
        r = lib.max(lib.tensor([[1.0, 3.0], [2.0, 0.0]]), 1)
        assert type(r).__module__ == "torch.return_types"
    assert repr(ember.max(ember.tensor([[1.0, 3.0]]), 1)) == \
        repr(torch.max(torch.tensor([[1.0, 3.0]]), 1))
    a = np.array([[1.0, 5.0, 5.0], [2.0, 0.0, 5.0]], np.float32)
    for name in ("max", "min", "median", "nanmedian", "amax", "amin"):
        check(lambda lib, x: getattr(lib, name)(x), [a])
    check(lambda lib, x: lib.median(x), [np.array([1.0, 4.0, 2.0, 3.0], np.float32)])
    check(lambda lib, x: lib.max(x, lib.zeros(3)), [a])
    check(lambda lib, x: x.max(1)[0] * 2, [a])


def test_nan_handling():
    a = np.array([[1.0, np.nan, 3.0], [2.0, 0.0, -1.0], [np.nan, np.nan, np.nan]], np.float32)
    for fn in (lambda lib, x: lib.max(x, 1), lambda lib, x: lib.min(x, 0), lambda lib, x: x.amax(),
               lambda lib, x: lib.median(x, 1), lambda lib, x: lib.nanmedian(x, 1),
               lambda lib, x: lib.nanmedian(x), lambda lib, x: lib.median(x),
               lambda lib, x: lib.argmax(x, 1), lambda lib, x: lib.argmin(x),
               lambda lib, x: lib.nansum(x, 1), lambda lib, x: lib.nanmean(x, 1),
               lambda lib, x: lib.cummax(x, 1), lambda lib, x: lib.cummin(x, 0),
               lambda lib, x: lib.logsumexp(x, 1), lambda lib, x: lib.sum(x, 0)):
        check(fn, [a], grad=False)


def test_ties_and_argmax():
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)
    for fn in (lambda lib, x: lib.argmax(x), lambda lib, x: lib.argmax(x, 1),
               lambda lib, x: lib.argmin(x, 0, keepdim=True), lambda lib, x: x.argmax(1, True),
               lambda lib, x: lib.max(x, 1), lambda lib, x: lib.amax(x, 1),
               lambda lib, x: lib.max(x), lambda lib, x: lib.mode(x, 1)):
        check(fn, [a])
    check(lambda lib, x: lib.argmax(x), [np.array([1, 5, 5, 2])])
    check(lambda lib, x: lib.argmax(x, keepdim=True), [np.ones((2, 2), np.float32)])


@pytest.mark.parametrize("kw", [{}, {"unbiased": False}, {"correction": 0}, {"correction": 2},
                                {"unbiased": True}])
@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1), -1])
@pytest.mark.parametrize("name", ["var", "std", "var_mean", "std_mean"])
def test_var_std(name, dim, kw):
    for keepdim in (False, True):
        if dim is None and keepdim:
            continue
        if dim is None:
            check(lambda lib, x: getattr(lib, name)(x, **kw), [(3, 4)])
        else:
            check(lambda lib, x: getattr(lib, name)(x, dim, keepdim=keepdim, **kw), [(3, 4)])
    check(lambda lib, x: getattr(lib, name)(x, 1, True), [(3, 4)])   # positional unbiased
    gradcheck(lambda lib, x: getattr(lib, name)(x, dim, **kw), [(3, 4)])


def test_var_edge_cases():
    for fn in (lambda lib, x: lib.var(x), lambda lib, x: lib.std(x, 0),
               lambda lib, x: lib.var(x, correction=0)):
        check(fn, [(1,)], grad=False)
    check(lambda lib, x: lib.var(x), [np.array([1.0, 2.0, 4.0], np.float64)])
    check(lambda lib, x: lib.var(x, 1), [np.array([[1, 2], [4, 8]], np.float32)])


@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
@pytest.mark.parametrize("shape,dim", [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((5,), 0),
                                       ((), 0), ((0, 3), 1)])
def test_cumulative(name, shape, dim):
    check(lambda lib, x: getattr(lib, name)(x, dim), [shape])
    check(lambda lib, x: getattr(x, name)(dim), [shape], noncontig=True)
    if 0 not in shape:
        gradcheck(lambda lib, x: getattr(lib, name)(x, dim), [shape])


def test_cumprod_with_zeros():
    a = np.array([[1.0, 0.0, 2.0, 3.0], [0.0, 2.0, 0.0, 4.0], [2.0, 3.0, 4.0, 0.5]])
    check(lambda lib, x: lib.cumprod(x, 1), [a])
    check(lambda lib, x: lib.prod(x, 1), [a])
    check(lambda lib, x: lib.prod(x), [a[2:]])
    check(lambda lib, x: lib.prod(x), [a])
    gradcheck(lambda lib, x: lib.cumprod(x, 1), [a])
    gradcheck(lambda lib, x: lib.prod(x, 1), [a])


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin(name):
    a = np.array([[1.0, 3.0, 2.0, 3.0, 5.0], [4.0, 1.0, 1.0, 0.0, 2.0]], np.float32)
    for dim in (0, 1, -1):
        def fn(lib, x):
            r = getattr(lib, name)(x, dim)
            assert type(r).__name__ == name
            return tuple(r)
        check(fn, [a])
    check(lambda lib, x: tuple(getattr(lib, name)(x, 0)), [np.array([3, 1, 2, 5])])
    check(lambda lib, x: tuple(getattr(lib, name)(x, 0)), [(3,)])
    gradcheck(lambda lib, x: getattr(lib, name)(x, 1)[0], [(3, 5)])


def test_cumulative_inplace_and_out():
    def fn(lib, x):
        y = x * 1
        y.cumsum_(1)
        return y
    check(fn, [(3, 4)])
    check(lambda lib, x: lib.cumsum(x, dim=0), [np.array([1, 2, 3], np.int32)])
    check(lambda lib, x: lib.cumsum(x, 0), [np.array([True, True, False])])


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any(name):
    a = np.array([[1, 0, 3], [2, 2, 1]])
    for fn in (lambda lib, x: getattr(lib, name)(x), lambda lib, x: getattr(x, name)(1),
               lambda lib, x: getattr(lib, name)(x, 0, keepdim=True),
               lambda lib, x: getattr(lib, name)(x, (0, 1)),
               lambda lib, x: getattr(lib, name)(x.float()),
               lambda lib, x: getattr(lib, name)(x.to(lib.uint8), 1),
               lambda lib, x: getattr(lib, name)(x[:0])):
        check(fn, [a])


def test_count_nonzero():
    a = np.array([[1, 0, 3], [0, 0, 1]])
    for fn in (lambda lib, x: lib.count_nonzero(x), lambda lib, x: lib.count_nonzero(x, 1),
               lambda lib, x: x.count_nonzero((0, 1)), lambda lib, x: lib.count_nonzero(x.float(), 0)):
        check(fn, [a])


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1), ((5,), 0),
                                       ((), 0), ((0, 3), 1)])
def test_softmax(name, shape, dim):
    check(lambda lib, x: getattr(lib, name)(x, dim), [shape])
    check(lambda lib, x: getattr(x, name)(dim), [shape], noncontig=True)
    if 0 not in shape:
        gradcheck(lambda lib, x: getattr(lib, name)(x, dim), [shape])


def test_softmax_extremes():
    a = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0]], np.float32)
    check(lambda lib, x: lib.softmax(x, 1), [a])
    check(lambda lib, x: lib.log_softmax(x, 1), [a])
    check(lambda lib, x: lib.softmax(x, 1), [a.astype(np.float16)], grad=False)


def test_reduction_errors():
    check_error(lambda lib: lib.ones(2, 3).sum(2), IndexError)
    check_error(lambda lib: lib.ones(2, 3).sum((0, 0)), RuntimeError)
    check_error(lambda lib: lib.ones(0).max(), RuntimeError)
    check_error(lambda lib: lib.ones(2, 0).max(1), IndexError)
    check_error(lambda lib: lib.ones(0).argmax(), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).cumsum(2), IndexError)
    check_error(lambda lib: lib.ones(0, 2).amax(0), IndexError)


def test_grad_fn_names():
    def names(lib):
        x = lib.ones(2, 3, requires_grad=True)
        outs = [x.sum(), x.sum(1), x.mean(), x.mean(0), x.prod(), x.prod(1), x.max(), x.max(1)[0],
                x.amax(1), x.min(), x.logsumexp(1), x.cumsum(1), x.cumprod(1), x.softmax(1),
                x.log_softmax(1), x.var(), x.std(1), x.median(), x.median(1)[0],
                x.cummax(1)[0], x.logcumsumexp(1), x.nansum(), x.mode(1)[0]]
        return [o.grad_fn.name() for o in outs]
    assert names(ember) == names(torch)
