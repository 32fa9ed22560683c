"""Winograd F(2x2, 3x3) for 3x3, stride-1 2-D convolutions (Lavin & Gray, 2016).

Each 2x2 output tile is ``A^T [ sum_c (G g G^T) * (B^T d B) ] A`` for the 4x4 input patch d
it reads: 16 products per tile and channel pair instead of im2col's 36, so the three GEMM
passes of a training step (forward, input gradient, weight gradient) do 2.25x fewer
multiply-adds. The transforms are memory-bound passes done by native kernels
(``csrc/winograd.c``); the products are 16 GEMMs ``U[i] (O, C) @ V[i]^T (C, tiles)``.

The three passes, each exact in exact arithmetic:
- forward: M = U @ V with U = G g G^T, V = B^T d B; y = A^T M A;
- input gradient: the same forward with the kernel flipped and its channels swapped
  (a stride-1 correlation's adjoint), padding 2 - pad;
- weight gradient: dU = (A dy A^T) @ V^T over tiles, then dw = G^T dU G.
The transform matrices hold only 0, +-1 and +-1/2, so rounding stays at the level of a
float32 GEMM (checked against torch in tests/nn/test_winograd.py).

Used for float32 NumPy arrays when the native kernels are built and enabled, groups == 1, and
both channel counts reach ``MIN_CHANNELS`` (below it the GEMMs are too thin to gain);
``applies`` decides.
"""
import numpy as np

from . import native as NK
from .gemm import mm

MIN_CHANNELS = 16

# G (4x3) of F(2x2, 3x3): U = G g G^T, i.e. vec(U) = (G kron G) vec(g) for row-major vecs.
_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], np.float32)
_GG = np.kron(_G, _G)                                # (16, 9)

def _kernels():
    """The transforms (``_native_winograd``), or None when not built or disabled."""
    return NK.module("winograd")


def applies(x, w, geo):
    """True when the Winograd path serves conv(x, w) with this geometry."""
    if (geo.kernel != (3, 3) or geo.stride != (1, 1) or geo.dilation != (1, 1)
            or geo.groups != 1):
        return False
    if w.shape[0] < MIN_CHANNELS or w.shape[1] < MIN_CHANNELS:
        return False
    (py, py2), (px, px2) = geo.pads
    if max(py, px, py2, px2) > 2 or _kernels() is None:
        return False
    return NK.usable(x, w)


def _tiles(out):
    return (out[0] + 1) // 2, (out[1] + 1) // 2


def _weight(w, flip=False):
    """U (16, O, C) = G g G^T for each (o, c) kernel g of w (O, C, 3, 3); with ``flip``,
    U (16, C, O) of the kernels rotated 180 degrees with in/out channels swapped (the input
    gradient's kernel)."""
    o, c = w.shape[:2]
    g9 = w.reshape(o * c, 9)
    u = (g9[:, ::-1] if flip else g9) @ _GG.T          # (O*C, 16)
    u = u.reshape(o, c, 16)
    return np.ascontiguousarray(u.transpose(2, 1, 0) if flip else u.transpose(2, 0, 1))


def _transform_input(x, pads, out):
    """V (16, tiles, C) of x (N, C, H, W) for an output of spatial size ``out`` (a view of
    a (tiles, 16, C) array, the layout the kernel writes fastest)."""
    n, c, h, w = x.shape
    th, tw = _tiles(out)
    v = np.empty((n * th * tw, 16, c), np.float32)
    _kernels().input_transform(x.reshape(-1), v.reshape(-1), n, c, h, w, pads[0], pads[1],
                               th, tw)
    return v.transpose(1, 0, 2)


def row_length(tiles):
    """Rows of M / dM hold ``tiles`` values padded to an odd number of 64-byte lines, so
    their 16 rows fall in 16 different cache sets."""
    k = -(-tiles // 16)
    return 16 * (k + 1 - k % 2)


def _product(u, v):
    """M (O, 16, tp) = U[i] @ V[i]^T for each transform position i; U (16, O, C)."""
    t = v.shape[1]
    m = np.empty((u.shape[1], 16, row_length(t)), np.float32)
    for i in range(16):
        np.matmul(u[i], v[i].T, out=m[:, i, :t])
    return m


def _transform_output(m, n, out, bias=None):
    o = m.shape[0]
    th, tw = _tiles(out)
    y = np.empty((n, o) + tuple(out), np.float32)
    b = bias if bias is not None else np.empty(1, np.float32)
    _kernels().output_transform(m.reshape(-1), y.reshape(-1), b, bias is not None, n, o,
                                out[0], out[1], th, tw, m.shape[2])
    return y


def transform(x, geo):
    """V of x as ``forward`` keeps it for the weight gradient."""
    return _transform_input(x, (geo.pads[0][0], geo.pads[1][0]), geo.out)


def forward(x, w, geo, bias=None):
    """conv(x, w) (+ bias) for x (N, C, H, W): returns y and V, which the weight gradient
    reuses."""
    v = transform(x, geo)
    m = _product(_weight(w), v)
    # bias: 1-D with the input's dtype (checked by F.conv2d)
    return _transform_output(m, x.shape[0], geo.out,
                             None if bias is None else np.ascontiguousarray(bias)), v


def input_grad(g, w, geo):
    """The input gradient (N, C, H, W) of conv(x, w) for its output gradient g."""
    g = np.ascontiguousarray(g)
    pads = (2 - geo.pads[0][0], 2 - geo.pads[1][0])
    v = _transform_input(g, pads, geo.inp)
    m = _product(_weight(w, flip=True), v)
    return _transform_output(m, g.shape[0], geo.inp)


def weight_grad(g, v, geo):
    """The weight gradient (O, C, 3, 3) from g (N, O, *out) and the forward's V."""
    g = np.ascontiguousarray(g)
    n, o = g.shape[:2]
    th, tw = _tiles(geo.out)
    t = n * th * tw
    dm = np.empty((o, 16, row_length(t)), np.float32)
    _kernels().output_adjoint(g.reshape(-1), dm.reshape(-1), n, o, geo.out[0], geo.out[1],
                              th, tw, dm.shape[2])
    du = np.empty((16, o, v.shape[2]), np.float32)
    for i in range(16):   # dU[i] (O, C) = dM[:, i] (O, tiles) @ V[i] (tiles, C)
        mm(dm[:, i, :t], v[i], out=du[i])
    dw = (du.reshape(16, -1).T @ _GG).reshape(o, v.shape[2], 3, 3)   # G^T dU G
    return dw
