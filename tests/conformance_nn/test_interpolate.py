"""F.interpolate as torchvision-style code calls it: antialias, lanczos, uint8 images, and
PyTorch's argument checks in PyTorch's order."""
import itertools

import numpy as np
import pytest

from oracle import assert_same

import ember
import torch


def _both(fn):
    return fn(ember), fn(torch)


def _err(fn):
    res = []
    for lib in (torch, ember):
        with pytest.raises(Exception) as info:
            fn(lib)
        res.append((type(info.value).__name__, str(info.value)))
    assert res[1] == res[0]


@pytest.mark.parametrize("mode,size,ac", [
    ("bilinear", (3, 3), False), ("bilinear", (16, 5), True), ("bicubic", (4, 11), False),
    ("bicubic", (2, 20), True), ("lanczos", (3, 5), False), ("lanczos", (13, 17), False)])
def test_antialias_forward_backward(mode, size, ac):
    x = np.random.default_rng(0).standard_normal((2, 3, 8, 7)).astype(np.float32)
    g = np.random.default_rng(1).standard_normal((2, 3) + size).astype(np.float32)
    out = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.interpolate(t, size=size, mode=mode, align_corners=ac,
                                          antialias=True)
        y.backward(lib.tensor(g))
        out.append((y, t.grad))
    assert_same(out[0], out[1], 1e-4, 1e-5)


@pytest.mark.parametrize("sf", [0.3, (0.4, 2.5)])
def test_antialias_scale_factor_float64(sf):
    x = np.random.default_rng(2).standard_normal((1, 2, 11, 9))
    e, t = _both(lambda lib: lib.nn.functional.interpolate(
        lib.tensor(x), scale_factor=sf, mode="bicubic", antialias=True))
    assert_same(e, t)


@pytest.mark.parametrize("C,mode,ac,aa,size", list(itertools.product(
    [1, 5], ["bilinear", "bicubic"], [False, True], [False, True],
    [(4, 7), (13, 21), (9, 3)])))
def test_uint8_images_exact(C, mode, ac, aa, size):
    x = np.random.default_rng(C).integers(0, 256, (2, C, 9, 10)).astype(np.uint8)
    e, t = _both(lambda lib: lib.nn.functional.interpolate(
        lib.tensor(x), size=size, mode=mode, align_corners=ac, antialias=aa))
    assert_same(e, t)


def test_uint8_lanczos_and_nearest():
    x = np.random.default_rng(3).integers(0, 256, (1, 3, 9, 10)).astype(np.uint8)
    for kw in (dict(mode="lanczos", antialias=True), dict(mode="nearest"),
               dict(mode="nearest-exact")):
        e, t = _both(lambda lib: lib.nn.functional.interpolate(lib.tensor(x), size=(5, 13),
                                                               **kw))
        assert_same(e, t)


@pytest.mark.parametrize("dt,mode,shape", [
    ("int32", "bilinear", (1, 1, 4, 4)), ("int64", "nearest", (1, 1, 4, 4)),
    ("int8", "nearest-exact", (1, 1, 4, 4)), ("int64", "bicubic", (1, 1, 4, 4)),
    ("uint8", "area", (1, 1, 4, 4)), ("uint8", "linear", (1, 2, 5)),
    ("bool", "nearest", (1, 2, 5)), ("int64", "trilinear", (1, 1, 2, 3, 4))])
def test_integer_dtypes_raise(dt, mode, shape):
    _err(lambda lib: lib.nn.functional.interpolate(lib.ones(shape).to(getattr(lib, dt)),
                                                   scale_factor=2, mode=mode))


def test_half_antialias_raises():
    _err(lambda lib: lib.nn.functional.interpolate(lib.ones(1, 1, 4, 4).half(), size=2,
                                                   mode="bilinear", antialias=True))


X4 = (1, 1, 4, 4)
ERRORS = {
    "float_size": lambda F, lib: F.interpolate(lib.ones(X4), size=(2.5, 3)),
    "float_in_list": lambda F, lib: F.interpolate(lib.ones(X4), size=[2, 3.0]),
    "recompute_with_size": lambda F, lib: F.interpolate(lib.ones(X4), size=2,
                                                        recompute_scale_factor=True),
    "lanczos_no_aa": lambda F, lib: F.interpolate(lib.ones(X4), size=2, mode="lanczos"),
    "lanczos_ac": lambda F, lib: F.interpolate(lib.ones(X4), size=2, mode="lanczos",
                                               antialias=True, align_corners=True),
    "aa_3d": lambda F, lib: F.interpolate(lib.ones(1, 1, 4), size=2, mode="lanczos",
                                          antialias=True),
    "aa_area": lambda F, lib: F.interpolate(lib.ones(X4), size=2, mode="area", antialias=True),
    "aa_linear_4d": lambda F, lib: F.interpolate(lib.ones(X4), size=2, mode="linear",
                                                 antialias=True),
    "size_len_before_mode": lambda F, lib: F.interpolate(lib.ones(X4), size=(2, 3, 4),
                                                         mode="linear"),
    "zero_out_2d": lambda F, lib: F.interpolate(lib.ones(X4), scale_factor=0.1),
    "zero_out_1d": lambda F, lib: F.interpolate(lib.ones(1, 2, 5), scale_factor=0.1),
    "zero_out_3d": lambda F, lib: F.interpolate(lib.ones(1, 2, 3, 4, 5), size=0),
    "bad_mode": lambda F, lib: F.interpolate(lib.ones(X4), size=2, mode="foo"),
    "2d_input": lambda F, lib: F.interpolate(lib.ones(1, 4), size=2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match(name):
    _err(lambda lib: ERRORS[name](lib.nn.functional, lib))
