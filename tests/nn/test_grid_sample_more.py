"""grid_sample beyond 4-D bilinear: volumetric (5-D) input, bicubic, every padding mode and
align_corners, gradients w.r.t. input and grid; affine_grid for 5-D sizes."""
import numpy as np
import pytest

from oracle import check, check_error, gradcheck

MODES_4D = ["bilinear", "nearest", "bicubic"]
MODES_5D = ["bilinear", "nearest"]
PADS = ["zeros", "border", "reflection"]


def _gs(mode, pad, ac):
    return lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode=mode, padding_mode=pad,
                                                           align_corners=ac)


@pytest.mark.parametrize("ac", [False, True])
@pytest.mark.parametrize("pad", PADS)
@pytest.mark.parametrize("mode", MODES_4D)
def test_grid_sample_4d(mode, pad, ac):
    # grid values in [-2, 2]: a third of the samples fall outside, exercising the padding
    check(_gs(mode, pad, ac), [(2, 3, 5, 6), (2, 4, 3, 2)], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ac", [False, True])
@pytest.mark.parametrize("pad", PADS)
@pytest.mark.parametrize("mode", MODES_5D)
def test_grid_sample_5d(mode, pad, ac):
    check(_gs(mode, pad, ac), [(2, 2, 3, 4, 5), (2, 2, 3, 4, 3)], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mode,nd", [("bilinear", 5), ("nearest", 5), ("bicubic", 4)])
def test_grid_sample_noncontig_float64(mode, nd):
    shapes = [(1, 2, 3, 4), (1, 3, 2, 2)] if nd == 4 else [(1, 2, 3, 3, 4), (1, 2, 2, 3, 3)]
    check(_gs(mode, "reflection", False), shapes, noncontig=True, dtype="float64")


def test_grid_sample_grad_fn_names():
    check(lambda lib, x, g: _name(lib, lib.nn.functional.grid_sample(x, g, align_corners=True)),
          [(1, 1, 2, 3, 3), (1, 2, 2, 2, 3)], grad=False)
    check(lambda lib, x, g: _name(lib, lib.nn.functional.grid_sample(
        x, g, mode="bicubic", align_corners=True)), [(1, 1, 3, 3), (1, 2, 2, 2)], grad=False)


def _name(lib, y):
    return lib.tensor(float(len(y.grad_fn.name()))) if y.grad_fn is not None else \
        lib.tensor(-1.0)


@pytest.mark.parametrize("mode,pad,ac,nd", [
    ("bilinear", "zeros", False, 5), ("bilinear", "reflection", True, 5),
    ("bilinear", "border", False, 5), ("nearest", "reflection", False, 5),
    ("bicubic", "zeros", False, 4), ("bicubic", "border", True, 4),
    ("bicubic", "reflection", False, 4), ("bicubic", "reflection", True, 4),
    ("bilinear", "reflection", False, 4)])
def test_grid_sample_gradcheck(mode, pad, ac, nd):
    shapes = [(1, 2, 3, 4), (1, 2, 3, 2)] if nd == 4 else [(1, 1, 2, 3, 3), (1, 2, 2, 1, 3)]
    gradcheck(_gs(mode, pad, ac), shapes, atol=1e-5, rtol=1e-3)


def test_grid_sample_float32_dtype_kept():
    import ember
    x = ember.randn(1, 2, 3, 4, 5)
    g = ember.rand(1, 2, 2, 2, 3) * 2 - 1
    assert ember.nn.functional.grid_sample(x, g, align_corners=False).dtype == ember.float32
    y = ember.nn.functional.grid_sample(ember.randn(1, 1, 4, 4), ember.rand(1, 2, 2, 2),
                                        mode="bicubic", align_corners=False)
    assert y.dtype == ember.float32


@pytest.mark.parametrize("ac", [False, True])
def test_affine_grid_5d(ac):
    check(lambda lib, th: lib.nn.functional.affine_grid(th, (2, 3, 4, 5, 6), align_corners=ac),
          [(2, 3, 4)], dtype="float64")
    check(lambda lib, th: lib.nn.functional.grid_sample(
        lib.ones(2, 1, 3, 4, 5, dtype=th.dtype) * 2,
        lib.nn.functional.affine_grid(th, (2, 1, 2, 3, 2), align_corners=ac),
        align_corners=ac), [(2, 3, 4)], dtype="float64")


def test_affine_grid_5d_errors():
    check_error(lambda lib: lib.nn.functional.affine_grid(lib.zeros(1, 2, 3), (1, 1, 2, 2, 2),
                                                          align_corners=False), ValueError)
    check_error(lambda lib: lib.nn.functional.affine_grid(lib.zeros(1, 3, 4), (1, 1, 2, 2),
                                                          align_corners=False), ValueError)


@pytest.mark.parametrize("xs,gs,kw", [
    ((1, 1, 3, 3, 3), (1, 2, 2, 2, 3), {"mode": "bicubic"}),       # bicubic needs 4-D
    ((1, 1, 3, 3, 3), (1, 2, 2, 2, 2), {}),                         # grid last dim 3
    ((1, 1, 3, 3, 3), (1, 2, 2, 3), {}),                            # grid rank
    ((1, 1, 3, 3), (1, 2, 2, 3), {}),
    ((2, 1, 3, 3), (1, 2, 2, 2), {}),                               # batch
    ((1, 1, 0, 3), (1, 2, 2, 2), {}),                               # empty spatial dim
    ((1, 3, 3), (1, 2, 2), {}),                                     # 3-D input
])
def test_grid_sample_shape_errors(xs, gs, kw):
    check_error(lambda lib: lib.nn.functional.grid_sample(lib.zeros(*xs), lib.zeros(*gs),
                                                          align_corners=False, **kw),
                RuntimeError, "grid_sampler")


def test_grid_sample_bad_mode_and_dtype():
    check_error(lambda lib: lib.nn.functional.grid_sample(
        lib.zeros(1, 1, 2, 2), lib.zeros(1, 1, 1, 2), mode="area", align_corners=False),
        ValueError)
    check_error(lambda lib: lib.nn.functional.grid_sample(
        lib.zeros(1, 1, 2, 2), lib.zeros(1, 1, 1, 2, dtype=lib.float64), align_corners=False),
        RuntimeError)


def test_grid_sample_5d_matches_trilinear_identity():
    import ember
    x = ember.tensor(np.arange(60, dtype=np.float32).reshape(1, 1, 3, 4, 5))
    theta = ember.tensor([[[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 1.0, 0]]])
    grid = ember.nn.functional.affine_grid(theta, (1, 1, 3, 4, 5), align_corners=True)
    y = ember.nn.functional.grid_sample(x, grid, align_corners=True)
    np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-5)
