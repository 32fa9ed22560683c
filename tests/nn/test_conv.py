"""Convolutions against the torch oracle: F.conv*, F.conv_transpose*, unfold/fold, modules."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch, ember

CONV2D = [  # (x shape, w shape, kwargs)
    ((2, 3, 7, 6), (4, 3, 3, 3), {}),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(stride=2, padding=1)),
    ((1, 4, 9, 8), (6, 2, 3, 3), dict(groups=2, dilation=2, padding=(2, 1))),
    ((2, 4, 6, 6), (4, 1, 3, 3), dict(groups=4, padding=1)),            # depthwise
    ((2, 3, 6, 7), (2, 3, 4, 2), dict(padding="same")),                 # even kernel
    ((2, 3, 6, 7), (2, 3, 2, 3), dict(padding="same", dilation=2)),
    ((2, 3, 6, 7), (2, 3, 3, 3), dict(padding="valid", stride=(1, 2))),
    ((3, 5, 5), (2, 3, 3, 3), dict(padding=1)),                          # unbatched
    ((2, 3, 8, 8), (5, 3, 1, 1), {}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV2D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv2d(xs, ws, kw, bias):
    shapes = [xs, ws] + ([(ws[0],)] if bias else [])
    check(lambda lib, x, w, *b: lib.nn.functional.conv2d(x, w, *b, **kw), shapes)


@pytest.mark.parametrize("xs,ws,kw", CONV2D[:4])
def test_conv2d_noncontig_float64(xs, ws, kw):
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kw),
          [xs, ws, (ws[0],)], noncontig=True, dtype="float64")


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 3, 9), (4, 3, 3), dict(stride=2, padding=2)),
    ((2, 4, 9), (4, 2, 2), dict(groups=2, dilation=3, padding="same")),
    ((3, 9), (2, 3, 3), {}),
])
def test_conv1d(xs, ws, kw):
    check(lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, **kw), [xs, ws, (ws[0],)])


@pytest.mark.parametrize("xs,ws,kw", [
    ((2, 2, 5, 6, 4), (3, 2, 3, 2, 2), dict(stride=(2, 1, 1), padding=1)),
    ((1, 4, 5, 5, 5), (4, 2, 3, 3, 3), dict(groups=2, dilation=(1, 2, 1), padding="same")),
])
def test_conv3d(xs, ws, kw):
    check(lambda lib, x, w, b: lib.nn.functional.conv3d(x, w, b, **kw), [xs, ws, (ws[0],)])


CONVT2D = [
    ((2, 3, 5, 4), (3, 4, 3, 3), {}),
    ((2, 3, 5, 4), (3, 2, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((1, 4, 4, 5), (4, 3, 3, 3), dict(groups=2, dilation=2, padding=(1, 2))),
    ((2, 4, 5, 5), (4, 1, 3, 3), dict(groups=4, stride=(2, 3), output_padding=(1, 2))),
    ((3, 4, 4), (3, 2, 2, 2), dict(stride=2)),
]


@pytest.mark.parametrize("xs,ws,kw", CONVT2D)
def test_conv_transpose2d(xs, ws, kw):
    cout = ws[1] * kw.get("groups", 1)
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **kw),
          [xs, ws, (cout,)])


def test_conv_transpose1d_3d():
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose1d(x, w, b, stride=3, padding=1,
                                                                   output_padding=2),
          [(2, 3, 6), (3, 2, 4), (2,)])
    check(lambda lib, x, w, b: lib.nn.functional.conv_transpose3d(x, w, b, stride=2, padding=1),
          [(1, 2, 3, 4, 3), (2, 3, 3, 3, 2), (3,)])


def test_conv_transpose_noncontig_float64():
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2),
          [(2, 3, 4, 5), (3, 2, 3, 3)], noncontig=True, dtype="float64")


def test_gradcheck_conv_and_transpose():
    F = ember.nn.functional
    gradcheck(lambda lib, x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2),
              [(1, 4, 5, 4), (2, 2, 3, 2), (2,)])
    gradcheck(lambda lib, x, w, b: F.conv_transpose2d(x, w, b, stride=2, output_padding=1),
              [(1, 2, 3, 3), (2, 3, 2, 2), (3,)])


def test_double_backward():
    def fn(lib, x, w):
        y = lib.nn.functional.conv2d(x, w, padding=1, stride=2)
        gx, gw = lib.autograd.grad((y * y).sum(), (x, w), create_graph=True)
        return (gx * gx).sum() + (gw ** 3).sum()
    check(fn, [(1, 2, 5, 5), (3, 2, 3, 3)], dtype="float64")


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), stride=2,
                                                            padding=1, dilation=(1, 2))])
def test_unfold_fold(kw):
    check(lambda lib, x: lib.nn.functional.unfold(x, **kw), [(2, 3, 6, 7)])
    F = torch.nn.functional
    L = F.unfold(torch.zeros(2, 3, 6, 7), **kw).shape
    check(lambda lib, x: lib.nn.functional.fold(x, (6, 7), **kw), [tuple(L)])
    check(lambda lib, x: lib.nn.Fold((6, 7), **kw)(lib.nn.Unfold(**kw)(x)), [(2, 3, 6, 7)])


def test_errors():
    def c(fn):
        check_error(lambda lib: fn(lib, lib.nn.functional))
    c(lambda lib, F: F.conv2d(lib.randn(1, 3, 2, 2), lib.randn(2, 3, 3, 3)))      # kernel > input
    c(lambda lib, F: F.conv2d(lib.randn(1, 3, 5, 5), lib.randn(2, 2, 3, 3)))      # channels
    c(lambda lib, F: F.conv2d(lib.randn(1, 4, 5, 5), lib.randn(3, 2, 3, 3), groups=2))
    c(lambda lib, F: F.conv2d(lib.randn(1, 3, 5, 5), lib.randn(2, 3, 3, 3), stride=2,
                              padding="same"))
    c(lambda lib, F: F.conv2d(lib.randn(3, 5), lib.randn(2, 3, 3, 3)))
    c(lambda lib, F: F.conv2d(lib.randn(1, 3, 5, 5), lib.randn(2, 3, 3, 3), lib.randn(3)))
    c(lambda lib, F: F.conv2d(lib.randn(1, 3, 5, 5, dtype=lib.float64), lib.randn(2, 3, 3, 3)))
    c(lambda lib, F: F.conv_transpose2d(lib.randn(1, 3, 5, 5), lib.randn(3, 2, 3, 3), stride=2,
                                        output_padding=2))
    check_error(lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2))
    check_error(lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2))
    check_error(lambda lib: lib.nn.Conv2d(4, 4, 3, padding_mode="bogus"))
