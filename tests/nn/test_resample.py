"""Interpolation, grid_sample and affine_grid against the torch oracle."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch, ember

CASES = [
    ((2, 3, 5), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 9), dict(size=4, mode="nearest")),
    ((2, 3, 5), dict(scale_factor=2.5, mode="nearest-exact")),
    ((2, 3, 5), dict(size=8, mode="linear")),
    ((2, 3, 8), dict(size=3, mode="linear", align_corners=True)),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 4, 5), dict(size=(7, 3), mode="bilinear", align_corners=True)),
    ((2, 3, 4, 5), dict(scale_factor=(1.7, 0.6), mode="bilinear")),
    ((2, 3, 4, 5), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 4, 5), dict(size=(9, 7), mode="bicubic")),
    ((2, 3, 6, 5), dict(size=(3, 8), mode="bicubic", align_corners=True)),
    ((2, 3, 4, 5), dict(scale_factor=3, mode="nearest")),
    ((2, 3, 7, 9), dict(size=(3, 4), mode="area")),
    ((1, 2, 3, 4, 5), dict(scale_factor=2, mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(size=(2, 5, 3), mode="trilinear", align_corners=True)),
    ((1, 2, 3, 4, 5), dict(size=(5, 2, 7), mode="nearest")),
]


@pytest.mark.parametrize("xs,kw", CASES)
def test_interpolate(xs, kw):
    check(lambda lib, x: lib.nn.functional.interpolate(x, **kw), [xs])


def test_interpolate_noncontig_float64_and_uint8():
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2, mode="bilinear"),
          [(2, 3, 4, 5)], noncontig=True, dtype="float64")
    img = (np.arange(2 * 3 * 4 * 5) % 251).astype(np.uint8).reshape(2, 3, 4, 5)
    check(lambda lib, x: lib.nn.functional.interpolate(x, scale_factor=2), [img], grad=False)


def test_interpolate_gradcheck_double_backward():
    F = ember.nn.functional
    gradcheck(lambda lib, x: F.interpolate(x, size=(5, 3), mode="bicubic"), [(1, 2, 3, 4)])

    def fn(lib, x):
        y = lib.nn.functional.interpolate(x, scale_factor=2, mode="bilinear")
        (g,) = lib.autograd.grad((y ** 3).sum(), x, create_graph=True)
        return (g ** 2).sum()
    check(fn, [(1, 2, 3, 4)], dtype="float64")


def test_upsample_modules():
    check(lambda lib, x: lib.nn.Upsample(scale_factor=2, mode="bilinear")(x), [(1, 2, 3, 4)])
    check(lambda lib, x: lib.nn.UpsamplingNearest2d(size=(5, 7))(x), [(1, 2, 3, 4)])
    check(lambda lib, x: lib.nn.UpsamplingBilinear2d(scale_factor=2)(x), [(1, 2, 3, 4)])
    for lib in (torch, ember):
        assert repr(lib.nn.Upsample(scale_factor=2.0, mode="bilinear")) == \
            "Upsample(scale_factor=2.0, mode='bilinear')"
    assert repr(ember.nn.UpsamplingNearest2d(size=(5, 7))) == \
        repr(torch.nn.UpsamplingNearest2d(size=(5, 7)))


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("pad", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("ac", [True, False])
def test_grid_sample(mode, pad, ac):
    rng = np.random.default_rng(1)
    grid = rng.uniform(-1.3, 1.3, size=(2, 4, 5, 2)).astype(np.float32)
    check(lambda lib, x, g: lib.nn.functional.grid_sample(x, g, mode=mode, padding_mode=pad,
                                                          align_corners=ac),
          [(2, 3, 5, 6), grid], atol=1e-4, grad_atol=1e-3)


def test_affine_grid():
    check(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 3, 4, 5), align_corners=False),
          [(2, 2, 3)])
    check(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 3, 4, 5), align_corners=True),
          [(2, 2, 3)])
    check(lambda lib, t: lib.nn.functional.affine_grid(t, (2, 1, 3, 4, 2), align_corners=False),
          [(2, 3, 4)])

    def stn(lib, x, t):
        F = lib.nn.functional
        g = F.affine_grid(t, list(x.shape), align_corners=False)
        return F.grid_sample(x, g, align_corners=False)
    check(stn, [(2, 3, 5, 6), (2, 2, 3)], atol=1e-4, grad_atol=1e-3)


def test_pixel_and_channel_shuffle():
    check(lambda lib, x: lib.nn.functional.pixel_shuffle(x, 2), [(2, 8, 3, 4)])
    check(lambda lib, x: lib.nn.functional.pixel_unshuffle(x, 3), [(2, 2, 6, 9)])
    check(lambda lib, x: lib.nn.PixelShuffle(2)(lib.nn.PixelUnshuffle(2)(x)), [(1, 3, 4, 6)])
    check(lambda lib, x: lib.nn.ChannelShuffle(3)(x), [(2, 6, 3, 4)])
    check(lambda lib, x: lib.nn.functional.channel_shuffle(x, 2), [(2, 6, 5)])
    for lib in (torch, ember):
        assert repr(lib.nn.PixelShuffle(2)) in ("PixelShuffle(upscale_factor=2)",)
        assert repr(lib.nn.ChannelShuffle(3)) == "ChannelShuffle(groups=3)"


def test_errors():
    F = lambda lib: lib.nn.functional  # noqa: E731
    check_error(lambda lib: F(lib).interpolate(lib.randn(1, 3, 5), scale_factor=2,
                                               mode="bilinear"))
    check_error(lambda lib: F(lib).interpolate(lib.randn(1, 3, 5, 5), size=3, scale_factor=2))
    check_error(lambda lib: F(lib).interpolate(lib.randn(1, 3, 5, 5)))
    check_error(lambda lib: F(lib).interpolate(lib.randn(1, 3, 5, 5), scale_factor=2,
                                               align_corners=True))
    check_error(lambda lib: F(lib).interpolate(lib.randn(1, 3, 5, 5), size=(2, 3, 4)))
    check_error(lambda lib: F(lib).pixel_shuffle(lib.randn(1, 5, 2, 2), 2))
    check_error(lambda lib: F(lib).affine_grid(lib.randn(1, 2, 2), (1, 1, 3, 3),
                                               align_corners=False))
    check_error(lambda lib: F(lib).grid_sample(lib.randn(1, 1, 3, 3), lib.randn(1, 2, 2, 2),
                                               mode="foo"))
