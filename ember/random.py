"""Random number generation: Generator, seeding, and the sampling functions.

Each Generator wraps a NumPy PCG64 bit generator; the same seed gives the same numbers (the
stream differs from PyTorch's, as docs/differences.md says). Floating-point samples are drawn
directly in float32 or float64 (NumPy's ``dtype=`` samplers), never through a float64
temporary for float32 results. Sampling ops are differentiable as PyTorch's are: their
gradient is zero.
"""
import contextlib
import math
import pickle
import time

import numpy as np

from . import dtypes as dt
from .autograd.grad_mode import state
from .autograd.graph import Node
from .device import to_device

_DEFAULT_SEED = 67280421310721  # PyTorch's default seed


class Generator:
    """``torch.Generator``: an independent random stream, passed as ``generator=``.

    Example::

        >>> g = torch.Generator().manual_seed(0)
        >>> torch.rand(2, generator=g)  # same numbers for the same seed
    """

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reseed this generator; returns it."""
        seed = _check_seed(seed)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        """Reseed from a non-deterministic source; returns the new seed."""
        s = (time.time_ns() ^ int.from_bytes(np.random.bytes(8), "little")) & _U64
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The generator state as a uint8 tensor (for ``set_state``)."""
        from .ops.creation import tensor
        raw = pickle.dumps((self._seed, self._rng.bit_generator.state))
        return tensor(list(raw), dtype=dt.uint8)

    def set_state(self, new_state):
        from .tensor import Tensor
        if not isinstance(new_state, Tensor) or new_state.dtype is not dt.uint8:
            raise TypeError("expected a torch.ByteTensor, but got "
                            f"{type(new_state).__name__}")
        try:
            seed, st = _safe_state(bytes(new_state._host().astype(np.uint8).tolist()))
            rng = np.random.Generator(np.random.PCG64())
            rng.bit_generator.state = st
        except Exception:
            raise RuntimeError("Invalid RNG state: not a state from get_state()") from None
        self._seed = seed
        self._rng = rng
        return self

    def clone_state(self):
        g = Generator(self.device)
        g.set_state(self.get_state())
        return g

    def __reduce__(self):
        return (_rebuild_generator, (self._seed, self._rng.bit_generator.state))

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


_U64 = 0xFFFF_FFFF_FFFF_FFFF


def _check_seed(seed):
    seed = int(seed)
    if not -0x8000_0000_0000_0000 <= seed <= _U64:
        raise RuntimeError("Overflow when unpacking long")
    return seed & _U64


def _rebuild_generator(seed, st):
    g = Generator()
    g._seed = seed
    g._rng.bit_generator.state = st
    return g


class _StateUnpickler(pickle.Unpickler):
    def find_class(self, module, name):  # RNG states hold only dicts, ints and strings
        raise pickle.UnpicklingError(f"unexpected global {module}.{name} in an RNG state")


def _safe_state(raw):
    import io
    return _StateUnpickler(io.BytesIO(raw)).load()


default_generator = Generator()


def _gen(generator):
    """The NumPy generator behind ``generator`` (or the default one)."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator._rng


def manual_seed(seed):
    """Seed the default generator (and CUDA's, when in use); returns the default generator."""
    default_generator.manual_seed(seed)
    from . import cuda
    if cuda._initialized():
        cuda.manual_seed_all(seed)
    return default_generator


def seed():
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Context manager: the default generator's state is restored on exit."""
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)


# ---------------------------------------------------------------- dtype checks and helpers
_LEGACY = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half",
           "bfloat16": "BFloat16"}


def _float_dtype(dtype, kernel="check_uniform_bounds"):
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    if d.category != dt.FLOAT:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_LEGACY.get(d.name, d.name)}'")
    return d


def _sample(rng, kind, shape, npd):
    """Uniform [0, 1) or standard-normal samples of dtype npd (float32 stays float32)."""
    if npd == np.float32 or npd == np.float64:
        return rng.random(shape, dtype=npd) if kind == "uniform" else \
            rng.standard_normal(shape, dtype=npd)
    src = rng.random(shape, dtype=np.float32) if kind == "uniform" else \
        rng.standard_normal(shape, dtype=np.float32)
    return src.astype(npd)


def _place(data, device, requires_grad, out=None):
    from .ops.creation import _finish
    t = _finish(data, device, requires_grad)
    if out is not None:
        from .ops.conversion import copy_into_out
        return copy_into_out(out, t)
    return t


def _size(size):
    from .ops.creation import _size as s
    return s(size)


def _sizes(args, size):
    return _size(size if size is not None else args)


class _RandomBackward(Node):
    """Sampling ops: PyTorch defines their gradient as zero for every tensor argument."""

    __slots__ = ("_shapes",)

    def backward(self, g):
        xp = g.xp
        return tuple(None if e is None else g._wrap(xp.zeros(s, dtype=g._data.dtype))
                     for e, s in zip(self._next, self._shapes))


def _node(name):
    return type(name, (_RandomBackward,), {"__slots__": ()})


_NODES = {n: _node(n) for n in (
    "NormalBackward0", "NormalBackward1", "NormalBackward2", "NormalBackward3",
    "BernoulliBackward0", "BernoulliBackward1", "BernoulliBackward2", "UniformBackward0",
    "RandomBackward0", "RandomBackward1", "RandomBackward2", "ExponentialBackward0",
    "GeometricBackward0", "LogNormalBackward0", "CauchyBackward0")}


def _record(out, name, inputs):
    """Attach a zero-gradient node to ``out`` when an input requires grad."""
    from .ops._util import attach, grad_needed
    if grad_needed(*inputs):
        node = _NODES[name]()
        node._shapes = tuple(None if t is None else t._data.shape for t in inputs)
        attach(out, node, inputs)
    return out


def _fmt(x):
    return f"{x:g}" if isinstance(x, float) else str(x)


# ---------------------------------------------------------------- factories
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs):
    """Uniform samples on [0, 1), of shape ``size``.

    Example::

        >>> torch.rand(2, 3).shape
        torch.Size([2, 3])
    """
    d = _float_dtype(dtype)
    shape = _sizes(size, kwargs.pop("size", None))
    return _place(_sample(_gen(generator), "uniform", shape, d.numpy_dtype), device,
                  requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs):
    """Standard normal samples of shape ``size``."""
    d = _float_dtype(dtype, "normal_kernel_cpu")
    shape = _sizes(size, kwargs.pop("size", None))
    return _place(_sample(_gen(generator), "normal", shape, d.numpy_dtype), device,
                  requires_grad, out)


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``."""
    args = list(args)
    if args and isinstance(args[-1], (tuple, list)) and size is None:
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif len(args) > 2:
        raise TypeError(f"randint() takes at most 3 positional arguments ({len(args)} given)")
    low = 0 if low is None else low
    if size is None or high is None:
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int high, tuple of ints size) or (int low, int high, tuple of ints "
                        "size)")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    d = dt.to_dtype(dtype) if dtype is not None else dt.int64
    data = _gen(generator).integers(low, high, size=_size((size,) if isinstance(size, int)
                                                          else tuple(size)), dtype=np.int64)
    return _place(data.astype(d.numpy_dtype, copy=False), device, requires_grad, out)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of ``0 .. n-1``."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    d = dt.to_dtype(dtype) if dtype is not None else dt.int64
    return _place(_gen(generator).permutation(n).astype(d.numpy_dtype), device, requires_grad,
                  out)


def _like_dtype(input, dtype):
    return dt.to_dtype(dtype) if dtype is not None else input.dtype


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    return rand(*input.shape, dtype=_like_dtype(input, dtype), device=device or input.device,
                requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    return randn(*input.shape, dtype=_like_dtype(input, dtype), device=device or input.device,
                 requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=_like_dtype(input, dtype),
                   device=device or input.device, generator=generator,
                   requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False):
    """Normal samples. ``mean`` and ``std`` are tensors (broadcast together) or numbers; with
    two numbers, ``size`` gives the shape. The gradient with respect to mean/std is zero."""
    from .ops.creation import _finish
    from .tensor import Tensor
    rng = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if mt or st:
        if st:
            if std.numel() and bool((std._data < 0).any()):
                raise RuntimeError("normal expects all elements of std >= 0.0")
        elif std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        ref = mean if mt else std
        if not ref.is_floating_point():
            _float_dtype(ref.dtype, "normal_kernel_cpu")
        shape = np.broadcast_shapes(*(tuple(t.shape) for t in (mean, std)
                                      if isinstance(t, Tensor)))
        z = _sample(rng, "normal", shape, ref._data.dtype)
        m = mean._data if mt else mean
        s = std._data if st else std
        res = _finish((z * s + m).astype(ref._data.dtype, copy=False), ref.device, False)
        name = "NormalBackward3" if mt and st else ("NormalBackward1" if mt else
                                                    "NormalBackward2")
        res = _record(res, name, tuple(t for t in (mean, std) if isinstance(t, Tensor)))
        if out is not None:
            from .ops.conversion import copy_into_out
            return copy_into_out(out, res)
        return res
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, "
                        "float), but expected (float mean, float std, tuple of ints size)")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    d = _float_dtype(dtype, "normal_kernel_cpu")
    z = _sample(rng, "normal", _size((size,) if isinstance(size, int) else tuple(size)),
                d.numpy_dtype)
    return _place((z * std + mean).astype(d.numpy_dtype, copy=False), device, requires_grad,
                  out)


def _check_p(probs):
    if probs.size and not (probs.min() >= 0 and probs.max() <= 1):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


def bernoulli(input, p=None, *, generator=None, out=None):
    """1 with probability ``input`` (or ``p``), else 0; the dtype of ``input``."""
    from .ops.creation import _finish
    d = input._data
    if not input.is_floating_point():
        _float_dtype(input.dtype, "bernoulli_tensor_cpu_p_")
    probs = d if p is None else p
    _check_p(np.asarray(probs))
    npd = d.dtype if d.dtype in (np.float32, np.float64) else np.float32
    u = _gen(generator).random(d.shape, dtype=npd)
    res = _finish((u < probs).astype(d.dtype), input.device, False)
    res = _record(res, "BernoulliBackward0", (input,))
    if out is not None:
        from .ops.conversion import copy_into_out
        return copy_into_out(out, res)
    return res


def poisson(input, generator=None):
    """Poisson samples with rates ``input``."""
    from .ops.creation import _finish
    return _finish(_gen(generator).poisson(input._host()).astype(input._data.dtype),
                   input.device, False)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the rows of ``input`` (non-negative weights, need not sum to 1)."""
    from .ops.creation import _finish
    if not input.is_floating_point():
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_LEGACY.get(input.dtype.name, input.dtype.name)}")
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    probs = input._host()
    probs = probs[None] if probs.ndim == 1 else probs
    n = probs.shape[1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = probs.sum(1, dtype=np.float64)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and ((probs > 0).sum(1) < num_samples).any():
        raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough "
                           "non-negative category to sample)")
    rng = _gen(generator)
    rows = probs.shape[0]
    p = probs / totals[:, None]
    if replacement:
        # Inverse CDF for all rows at once: row r's CDF is shifted to [r, r + 1).
        cdf = np.cumsum(p, axis=1)
        cdf[:, -1] = 1.0
        offs = np.arange(rows, dtype=np.float64)[:, None]
        u = rng.random((rows, num_samples)) + offs
        idx = np.searchsorted((cdf + offs).ravel(), u.ravel(), side="right").reshape(
            rows, num_samples) - np.arange(rows)[:, None] * n
        res = np.minimum(idx, n - 1)
    else:
        # Gumbel-top-k: sampling without replacement for every row in one pass.
        with np.errstate(divide="ignore"):
            keys = np.log(p) - np.log(-np.log(rng.random((rows, n))))
        res = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    res = res.astype(np.int64)
    t = _finish(res[0] if input.dim() == 1 else res, input.device, False)
    if out is not None:
        from .ops.conversion import copy_into_out
        return copy_into_out(out, t)
    return t


# ---------------------------------------------------------------- in-place samplers
def _fill(t, values):
    """Write ``values`` into t in place (no graph), bumping its version."""
    from .ops._util import check_inplace
    check_inplace(t)
    d = t._data
    if type(d) is not np.ndarray:
        values = t.xp.asarray(values)
    d[...] = values
    t._vc[0] += 1
    return t


def _write(t, values, name, extra=()):
    """In-place sample: on a tensor in a graph, its history is replaced by a zero-gradient
    node (through CopySlices for views), as PyTorch does."""
    from .ops._util import check_inplace, commit_inplace, grad_needed, wrap
    if not grad_needed(t, *extra):
        return _fill(t, values)
    check_inplace(t)
    if type(t._data) is not np.ndarray:
        values = t.xp.asarray(values)
    res = _record(wrap(values), name, (t,) + tuple(extra))
    return commit_inplace(t, res)


def _float_of(t, kernel):
    if not t.is_floating_point():
        _float_dtype(t.dtype, kernel)
    d = t._data.dtype
    return d if d in (np.float32, np.float64) else np.dtype(np.float32)


def uniform_(t, a=0.0, b=1.0, *, generator=None, **kwargs):
    """Fill with samples uniform on [a, b)."""
    a, b = kwargs.pop("from", a), kwargs.pop("to", b)
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_fmt(a)} > to={_fmt(b)}")
    npd = _float_of(t, "check_uniform_bounds")
    u = _gen(generator).random(t.shape, dtype=npd)
    return _write(t, (u * (b - a) + a).astype(t._data.dtype, copy=False), "UniformBackward0")


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    npd = _float_of(t, "normal_kernel_cpu")
    z = _gen(generator).standard_normal(t.shape, dtype=npd)
    return _write(t, (z * std + mean).astype(t._data.dtype, copy=False), "NormalBackward0")


def bernoulli_(t, p=0.5, *, generator=None):
    """Fill with 1 (probability ``p``, a number or a tensor) or 0."""
    from .tensor import Tensor
    probs = p._data if isinstance(p, Tensor) else p
    _check_p(np.asarray(probs))
    u = _gen(generator).random(t.shape, dtype=np.float32 if t._data.dtype != np.float64
                               else np.float64)
    name = "BernoulliBackward2" if isinstance(p, Tensor) else "BernoulliBackward1"
    return _write(t, (u < probs).astype(t._data.dtype), name,
                  (p,) if isinstance(p, Tensor) else ())


def _default_top(npd):
    if npd.kind == "f" or npd == dt._np_bfloat16:
        mant = {2: 10, 4: 23, 8: 52}[npd.itemsize] if npd != dt._np_bfloat16 else 7
        return 2 ** (mant + 1) + 1  # [0, 2^digits] inclusive: every value is representable
    if npd == np.bool_:
        return 2
    return int(np.iinfo(npd).max) + 1


def random_(t, from_=None, to=None, *, generator=None, **kwargs):
    """``random_(from, to)`` on [from, to), ``random_(to)`` on [0, to), ``random_()`` over the
    dtype's range ([0, 2^mantissa] for floats)."""
    if "from" in kwargs:
        from_ = kwargs.pop("from")
    elif from_ is not None and to is None:
        from_, to = 0, from_  # random_(to)
    from_ = 0 if from_ is None else int(from_)
    name = "RandomBackward0" if to is None else "RandomBackward1"
    to = _default_top(t._data.dtype) if to is None else int(to)
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} "
                           f">= to={to}")
    vals = _gen(generator).integers(from_, to, size=t.shape, dtype=np.int64)
    return _write(t, vals.astype(t._data.dtype), name)


def exponential_(t, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    npd = _float_of(t, "exponential_cpu")
    e = _gen(generator).standard_exponential(t.shape, dtype=npd)
    return _write(t, (e * (1.0 / lambd)).astype(t._data.dtype, copy=False),
                  "ExponentialBackward0")


def geometric_(t, p, *, generator=None):
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    u = _gen(generator).random(t.shape, dtype=_float_of(t, "geometric_cpu")
                               if t.is_floating_point() else np.float64)
    k = np.maximum(np.ceil(np.log1p(-u) / math.log1p(-p)), 1)
    return _write(t, k.astype(t._data.dtype), "GeometricBackward0")


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std^2)) samples."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    npd = _float_of(t, "log_normal_cpu")
    z = _gen(generator).standard_normal(t.shape, dtype=npd)
    return _write(t, np.exp(z * std + mean).astype(t._data.dtype, copy=False),
                  "LogNormalBackward0")


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy(median, sigma) samples."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    npd = _float_of(t, "cauchy_cpu")
    u = _gen(generator).random(t.shape, dtype=npd)
    c = np.tan(np.asarray(math.pi, dtype=npd) * (u - np.asarray(0.5, dtype=npd)))
    return _write(t, (median + sigma * c).astype(t._data.dtype, copy=False), "CauchyBackward0")


__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "fork_rng", "default_generator", "rand", "randn", "randint",
           "randperm", "rand_like", "randn_like", "randint_like", "normal", "bernoulli",
           "poisson", "multinomial"]
