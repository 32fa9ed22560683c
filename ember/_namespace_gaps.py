"""``torch.*`` names beyond the op library: memory formats and layouts, window functions and
STFT, storages, DLPack, autocast state queries, legacy defaults, ATen-form losses,
``embedding_bag``, ``binomial``, ``gradient`` and the ``*_copy`` view variants. Thin
forwards; the work lives in the modules imported here."""
import warnings

from . import dtypes as _dt
from ._errors import AcceleratorError, OutOfMemoryError  # noqa: F401
from ._formats import (channels_last, channels_last_3d, contiguous_format, jagged,  # noqa: F401
                       layout, memory_format, preserve_format, sparse_bsc, sparse_bsr,
                       sparse_coo, sparse_csc, sparse_csr, strided)
from .amp.autocast_mode import (autocast_decrement_nesting,  # noqa: F401
                                autocast_increment_nesting, clear_autocast_cache,
                                get_autocast_dtype, is_autocast_cache_enabled,
                                is_autocast_enabled, set_autocast_cache_enabled,
                                set_autocast_dtype, set_autocast_enabled)
from .amp.grad_scaler import GradScaler  # noqa: F401
from .ops.gradient import gradient  # noqa: F401
from .ops.igamma import igamma, igammac  # noqa: F401
from .ops.spectral import istft, stft  # noqa: F401
from .ops.window import (bartlett_window, blackman_window, hamming_window,  # noqa: F401
                         hann_window, kaiser_window)
from .storage import LEGACY as _LEGACY_STORAGES
from .storage import TypedStorage, UntypedStorage, is_storage  # noqa: F401
from .utils.dlpack import from_dlpack  # noqa: F401

globals().update(_LEGACY_STORAGES)  # torch.FloatStorage, torch.LongStorage ...

# Build facts, truthful for Ember: LAPACK and FFT through NumPy; no MKL / OpenMP of its own.
has_lapack = True
has_spectral = True
has_mkl = False
has_openmp = False


# ---------------------------------------------------------------- autocast (legacy names)
def _deprecated(old, new):
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled():
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def set_autocast_cpu_enabled(enabled):
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype():
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype):
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype():
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


def set_autocast_gpu_dtype(dtype):
    _deprecated("set_autocast_gpu_dtype(dtype)", "set_autocast_dtype('cuda', dtype)")
    set_autocast_dtype("cuda", dtype)


def clone(input, *, memory_format=None):
    """A copy of ``input`` (with autograd); ``memory_format`` as ``Tensor.clone``."""
    return input.clone(memory_format=memory_format)


# ---------------------------------------------------------------- defaults and small queries
def set_default_tensor_type(t):
    """Deprecated: set the default floating dtype (and device, for ``torch.cuda.*Tensor``)
    from a legacy tensor type or its name."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please "
                  "use torch.set_default_dtype() and torch.set_default_device() as "
                  "alternatives.", UserWarning, stacklevel=2)
    from .tensor import _LEGACY_TYPES
    if isinstance(t, str):
        name = t
        dtype = _LEGACY_TYPES.get(t.split(".")[-1])
        if dtype is None:
            raise TypeError(f"invalid type: '{t}'")
    else:
        dtype = getattr(t, "_legacy_dtype", None)
        name = "torch." + getattr(t, "__name__", "")
        if dtype is None:
            raise TypeError(f"invalid type: '{t}'")
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dt.set_default_dtype(dtype)
    if name.startswith("torch.cuda."):
        from ._settings import set_default_device
        set_default_device("cuda")


def set_flush_denormal(mode):
    """Returns False: NumPy gives no control over the CPU's flush-to-zero mode, so denormals
    are kept (PyTorch's answer on hardware without the feature)."""
    return False


def is_inference(input):
    """Whether ``input`` is an inference tensor (see ``Tensor.is_inference``)."""
    return input.is_inference()


def get_device(input):
    """The CUDA device index of ``input``, -1 for CPU tensors."""
    return input.get_device()


def init_num_threads():
    """Ember's thread pools (BLAS) are process-wide and need no per-thread setup."""
    return None


def binomial(count, prob, generator=None):
    """Samples of Binomial(``count``, ``prob``), elementwise, in ``count``'s dtype."""
    import numpy as np
    from .ops.creation import _finish
    from .random import _gen
    if not count.is_floating_point() or not prob.is_floating_point():
        raise RuntimeError(f"binomial only supports floating-point dtypes for count, got: "
                           f"{count.dtype}")
    c, p = np.broadcast_arrays(count._host(), prob._host())
    draws = _gen(generator).binomial(c.astype(np.int64), np.clip(p, 0.0, 1.0))
    return _finish(draws.astype(count._data.dtype), count.device, False)


def unsafe_chunk(input, chunks, dim=0):
    return input.unsafe_chunk(chunks, dim)


def unsafe_split(tensor, split_size_or_sections, dim=0):
    return tensor.unsafe_split(split_size_or_sections, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return input.unsafe_split_with_sizes(split_sizes, dim)


# ---------------------------------------------------------------- ATen-form losses
_RED = {0: "none", 1: "mean", 2: "sum"}


def _F():
    from .nn import functional
    return functional


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F().cosine_embedding_loss(input1, input2, target, margin,
                                      reduction=_RED.get(reduction, reduction))


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=1):
    return _F().margin_ranking_loss(input1, input2, target, margin,
                                    reduction=_RED.get(reduction, reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        reduction=1):
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_RED.get(reduction, reduction))


def hinge_embedding_loss(input, target, margin=1.0, reduction=1):
    return _F().hinge_embedding_loss(input, target, margin,
                                     reduction=_RED.get(reduction, reduction))


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps,
                                 reduction=_RED.get(reduction, reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=1,
             zero_infinity=False):
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                         _RED.get(reduction, reduction), zero_infinity)


_BAG_MODES = {0: "sum", 1: "mean", 2: "max"}


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """ATen ``embedding_bag``: ``(output, offset2bag, bag_size, max_indices)`` for 1-D
    ``indices`` split into bags at ``offsets``."""
    import numpy as np
    from .ops._util import wrap
    out = _F().embedding_bag(indices, weight, offsets, scale_grad_by_freq=scale_grad_by_freq,
                             mode=_BAG_MODES.get(mode, mode), sparse=sparse,
                             per_sample_weights=per_sample_weights,
                             include_last_offset=include_last_offset, padding_idx=padding_idx)
    idx = indices._host().astype(np.int64)
    off = offsets._host().astype(np.int64)
    nbags = out.shape[0]
    starts = off[:nbags]
    bag_of = np.searchsorted(starts, np.arange(idx.size), side="right") - 1
    counts = np.bincount(bag_of, minlength=nbags)[:nbags].astype(np.int64)
    if mode == 0:
        # PyTorch's sum path leaves the bookkeeping outputs empty / zero.
        extra = (np.zeros(0, np.int64), np.zeros(nbags, np.int64), np.zeros(nbags, np.int64))
    elif mode == 1:
        extra = (bag_of, counts, counts.copy())
    else:
        w = weight._host()
        maxi = np.zeros((nbags, w.shape[1]), np.int64)
        for b in np.nonzero(counts)[0]:  # one argmax per bag (bags are few)
            rows = idx[bag_of == b]
            maxi[b] = rows[np.argmax(w[rows], axis=0)]
        extra = (bag_of, counts, maxi)
    extra = tuple(wrap(e) for e in extra)
    if not out.is_cpu:
        extra = tuple(e.to(out.device) for e in extra)
    return (out,) + extra


# ---------------------------------------------------------------- *_copy view variants
def _copy_of(view_fn, name):
    def f(input, *args, **kwargs):
        res = view_fn(input, *args, **kwargs)
        if isinstance(res, (tuple, list)):
            return tuple(r.clone(memory_format=contiguous_format) for r in res)
        return res.clone(memory_format=contiguous_format)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"``torch.{name}``: like the view op, but returns a new contiguous tensor."
    return f


view_copy = _copy_of(lambda x, *size: x.view(*size), "view_copy")
permute_copy = _copy_of(lambda x, dims: x.permute(dims), "permute_copy")
transpose_copy = _copy_of(lambda x, dim0, dim1: x.transpose(dim0, dim1), "transpose_copy")
expand_copy = _copy_of(lambda x, size, *, implicit=False: x.expand(size), "expand_copy")
squeeze_copy = _copy_of(lambda x, dim=None: x.squeeze() if dim is None else x.squeeze(dim),
                        "squeeze_copy")
unsqueeze_copy = _copy_of(lambda x, dim: x.unsqueeze(dim), "unsqueeze_copy")
select_copy = _copy_of(lambda x, dim, index: x.select(dim, index), "select_copy")
t_copy = _copy_of(lambda x: x.t(), "t_copy")
diagonal_copy = _copy_of(lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2),
                         "diagonal_copy")
detach_copy = _copy_of(lambda x: x.detach(), "detach_copy")
alias_copy = _copy_of(lambda x: x.view_as(x), "alias_copy")
narrow_copy = _copy_of(lambda x, dim, start, length: x.narrow(dim, start, length),
                       "narrow_copy")
split_copy = _copy_of(lambda x, split_size, dim=0: x.split(split_size, dim), "split_copy")
split_with_sizes_copy = _copy_of(lambda x, split_sizes, dim=0: x.split_with_sizes(
    split_sizes, dim), "split_with_sizes_copy")
unbind_copy = _copy_of(lambda x, dim=0: x.unbind(dim), "unbind_copy")
as_strided_copy = _copy_of(lambda x, size, stride, storage_offset=None: x.as_strided(
    size, stride, storage_offset), "as_strided_copy")
unfold_copy = _copy_of(lambda x, dimension, size, step: x.unfold(dimension, size, step),
                       "unfold_copy")
view_as_real_copy = _copy_of(lambda x: _cx().view_as_real(x), "view_as_real_copy")
view_as_complex_copy = _copy_of(lambda x: _cx().view_as_complex(x), "view_as_complex_copy")


def slice_copy(input, dim=0, start=None, end=None, step=1):
    """``torch.slice_copy``: ``input[..., start:end:step, ...]`` along ``dim``, copied."""
    d = dim + input.ndim if dim < 0 else dim
    key = (slice(None),) * d + (slice(start, end, step),)
    return input[key].clone(memory_format=contiguous_format)


# ---------------------------------------------------------------- ATen / op-library gaps
from .ops.aten_nn import (affine_grid_generator, alpha_dropout_, constant_pad_nd,  # noqa: F401,E402
                          conv_tbc, convolution, feature_alpha_dropout,
                          feature_alpha_dropout_, feature_dropout, feature_dropout_,
                          frobenius_norm, grid_sampler, gru_cell, lstm_cell,
                          native_batch_norm, native_channel_shuffle, native_dropout,
                          native_group_norm, native_layer_norm, norm_except_dim,
                          nuclear_norm, rnn_relu_cell, rnn_tanh_cell, rrelu_)
from .ops.histogramdd import histogramdd  # noqa: F401,E402
from .ops.householder import geqrf, orgqr, ormqr  # noqa: F401,E402
from .ops.lowrank import pca_lowrank, svd_lowrank  # noqa: F401,E402
from .ops.segment import segment_reduce  # noqa: F401,E402
from .ops.strided import as_strided_scatter, empty_permuted  # noqa: F401,E402

grid_sampler_2d = grid_sampler
grid_sampler_3d = grid_sampler


def _method(name, doc=None):
    def f(input, *args, **kwargs):
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc or f"``torch.{name}(input, ...)``: same as ``input.{name}(...)``."
    return f


put = _method("put")
split_with_sizes = _method("split_with_sizes")
is_conj = _method("is_conj")
is_neg = _method("is_neg")
resolve_neg = _method("resolve_neg")
conj_physical_ = _method("conj_physical_")
nonzero_static = _method("nonzero_static")
addmv_ = _method("addmv_")
as_strided_ = _method("as_strided_")
resize_as_ = _method("resize_as_")


def _removed(name, advice):
    def f(*args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed. "
                           f"{advice}")
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Removed from PyTorch in 1.9: raises RuntimeError ({advice})"
    return f


lstsq = _removed("lstsq", "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.")
solve = _removed("solve", "`torch.solve` is deprecated in favor of `torch.linalg.solve`.")
eig = _removed("eig", "Use `torch.linalg.eig` or `torch.linalg.eigvals` instead.")
symeig = _removed("symeig", "Use `torch.linalg.eigh` or `torch.linalg.eigvalsh` instead.")
matrix_rank = _removed("matrix_rank", "Please use the `torch.linalg.matrix_rank` function "
                                      "instead.")


def _cx():
    from .ops import complex as cx
    return cx


__all__ = [n for n in dir() if not n.startswith("_") and n not in ("warnings",)]
