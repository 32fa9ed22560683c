"""Pooling against the torch oracle: max/avg/lp/adaptive pooling, unpooling, modules."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch, ember

MAX2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 7, 9), dict(kernel_size=(3, 2), stride=(2, 1), dilation=(2, 1), padding=(1, 0))),
    ((2, 3, 7, 8), dict(kernel_size=2, ceil_mode=True)),
    ((2, 3, 8, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 6, 6), dict(kernel_size=3, stride=1)),
]


@pytest.mark.parametrize("xs,kw", MAX2D)
def test_max_pool2d(xs, kw):
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, **kw), [xs])
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, return_indices=True, **kw)[1], [xs],
          grad=False)


def test_max_pool_noncontig_float64_and_ties():
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1), [(2, 3, 7, 7)],
          noncontig=True, dtype="float64")
    ties = np.zeros((1, 1, 4, 4), np.float32)
    ties[0, 0, 1:3, 1:3] = 1.0
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 2, 1, return_indices=True), [ties])


def test_max_pool1d_3d():
    check(lambda lib, x: lib.nn.functional.max_pool1d(x, 3, 2, 1, ceil_mode=True), [(2, 3, 10)])
    check(lambda lib, x: lib.nn.functional.max_pool1d(x, 2, dilation=2, return_indices=True),
          [(2, 3, 9)])
    check(lambda lib, x: lib.nn.functional.max_pool3d(x, 2, padding=(1, 0, 1)),
          [(2, 2, 5, 4, 5)])


AVG2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 7, 9), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((2, 3, 7, 8), dict(kernel_size=(3, 2), ceil_mode=True, padding=1)),
    ((2, 3, 7, 8), dict(kernel_size=3, ceil_mode=True, padding=1, count_include_pad=False)),
    ((2, 3, 7, 8), dict(kernel_size=3, stride=2, divisor_override=5)),
]


@pytest.mark.parametrize("xs,kw", AVG2D)
def test_avg_pool2d(xs, kw):
    check(lambda lib, x: lib.nn.functional.avg_pool2d(x, **kw), [xs])


def test_avg_pool1d_3d():
    check(lambda lib, x: lib.nn.functional.avg_pool1d(x, 3, 2, 1, ceil_mode=True,
                                                      count_include_pad=False), [(2, 3, 10)])
    check(lambda lib, x: lib.nn.functional.avg_pool3d(x, 2, padding=1, divisor_override=3),
          [(2, 2, 5, 4, 5)])
    check(lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, 2), [(2, 3, 6, 6)], noncontig=True,
          dtype="float64")


@pytest.mark.parametrize("out", [1, 3, (2, 5), (None, 2), 4])
def test_adaptive_avg_pool2d(out):
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, out), [(2, 3, 8, 7)])


def test_adaptive_avg_1d_3d():
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool1d(x, 4), [(2, 3, 10)])
    check(lambda lib, x: lib.nn.functional.adaptive_avg_pool3d(x, (2, 3, 1)), [(2, 2, 5, 4, 5)])


@pytest.mark.parametrize("out", [1, 3, (2, 5), (None, 2)])
def test_adaptive_max_pool2d(out):
    check(lambda lib, x: lib.nn.functional.adaptive_max_pool2d(x, out, return_indices=True),
          [(2, 3, 8, 7)])
    check(lambda lib, x: lib.nn.functional.adaptive_max_pool1d(x, 3), [(2, 3, 10)])


def test_lp_pool():
    check(lambda lib, x: lib.nn.functional.lp_pool2d(x, 2, 3, stride=2), [(2, 3, 7, 7)],
          positive=True)
    check(lambda lib, x: lib.nn.functional.lp_pool1d(x, 3, 2), [(2, 3, 8)], positive=True)
    check(lambda lib, x: lib.nn.LPPool2d(1.5, (2, 3), ceil_mode=True)(x), [(2, 3, 7, 7)],
          positive=True)


@pytest.mark.parametrize("nd,xs,kw", [(2, (2, 3, 8, 6), dict(kernel_size=2)),
                                      (2, (2, 3, 7, 7), dict(kernel_size=3, stride=2,
                                                             padding=1)),
                                      (1, (2, 3, 9), dict(kernel_size=3, stride=3)),
                                      (3, (1, 2, 4, 4, 4), dict(kernel_size=2))])
def test_max_unpool(nd, xs, kw):
    def fn(lib, x):
        F = lib.nn.functional
        y, idx = getattr(F, f"max_pool{nd}d")(x, return_indices=True, **kw)
        return getattr(F, f"max_unpool{nd}d")(y * 2, idx, output_size=x.shape[2:], **kw)
    check(fn, [xs])


def test_pool_gradcheck_and_double_backward():
    F = ember.nn.functional
    gradcheck(lambda lib, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(1, 2, 6, 7)])
    gradcheck(lambda lib, x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [(1, 2, 6, 7)])
    gradcheck(lambda lib, x: F.adaptive_max_pool2d(x, (3, 2)), [(1, 2, 7, 5)])
    gradcheck(lambda lib, x: F.adaptive_avg_pool2d(x, (3, 2)), [(1, 2, 7, 5)])

    def fn(lib, x):
        y = lib.nn.functional.max_pool2d(x, 2) + lib.nn.functional.avg_pool2d(x, 3, 2, 1)
        (g,) = lib.autograd.grad((y ** 2).sum(), x, create_graph=True)
        return (g ** 2).sum()
    check(fn, [(1, 2, 6, 6)], dtype="float64")


def test_pool_int_dtypes():
    x = np.arange(2 * 3 * 6 * 6).reshape(2, 3, 6, 6) % 7
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 2), [x.astype(np.int64)], grad=False)


def test_errors():
    F = "nn.functional"
    check_error(lambda lib: lib.nn.functional.max_pool2d(lib.randn(1, 3, 5, 5), 3, padding=2))
    check_error(lambda lib: lib.nn.functional.avg_pool2d(lib.randn(1, 3, 5, 5), 3, padding=2))
    check_error(lambda lib: lib.nn.functional.max_pool2d(lib.randn(1, 3, 2, 2), 3))
    check_error(lambda lib: lib.nn.functional.avg_pool2d(lib.randn(1, 3, 2, 2), 3))
    check_error(lambda lib: lib.nn.functional.max_pool2d(lib.randn(3, 2), 1))
    check_error(lambda lib: lib.nn.functional.max_pool1d(lib.randn(1, 3, 5), 0))
    check_error(lambda lib: lib.nn.functional.max_unpool2d(
        lib.randn(1, 3, 2, 2), lib.zeros(1, 3, 2, 2, dtype=lib.long) + 100, 2))
