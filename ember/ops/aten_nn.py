"""ATen-level neural-net entry points PyTorch publishes at ``torch.*``: ``convolution``,
``constant_pad_nd``, the ``native_*`` normalizations and dropout (which also return their saved
statistics / mask), the functional RNN cells, the in-place dropout and RReLU forms, and a few
thin adapters (``conv_tbc``, ``grid_sampler``, ``norm_except_dim`` ...).

They route to the ops behind ``torch.nn.functional`` so that values and gradients are the same
as the layers'; the extra statistics are computed on arrays (PyTorch does not differentiate
them either).
"""
import numpy as np

from ..autograd.grad_mode import state
from ._util import attach, wrap, wrap_dim


def _F():
    from ..nn import functional
    return functional


def _like(x, ref):
    t = wrap(np.ascontiguousarray(x))
    return t if ref.is_cpu else t.to(ref.device)


def _stat_dtype(d):
    # PyTorch keeps float32 statistics for half / bfloat16 inputs.
    return d.dtype if d.dtype.itemsize >= 4 else np.dtype(np.float32)


# ---------------------------------------------------------------- convolution / padding
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """ATen's generic convolution: picks ``conv{1,2,3}d`` or ``conv_transpose{1,2,3}d`` from
    the weight's number of spatial dimensions and ``transposed``."""
    nd = weight.ndim - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a weight with 3, 4 or 5 dimensions, but got "
                           f"weight of size {list(weight.shape)}")
    F = _F()
    if transposed:
        fn = getattr(F, f"conv_transpose{nd}d")
        return fn(input, weight, bias, tuple(stride), tuple(padding), tuple(output_padding),
                  groups, tuple(dilation))
    fn = getattr(F, f"conv{nd}d")
    return fn(input, weight, bias, tuple(stride), tuple(padding), tuple(dilation), groups)


def conv_tbc(input, weight, bias, pad=0):
    """Time-batch-channel 1-D convolution: ``input`` (T, B, C_in), ``weight`` (K, C_in,
    C_out), ``bias`` (C_out) -> (T', B, C_out)."""
    if input.ndim != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.ndim != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, "
                           "out_channels.")
    if bias.ndim != 1:
        raise RuntimeError("Bias must be 1-D")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    out = _F().conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


def constant_pad_nd(input, pad, value=0):
    """Pad the last ``len(pad) // 2`` dimensions with ``value`` (negative pads crop)."""
    return _F().pad(input, tuple(pad), "constant", value)


_INTERP = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_PADDING = {0: "zeros", 1: "border", 2: "reflection"}


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """ATen ``grid_sampler`` (integer modes: 0 bilinear / 1 nearest / 2 bicubic; padding
    0 zeros / 1 border / 2 reflection)."""
    return _F().grid_sample(input, grid, _INTERP[int(interpolation_mode)],
                            _PADDING[int(padding_mode)], bool(align_corners))


def affine_grid_generator(theta, size, align_corners):
    return _F().affine_grid(theta, list(size), align_corners=bool(align_corners))


def native_channel_shuffle(input, groups):
    return _F().channel_shuffle(input, groups)


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm over every dimension but ``dim`` (kept, size 1 elsewhere);
    ``dim=-1`` means the norm of the whole tensor. Used by weight normalization."""
    from .linalg import vector_norm
    if dim == -1:
        return vector_norm(v, pow)
    d = wrap_dim(dim, v.ndim)
    others = tuple(i for i in range(v.ndim) if i != d)
    return vector_norm(v, pow, others, keepdim=True)


# ---------------------------------------------------------------- native normalizations
def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``(output, mean, rstd)``: layer norm plus the per-row mean and ``1/sqrt(var + eps)``
    (shaped like the input with the normalized dimensions kept as 1)."""
    normalized_shape = tuple(normalized_shape)
    out = _F().layer_norm(input, normalized_shape, weight, bias, eps)
    k = len(normalized_shape)
    d = input._data
    axes = tuple(range(d.ndim - k, d.ndim))
    sd = _stat_dtype(d)
    x = d.astype(sd, copy=False)
    mean = x.mean(axis=axes, keepdims=True, dtype=sd)
    var = x.var(axis=axes, keepdims=True, dtype=sd)
    rstd = (1 / np.sqrt(var + sd.type(eps))).astype(sd, copy=False)
    return out, _like(mean, input), _like(rstd, input)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum,
                      eps):
    """``(output, save_mean, save_invstd)``: batch norm plus, in training, the batch mean and
    ``1/sqrt(biased_var + eps)`` per channel (empty tensors in evaluation)."""
    out = _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                          eps)
    d = input._data
    sd = _stat_dtype(d)
    if not training:
        empty = np.zeros(0, sd)
        return out, _like(empty, input), _like(empty.copy(), input)
    axes = (0,) + tuple(range(2, d.ndim))
    x = d.astype(sd, copy=False)
    mean = x.mean(axis=axes, dtype=sd)
    var = x.var(axis=axes, dtype=sd)
    invstd = (1 / np.sqrt(var + sd.type(eps))).astype(sd, copy=False)
    return out, _like(mean, input), _like(invstd, input)


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """``(output, mean, rstd)`` with ``mean`` and ``rstd`` shaped ``(N, group)``; unlike
    layer and batch norm, PyTorch differentiates these statistics, so they are Tensor ops."""
    out = _F().group_norm(input, group, weight, bias, eps)
    xr = input.reshape(N, group, -1)
    mean = xr.mean(-1)
    rstd = (xr.var(-1, unbiased=False) + eps).rsqrt()
    return out, mean, rstd


def native_dropout(input, p, train):
    """``(output, mask)``: dropout that also returns the boolean keep-mask. ``train=None``
    counts as training; in evaluation the output equals the input and the mask is all True."""
    from .dropout import NativeDropoutBackward0, _keep_mask
    d = input._data
    xp = np if type(d) is np.ndarray else input.xp
    if train is None or train:
        keep = _keep_mask(d, p, False, None) if p < 1 else xp.zeros(d.shape, bool)
        scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
        m = keep * xp.asarray(scale, dtype=d.dtype)
    else:
        keep = xp.ones(d.shape, bool)
        m = xp.ones(d.shape, d.dtype)
    res = wrap(xp.asarray(d * m))
    if state.enabled and input._requires_grad:
        node = NativeDropoutBackward0()
        node._mask = m
        attach(res, node, (input,))
    return res, wrap(keep)


# ---------------------------------------------------------------- in-place dropout / rrelu
def _dropout_inplace(input, p, train, feature, alpha):
    from .dropout import dropout_impl
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    out = dropout_impl(input, p, train, True, feature=feature, alpha=alpha)
    return out


def alpha_dropout_(input, p, train):
    return _dropout_inplace(input, p, train, False, True)


def feature_dropout(input, p, train):
    """Drop whole features (one draw per ``(batch, channel)``) and rescale, as ATen's
    ``feature_dropout``: for a 2-D input that is every element."""
    from .dropout import dropout_impl
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return dropout_impl(input, p, train, False, feature=True)


def feature_dropout_(input, p, train):
    return _dropout_inplace(input, p, train, True, False)


def feature_alpha_dropout(input, p, train):
    from .dropout import dropout_impl
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return dropout_impl(input, p, train, False, feature=True, alpha=True)


def feature_alpha_dropout_(input, p, train):
    return _dropout_inplace(input, p, train, True, True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F().rrelu(input, lower, upper, training, inplace=True)


# ---------------------------------------------------------------- functional RNN cells
def _cell(mode, gates, input, hx, cx, w_ih, w_hh, b_ih, b_hh):
    from .rnn import rnn_layer
    wrap_dim(1, input.ndim)  # PyTorch indexes dim 1: a 1-D input raises its IndexError
    if input.ndim != 2:
        raise RuntimeError(f"{mode.lower()}_cell: Expected input to be 2D, got "
                           f"{input.ndim}D instead")
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected "
                           f"{w_ih.shape[1]}")
    hidden = hx.shape[-1]
    if w_ih.shape[0] != gates * hidden:
        raise RuntimeError(f"weight_ih first dim must be {gates} * hidden_size = "
                           f"{gates * hidden}, but got {w_ih.shape[0]}")
    for i, s in enumerate((hx,) if cx is None else (hx, cx)):
        if s.ndim != 2 or s.shape[0] != input.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{i} "
                               f"batch size {s.shape[0] if s.ndim else 0}")
        if s.shape[1] != hidden:
            raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got {s.shape[1]}, "
                               f"expected {hidden}")
    _, h1, c1 = rnn_layer(mode, input.unsqueeze(0), hx, cx, w_ih, w_hh, b_ih, b_hh)
    return h1, c1


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step on a batch: ``hx = (h, c)``; returns ``(h', c')``."""
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    return _cell("LSTM", 4, input, hx[0], hx[1], w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step on a batch; returns ``h'``."""
    return _cell("GRU", 3, input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    return _cell("RNN_TANH", 1, input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step with ReLU."""
    return _cell("RNN_RELU", 1, input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


# ---------------------------------------------------------------- deprecated norms
def _deprecated_norm(old, new):
    import warnings
    warnings.warn(f"at::{old} is deprecated and it is just left for JIT compatibility. It will "
                  f"be removed in a future PyTorch release. Please use `{new}` instead.",
                  UserWarning, stacklevel=3)


def frobenius_norm(input, dim=(-2, -1), keepdim=False, *, out=None):
    """Deprecated: ``linalg.vector_norm(input, 2, dim, keepdim)``."""
    from .linalg import vector_norm
    _deprecated_norm("frobenius_norm", "linalg.vector_norm(A, 2., dim, keepdim)")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dims)} dimensions "
                           f"instead.")
    res = vector_norm(input, 2, dims, keepdim)
    return res if out is None else out.copy_(res)


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """Deprecated: ``linalg.matrix_norm(input, 'nuc', dim, keepdim)``; ``nuclear_norm(input,
    keepdim)`` reduces the last two dimensions."""
    from .linalg import matrix_norm
    _deprecated_norm("nuclear_norm", "linalg.matrix_norm(A, 'nuc', dim, keepdim)")
    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    if dim is None:
        dim = (-2, -1)
    res = matrix_norm(input, "nuc", tuple(dim), keepdim)
    return res if out is None else out.copy_(res)
