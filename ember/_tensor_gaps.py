"""Tensor methods PyTorch has beyond the core set: memory formats, storages, legacy
constructors and in-place aliases, ``put``/``map_``, STFT, incomplete gamma, and the device
and layout predicates that are always False on Ember. Bound onto ``Tensor`` at import."""
import warnings

import numpy as np

from . import _formats
from . import storage as _storage
from .ops import elementwise as _ew
from .ops import igamma as _ig
from .ops import linalg as _la
from .autograd.grad_mode import INFERENCE_VC as _INFERENCE_VC
from .ops import shape as _sh
from .ops._util import inplace as _inplace
from .ops._util import wrap as _wrap
from .tensor import Tensor


def new(self, *args, dtype=None, device=None, requires_grad=False):
    """Legacy ``x.new(...)``: like ``torch.Tensor(...)`` with ``x``'s dtype and device."""
    t = Tensor(*args, dtype=dtype or self.dtype, device=device or self.device)
    if requires_grad:
        t.requires_grad_()
    return t


def put(self, index, source, accumulate=False):
    """A copy of ``self`` with ``source`` written at the flat (row-major) ``index``."""
    n = self.numel()
    idx = index.reshape(-1)
    if idx._data.size:
        lo, hi = int(idx._data.min()), int(idx._data.max())
        bad = hi if hi >= n else lo if lo < -n else None
        if bad is not None:
            raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                             f"elements.")
    if idx.numel() != source.numel():
        raise RuntimeError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {idx.numel()}")
    flat = self.reshape(-1)
    return flat.index_put((idx,), source.reshape(-1).to(self.dtype), accumulate) \
        .view(self.shape)


def put_(self, index, source, accumulate=False):
    """In-place :meth:`put`."""
    return _inplace(self, lambda s, i, src: put(s, i, src, accumulate), index, source,
                    saves_self=False)


def map_(self, tensor, callable):
    """``self[i] = callable(self[i], tensor[i])`` for every element (CPU, Python callable)."""
    other = np.broadcast_to(tensor._host(), self._data.shape)
    flat_self = self._host().reshape(-1).tolist()
    vals = [callable(a, b) for a, b in zip(flat_self, other.reshape(-1).tolist())]
    self._data[...] = np.asarray(vals, self._data.dtype).reshape(self._data.shape)
    self._vc[0] += 1
    return self


def map2_(self, x, y, callable):
    """``self[i] = callable(self[i], x[i], y[i])`` for every element."""
    xs = np.broadcast_to(x._host(), self._data.shape).reshape(-1).tolist()
    ys = np.broadcast_to(y._host(), self._data.shape).reshape(-1).tolist()
    vals = [callable(a, b, c) for a, b, c in zip(self._host().reshape(-1).tolist(), xs, ys)]
    self._data[...] = np.asarray(vals, self._data.dtype).reshape(self._data.shape)
    self._vc[0] += 1
    return self


def _resize_to(self, sizes, what):
    warnings.warn(f"non-inplace {what} is deprecated", stacklevel=3)
    numel = 1
    for s in sizes:
        numel *= s
    if numel != self.numel():
        raise RuntimeError(f"Requested resize to {'x'.join(map(str, sizes))} ({numel} elements "
                           f"in total), but the given tensor has a size of "
                           f"{'x'.join(map(str, self.shape))} ({self.numel()} elements). "
                           f"autograd's resize can only change the shape of a given tensor, "
                           f"while preserving the number of elements. ")
    return self.contiguous().view(tuple(sizes))


def resize(self, *sizes):
    """Deprecated out-of-place resize: a reshape that keeps the number of elements."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return _resize_to(self, tuple(int(s) for s in sizes), "resize")


def resize_as(self, tensor):
    return _resize_to(self, tuple(tensor.shape), "resize_as")


def nonzero_static(self, *, size, fill_value=-1):
    """``nonzero()`` padded with ``fill_value`` rows (or truncated) to exactly ``size`` rows."""
    idx = np.argwhere(self._host())
    out = np.full((size, self._data.ndim), fill_value, np.int64)
    k = min(size, idx.shape[0])
    out[:k] = idx[:k]
    res = _wrap(out)
    return res if self.is_cpu else res.to(self.device)


def is_nonzero(self):
    n = self.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(self.item())


def as_subclass(self, cls):
    """A ``cls`` instance sharing this tensor's data and autograd history."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f"as_subclass: expected a subclass of torch.Tensor, got {cls!r}")
    out = _sh.alias(self)
    out.__class__ = cls
    return out


def narrow_copy(self, dim, start, length):
    return _sh.narrow(self, dim, start, length).clone()


def to_dense(self, dtype=None, *, masked_grad=None):
    return self if dtype is None else self.to(dtype)


def _volatile(self):
    warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning,
                  stacklevel=2)
    return False


def _conj_physical_(self):
    if not self.is_complex():
        return self
    return _inplace(self, lambda s: s.conj_physical(), saves_self=False)


def _stft(self, n_fft, hop_length=None, win_length=None, window=None, center=True,
          pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
          align_to_window=None):
    from .ops.spectral import stft
    return stft(self, n_fft, hop_length, win_length, window, center, pad_mode, normalized,
                onesided, return_complex, align_to_window)


def _istft(self, n_fft, hop_length=None, win_length=None, window=None, center=True,
           normalized=False, onesided=None, length=None, return_complex=False):
    from .ops.spectral import istft
    return istft(self, n_fft, hop_length, win_length, window, center, normalized, onesided,
                 length, return_complex)


def _prelu(self, weight):
    from .nn import functional as F
    return F.prelu(self, weight)


def _hardshrink(self, lambd=0.5):
    from .nn import functional as F
    return F.hardshrink(self, lambd)


def _contiguous(self, memory_format=None):
    """``contiguous(memory_format=torch.contiguous_format)``: self when already laid out so."""
    if memory_format is None or memory_format is _formats.contiguous_format:
        return self if self._data.flags.c_contiguous else _sh.clone(self)
    return _formats.contiguous(self, memory_format)


def _clone(self, *, memory_format=None):
    """``clone(memory_format=torch.preserve_format)``."""
    if (memory_format is None or memory_format is _formats.preserve_format) and \
            self._data.flags.c_contiguous:
        return _sh.clone(self)  # the common case, without the layout analysis
    return _formats.clone(self, memory_format=memory_format or _formats.preserve_format)


def _lu(self, pivot=True, get_infos=False):
    """See :func:`torch.lu` (deprecated in favour of ``torch.linalg.lu_factor``)."""
    from .ops.linalg_extra import lu_legacy
    warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / "
                  "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.",
                  UserWarning, stacklevel=2)
    return lu_legacy(self, pivot=pivot, get_infos=get_infos)


def module_load(self, other, assign=False):
    """How ``load_state_dict`` turns the state-dict value ``other`` into this parameter or
    buffer's replacement: ``other.detach()`` when ``assign``, else ``self.copy_(other)``
    detached."""
    if assign:
        return other.detach()
    return self.copy_(other).detach()


def _removed_method(name, advice):
    def f(self, *args, **kwargs):
        raise RuntimeError(f"This function was deprecated since version 1.9 and is now removed. "
                           f"{advice}")
    f.__name__ = name
    return f


def _reinforce(self, reward):
    raise RuntimeError("reinforce() was removed.\nUse torch.distributions instead.\nSee "
                       "https://pytorch.org/docs/main/distributions.html")


def _install():
    T = Tensor
    T.new = new
    T.put = put
    T.put_ = put_
    T.map_ = map_
    T.map2_ = map2_
    T.resize = resize
    T.resize_as = resize_as
    T.nonzero_static = nonzero_static
    T.is_nonzero = is_nonzero
    T.as_subclass = as_subclass
    T.narrow_copy = narrow_copy
    T.unsafe_chunk = _sh.unsafe_chunk
    T.unsafe_split = _sh.unsafe_split
    T.unsafe_split_with_sizes = _sh.unsafe_split_with_sizes
    T.to_dense = to_dense
    T.volatile = property(_volatile)
    T.output_nr = property(lambda s: s._out_nr)
    T.is_inference = lambda s: s._vc is _INFERENCE_VC
    T.is_neg = lambda s: False
    T.record_stream = lambda s, stream: None
    T.const_data_ptr = T.data_ptr
    for name in ("is_mps", "is_xpu", "is_xla", "is_ipu", "is_vulkan", "is_mtia", "is_maia",
                 "is_sparse_csr", "is_hpu"):
        setattr(T, name, False)
    # memory formats and storages
    T.contiguous = _contiguous
    T.clone = _clone
    T.untyped_storage = _storage.untyped_storage
    T.storage = _storage.typed_storage
    T.storage_type = _storage.storage_type
    # in-place aliases and variants
    T.arccosh_ = T.acosh_
    T.arcsinh_ = T.asinh_
    T.arctanh_ = T.atanh_
    T.polygamma_ = _ew._make_inplace(lambda s, n: _ew.polygamma(n, s))
    T.addmv_ = _ew._make_inplace(_la.addmv)
    T.addbmm_ = _ew._make_inplace(_la.addbmm)
    T.addr_ = _ew._make_inplace(_la.addr)
    T.conj_physical_ = _conj_physical_
    T.igamma = _ig.igamma
    T.igammac = _ig.igammac
    T.igamma_ = _ew._make_inplace(_ig.igamma)
    T.igammac_ = _ew._make_inplace(_ig.igammac)
    T.prelu = _prelu
    T.hardshrink = _hardshrink
    T.stft = _stft
    # storage re-pointing, strided construction, legacy LU and load hooks
    from .ops import householder as _hh
    from .ops import strided as _st
    T.set_ = _st.set_
    T.is_set_to = _st.is_set_to
    T.new_empty_strided = _st.new_empty_strided
    T.as_strided_scatter = _st.as_strided_scatter
    T.lu = _lu
    T.module_load = module_load
    T.geqrf = _hh.geqrf
    T.orgqr = _hh.orgqr
    T.ormqr = _hh.ormqr
    T.dense_dim = lambda s: s.ndim  # a strided tensor is all dense dimensions
    T.sparse_dim = lambda s: 0
    T.reinforce = _reinforce
    T.lstsq = _removed_method("lstsq", "`torch.lstsq` is deprecated in favor of "
                                       "`torch.linalg.lstsq`.")
    T.solve = _removed_method("solve", "`torch.solve` is deprecated in favor of "
                                       "`torch.linalg.solve`.")
    T.eig = _removed_method("eig", "Use `torch.linalg.eig` or `torch.linalg.eigvals` instead.")
    T.symeig = _removed_method("symeig", "Use `torch.linalg.eigh` or `torch.linalg.eigvalsh` "
                                         "instead.")
    T.istft = _istft


_install()
