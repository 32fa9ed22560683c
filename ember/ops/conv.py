"""N-d convolution (1d/2d/3d), transposed convolution, unfold and fold.

Three array primitives carry everything, each the adjoint of the others' arguments:

    F(x, w) = conv(x, w)                 forward convolution
    I(g, w) = d<F(x, w), g>/dx           input gradient  == transposed convolution
    W(x, g) = d<F(x, w), g>/dw           weight gradient

Each is a differentiable op whose backward calls the other two, so the graph is closed under
differentiation (double backward works) while a plain backward runs as array code: im2col as
a strided view + one GEMM per group, col2im as one strided add per kernel offset.
"""
import numpy as np

from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ..backends import cpu_kernels as K
from ..backends import winograd as WG
from ..backends.gemm import bmm
from ._util import attach, wrap


class Geometry:
    """Shapes of one convolution: the conv that maps ``inp`` spatial sizes to ``out``."""

    __slots__ = ("kernel", "stride", "pads", "dilation", "groups", "inp", "out")

    def __init__(self, kernel, stride, pads, dilation, groups, inp, out):
        self.kernel = tuple(kernel)
        self.stride = tuple(stride)
        self.pads = tuple(pads)
        self.dilation = tuple(dilation)
        self.groups = groups
        self.inp = tuple(inp)
        self.out = tuple(out)

    def full(self, n, c):
        return (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(self.inp, self.pads))


# ---------------------------------------------------------------- array primitives
# Ungrouped convolutions use per-sample columns (N, C*K, L): every product is a stacked GEMM
# that reads and writes NCHW arrays as they are. Grouped ones use the (C*K, N*L) layout, one
# 2-D GEMM per group (see cpu_kernels.py).
def cols_of(x, geo):
    if geo.groups == 1:
        return K.im2col_ps(x, geo)
    xp = K.pad_zeros(x, geo.pads)
    return K.im2col(xp, geo.kernel, geo.stride, geo.dilation, geo.out)


def fwd_array(x, w, geo, cols=None):
    """conv(x, w): x (N, C, *inp), w (O, C/G, *k) -> (N, O, *out)."""
    if cols is None:
        cols = cols_of(x, geo)
    n = x.shape[0]
    o = w.shape[0]
    g = geo.groups
    if g == 1:
        y = bmm(w.reshape(o, -1), cols)
        return y.reshape((n, o) + geo.out)
    w2 = w.reshape(g, o // g, -1)
    y = K.xp_of(cols).matmul(w2, cols.reshape(g, w2.shape[2], -1))
    return K.from_groups_rows(y, n, geo.out)


def input_array(g, w, geo, n, c):
    """I(g, w) for g (N, O, *out): the input gradient (N, C, *inp)."""
    grp = geo.groups
    o = w.shape[0]
    xp = K.xp_of(g)
    if grp == 1:
        gc = bmm(w.reshape(o, -1).T, g.reshape(n, o, -1))
        return K.col2im_ps(gc, geo, n, c)
    g2 = K.to_groups_rows(g, grp)
    wt = w.reshape(grp, o // grp, -1).transpose(0, 2, 1)
    gc = xp.matmul(wt, g2)
    full = K.col2im(gc, geo.full(n, c), geo.kernel, geo.stride, geo.dilation, geo.out)
    return K.crop(full, geo.pads, (n, c) + geo.inp)


def weight_array(cols, g, wshape, geo):
    """W(x, g) from x's columns (``cols_of``) and g (N, O, *out): the weight gradient."""
    grp = geo.groups
    xp = K.xp_of(g)
    n, o = g.shape[:2]
    if grp == 1:
        g3 = g.reshape(n, o, -1)
        if n == 1:
            return (g3[0] @ cols[0].T).reshape(wshape)
        per = xp.matmul(g3, cols.transpose(0, 2, 1))  # (N, O, C*K): one GEMM per sample
        return (xp.ones(n, dtype=g.dtype) @ per.reshape(n, -1)).reshape(wshape)
    g2 = K.to_groups_rows(g, grp)
    c2 = cols.reshape(grp, -1, cols.shape[-1])
    return xp.matmul(g2, c2.transpose(0, 2, 1)).reshape(wshape)


def bias_array(g):
    """Sum of g (N, O, *out) over batch and space, as two BLAS products with ones."""
    xp = K.xp_of(g)
    n, o = g.shape[:2]
    r = g.reshape(n * o, -1)
    r = r @ xp.ones(r.shape[1], dtype=g.dtype)
    return xp.ones(n, dtype=g.dtype) @ r.reshape(n, o)


# ---------------------------------------------------------------- differentiable ops
class ConvolutionBackward0(Node):
    """Backward of F(x, w) + b and of the transposed form I(x, w) + b."""

    __slots__ = ("_geo", "_transposed", "_cols", "_wino", "_has_bias")

    def _release_extra(self):
        self._cols = None
        self._wino = None

    def backward(self, g):
        x, w = self.saved_tensors
        geo = self._geo
        nx, nw, nb = self._next
        gx = gw = gb = None
        if self._transposed:
            # y = I(x, w): x plays the conv's output, y its input.
            if nx is not None:
                gx = conv_forward(g, w, geo)
            if nw is not None:
                gw = conv_weight(g, x, w.shape, geo)
            if nb is not None and self._has_bias:
                gb = _bias_grad(g)
            return gx, gw, gb
        if state.enabled:  # create_graph: differentiable formulation
            if nx is not None:
                gx = conv_input(g, w, x.shape, geo)
            if nw is not None:
                gw = conv_weight(x, g, w.shape, geo)
            if nb is not None and self._has_bias:
                gb = _bias_grad(g)
            return gx, gw, gb
        gd = g._data
        wino = gd.dtype == np.float32 and WG.applies(x._data, w._data, geo)
        if nx is not None:
            gx = wrap(WG.input_grad(gd, w._data, geo) if wino else
                      input_array(gd, w._data, geo, x.shape[0], x.shape[1]))
        if nw is not None:
            if wino:
                v = self._wino if self._wino is not None else WG.transform(x._data, geo)
                gw = wrap(WG.weight_grad(gd, v, geo))
            else:
                cols = self._cols if self._cols is not None else cols_of(x._data, geo)
                gw = wrap(weight_array(cols, gd, w.shape, geo))
        if nb is not None and self._has_bias:
            gb = wrap(bias_array(gd))
        return gx, gw, gb


class ConvInputBackward(Node):
    """Backward of I(g, w): d/dg = F(h, w), d/dw = W(h, g)."""

    __slots__ = ("_geo",)

    def backward(self, h):
        g, w = self.saved_tensors
        gg = conv_forward(h, w, self._geo) if self._next[0] is not None else None
        gw = conv_weight(h, g, w.shape, self._geo) if self._next[1] is not None else None
        return gg, gw


class ConvWeightBackward(Node):
    """Backward of W(x, g): d/dx = I(g, k), d/dg = F(x, k)."""

    __slots__ = ("_geo",)

    def backward(self, k):
        x, g = self.saved_tensors
        gx = conv_input(g, k, x.shape, self._geo) if self._next[0] is not None else None
        gg = conv_forward(x, k, self._geo) if self._next[1] is not None else None
        return gx, gg


def _bias_grad(g):
    dims = (0,) + tuple(range(2, g.ndim))
    return g.sum(dim=dims)


def _add_bias(y, b):
    if b is not None:
        y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
    return y


def conv_forward(x, w, geo, bias=None):
    """F(x, w) + bias as a graph op (x batched: (N, C, *inp))."""
    need = state.enabled and (x._requires_grad or w._requires_grad or
                              (bias is not None and bias._requires_grad))
    xd, wd = x._data, w._data
    bd = None if bias is None else bias._data
    cols = v = None
    if WG.applies(xd, wd, geo):
        y, v = WG.forward(xd, wd, geo, bd)
    else:
        cols = cols_of(xd, geo)
        y = _add_bias(fwd_array(xd, wd, geo, cols), bd)
    out = wrap(y)
    if need:
        node = ConvolutionBackward0()
        node._geo = geo
        node._transposed = False
        node._has_bias = bias is not None
        # Keep the columns (or Winograd's transformed input) for the weight gradient:
        # recomputing them costs a full pass over the input.
        node._cols = cols if w._requires_grad else None
        node._wino = v if w._requires_grad else None
        node.save_for_backward(x, w)
        attach(out, node, (x, w, bias))
    return out


def conv_input(g, w, xshape, geo, bias=None, transposed=False):
    """I(g, w) (+ bias): the transposed convolution; g is (N, O, *out)."""
    n, c = xshape[0], xshape[1]
    y = _add_bias(input_array(g._data, w._data, geo, n, c), None if bias is None else bias._data)
    if y.base is not None and not y.flags.c_contiguous:
        y = np.ascontiguousarray(y) if type(y) is np.ndarray else K.xp_of(y).ascontiguousarray(y)
    out = wrap(y)
    if state.enabled and (g._requires_grad or w._requires_grad or
                          (bias is not None and bias._requires_grad)):
        if transposed:
            node = ConvolutionBackward0()
            node._transposed = True
            node._cols = None
            node._wino = None
            node._has_bias = bias is not None
            inputs = (g, w, bias)
        else:
            node = ConvInputBackward()
            inputs = (g, w)
        node._geo = geo
        node.save_for_backward(g, w)
        attach(out, node, inputs)
    return out


def conv_weight(x, g, wshape, geo):
    """W(x, g): the weight gradient of F as a graph op."""
    out = wrap(weight_array(cols_of(x._data, geo), g._data, tuple(wshape), geo))
    if state.enabled and (x._requires_grad or g._requires_grad):
        node = ConvWeightBackward()
        node._geo = geo
        node.save_for_backward(x, g)
        attach(out, node, (x, g))
    return out


# ---------------------------------------------------------------- unfold / fold
class Im2ColBackward0(Node):
    __slots__ = ("_geo", "_c")

    def backward(self, g):
        return fold_op(g, self._geo, self._c)


class Col2ImBackward0(Node):
    __slots__ = ("_geo",)

    def backward(self, g):
        return unfold_op(g, self._geo)


def unfold_op(x, geo):
    """(N, C, *S) -> (N, C * prod(k), L): the sliding blocks, as torch.nn.functional.unfold."""
    d = x._data
    c = d.shape[1]
    y = K.im2col_ps(d, geo)
    out = wrap(y)
    if state.enabled and x._requires_grad:
        node = Im2ColBackward0()
        node._geo = geo
        node._c = c
        attach(out, node, (x,))
    return out


def fold_op(x, geo, c):
    """(N, C * prod(k), L) -> (N, C, *S): sums overlapping blocks, as F.fold."""
    d = x._data
    y = K.col2im_ps(d, geo, d.shape[0], c)
    out = wrap(K.xp_of(y).ascontiguousarray(y))
    if state.enabled and x._requires_grad:
        node = Col2ImBackward0()
        node._geo = geo
        attach(out, node, (x,))
    return out
