"""Winograd F(2x2, 3x3) convolutions (backends/winograd.py) against the torch oracle.

The path serves float32 3x3 stride-1 convolutions with at least 16 channels in and out when
the native kernels are built; each case asserts it was taken, then compares the output and the
input, weight and bias gradients with torch's.
"""
import numpy as np
import pytest

from oracle import check, ember, torch
from ember.backends import native as NK
from ember.backends import winograd as WG
from ember.ops.conv import Geometry

pytest.importorskip("ember.backends._native_winograd")

CASES = [
    ((2, 16, 8, 8), 16, dict(padding=1)),
    ((3, 16, 7, 9), 24, dict(padding=1)),            # odd sizes: partial tiles
    ((2, 16, 6, 5), 16, dict(padding=0)),
    ((1, 16, 5, 6), 20, dict(padding=2)),
    ((2, 16, 4, 7), 16, dict(padding="same")),
    ((1, 32, 1, 1), 16, dict(padding=1)),            # a single, partial tile
    ((2, 16, 3, 2), 16, dict(padding=(1, 2))),
]


@pytest.fixture(autouse=True)
def native_on(monkeypatch):
    monkeypatch.setattr(NK, "ENABLED", True)


def _geo(xs, o, pads):
    out = tuple(s + 2 * p - 2 for s, p in zip(xs[2:], pads))
    return Geometry((3, 3), (1, 1), tuple((p, p) for p in pads), (1, 1), 1, xs[2:], out)


@pytest.mark.parametrize("xs,o,kw", CASES)
def test_conv2d_winograd_matches_torch(xs, o, kw):
    p = kw["padding"]
    pads = (1, 1) if p == "same" else (p, p) if isinstance(p, int) else p
    x = np.zeros(xs, np.float32)
    w = np.zeros((o, xs[1], 3, 3), np.float32)
    assert WG.applies(x, w, _geo(xs, o, pads))
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kw),
          [xs, (o, xs[1], 3, 3), (o,)], rtol=1e-4, atol=1e-4)


def test_noncontiguous_input_and_no_bias():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1),
          [(2, 16, 6, 10), (16, 16, 3, 3)], noncontig=True, rtol=1e-4, atol=1e-4)


def test_module_training_step_matches_torch():
    """Conv2d -> ReLU -> Conv2d: gradients flow through two Winograd convolutions."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 16, 9, 9)).astype(np.float32)
    results = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Conv2d(16, 32, 3, padding=1), lib.nn.ReLU(),
                              lib.nn.Conv2d(32, 16, 3))
        if lib is ember:   # same weights as torch's
            for pe, pt in zip(m.parameters(), results[0][1]):
                pe.data = ember.tensor(pt)
        xt = lib.tensor(x, requires_grad=True)
        m(xt).square().sum().backward()
        results.append((xt.grad.numpy(), [p.detach().numpy().copy() for p in m.parameters()],
                        [p.grad.numpy() for p in m.parameters()]))
    (gx_t, _, gp_t), (gx_e, _, gp_e) = results
    np.testing.assert_allclose(gx_e, gx_t, rtol=1e-4, atol=1e-3)
    for a, b in zip(gp_e, gp_t):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-3)


def test_not_taken_where_it_does_not_apply():
    x = np.zeros((2, 16, 8, 8), np.float32)
    geo = _geo(x.shape, 16, (1, 1))
    assert not WG.applies(x.astype(np.float64), np.zeros((16, 16, 3, 3)), geo)
    assert not WG.applies(x[:, :8], np.zeros((16, 8, 3, 3), np.float32),
                          _geo((2, 8, 8, 8), 16, (1, 1)))        # too few channels
    strided = Geometry((3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1), 1, (8, 8), (4, 4))
    assert not WG.applies(x, np.zeros((16, 16, 3, 3), np.float32), strided)


def test_double_backward_still_matches_torch():
    """create_graph=True takes the differentiable (im2col) formulation of the backward."""
    def fn(lib, x, w):
        y = lib.nn.functional.conv2d(x, w, padding=1)
        (gx,) = lib.autograd.grad(y.square().sum(), x, create_graph=True)
        return gx
    check(fn, [(1, 16, 4, 4), (16, 16, 3, 3)], rtol=1e-3, atol=1e-3)


def test_transform_kernels_check_their_arguments():
    k = pytest.importorskip("ember.backends._native_winograd")
    x = np.zeros(2 * 16 * 4 * 4, np.float32)
    v = np.empty(2 * 4 * 16 * 16, np.float32)              # 2 images x 2x2 tiles
    k.input_transform(x, v, 2, 16, 4, 4, 1, 1, 2, 2)
    with pytest.raises(ValueError):                        # v one tile short
        k.input_transform(x, v[:-16], 2, 16, 4, 4, 1, 1, 2, 2)
    with pytest.raises(ValueError):                        # padding beyond the buffer
        k.input_transform(x, v, 2, 16, 4, 4, -(2 ** 62), 1, 2, 2)
    with pytest.raises(ValueError):                        # sizes overflow
        k.input_transform(x, v, 2 ** 40, 2 ** 40, 4, 4, 1, 1, 2, 2)
    m = np.zeros(16 * 16 * WG.row_length(8), np.float32)
    y = np.empty(2 * 16 * 4 * 4, np.float32)
    k.output_transform(m, y, np.zeros(16, np.float32), True, 2, 16, 4, 4, 2, 2,
                       WG.row_length(8))
    with pytest.raises(ValueError):                        # tiles must cover the output
        k.output_transform(m, y, np.zeros(16, np.float32), True, 2, 16, 4, 4, 3, 2,
                           WG.row_length(8))
    with pytest.raises(ValueError):                        # rows shorter than the tiles
        k.output_adjoint(y, m, 2, 16, 4, 4, 2, 2, 7)
    with pytest.raises(ValueError):                        # bias shorter than o
        k.output_transform(m, y, np.zeros(15, np.float32), True, 2, 16, 4, 4, 2, 2,
                           WG.row_length(8))
