"""Random number generation: Generator, manual_seed, and the sampling functions.

Each Generator wraps a NumPy PCG64 bit generator; the same seed gives the same numbers
(the stream differs from PyTorch's Philox/MT19937 streams, as documented).
"""
import pickle
import time

import numpy as np

from . import dtypes as dt
from .device import to_device


class Generator:
    """``torch.Generator``: an independent random stream, passed as ``generator=``."""

    def __init__(self, device="cpu"):
        self.device = to_device(device)
        self._seed = 67280421310721  # PyTorch's default seed
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        s = int(time.time_ns()) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        from .ops.creation import tensor
        raw = pickle.dumps((self._seed, self._rng.bit_generator.state))
        return tensor(list(raw), dtype=dt.uint8)

    def set_state(self, new_state):
        raw = bytes(new_state._host().astype(np.uint8).tolist())
        seed, st = _safe_state(raw)
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = st
        return self

    def clone_state(self):
        g = Generator(self.device)
        g.set_state(self.get_state())
        return g

    def __reduce__(self):
        return (_rebuild_generator, (self._seed, self._rng.bit_generator.state))


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
    return (generator or default_generator)._rng


def manual_seed(seed):
    """Seed the default generator (and CUDA's, when in use); returns it."""
    default_generator.manual_seed(seed)
    from . import cuda
    if cuda._initialized():
        cuda.manual_seed_all(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


# ---------------------------------------------------------------- sampling
def _float_dtype(dtype):
    d = dt.to_dtype(dtype) if dtype is not None else dt.get_default_dtype()
    if d.category != dt.FLOAT:
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for "
                           f"'{d.name.capitalize()}'")
    return d


def _sample_float(rng, kind, shape, d):
    npd = d.numpy_dtype
    if npd in (np.float32, np.float64):
        if kind == "uniform":
            return rng.random(shape, dtype=npd)
        return rng.standard_normal(shape, dtype=npd)
    src = rng.random(shape, dtype=np.float32) if kind == "uniform" else \
        rng.standard_normal(shape, dtype=np.float32)
    return src.astype(npd)


def _place(data, device, requires_grad):
    from .ops.creation import _finish
    return _finish(data, device, requires_grad)


def _size(size):
    from .ops.creation import _size as s
    return s(size)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples on [0, 1)."""
    d = _float_dtype(dtype)
    return _place(_sample_float(_gen(generator), "uniform", _size(size), d), device,
                  requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples."""
    d = _float_dtype(dtype)
    return _place(_sample_float(_gen(generator), "normal", _size(size), d), device,
                  requires_grad)


def randint(low, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    """Integers uniform on [low, high)."""
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    d = dt.to_dtype(dtype) if dtype is not None else dt.int64
    data = _gen(generator).integers(low, high, size=_size((size,) if isinstance(size, int)
                                                          else tuple(size)), dtype=np.int64)
    return _place(data.astype(d.numpy_dtype, copy=False), device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    d = dt.to_dtype(dtype) if dtype is not None else dt.int64
    return _place(_gen(generator).permutation(n).astype(d.numpy_dtype), device, requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    d = dt.to_dtype(dtype) if dtype is not None else input.dtype
    return rand(*input.shape, dtype=d, device=device or input.device,
                requires_grad=requires_grad, generator=generator)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    d = dt.to_dtype(dtype) if dtype is not None else input.dtype
    return randn(*input.shape, dtype=d, device=device or input.device,
                 requires_grad=requires_grad, generator=generator)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    d = dt.to_dtype(dtype) if dtype is not None else input.dtype
    return randint(low, high, tuple(input.shape), dtype=d, device=device or input.device,
                   generator=generator)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False):
    """Normal samples; ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    from .tensor import Tensor
    rng = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        ref = mean if isinstance(mean, Tensor) else std
        shape = np.broadcast_shapes(*(t.shape for t in (mean, std) if isinstance(t, Tensor)))
        z = _sample_float(rng, "normal", shape, ref.dtype)
        from .ops.creation import _finish
        zt = _finish(z, ref.device, False)
        return (zt * std + mean).detach()
    if size is None:
        raise TypeError("normal() missing required argument 'size'")
    d = _float_dtype(dtype)
    z = _sample_float(rng, "normal", _size((size,) if isinstance(size, int) else tuple(size)), d)
    return _place((z * std + mean).astype(d.numpy_dtype, copy=False), device, requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples 1 with probability ``input`` (or ``p``), else 0; same dtype as input."""
    probs = input._data if p is None else np.full(input.shape, p)
    if probs.size and (probs.min() < 0 or probs.max() > 1):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    u = _gen(generator).random(probs.shape, dtype=np.float32 if probs.dtype == np.float32
                               else np.float64)
    from .ops.creation import _finish
    return _finish((u < probs).astype(input._data.dtype), input.device, False)


def poisson(input, generator=None):
    from .ops.creation import _finish
    return _finish(_gen(generator).poisson(input._data).astype(input._data.dtype),
                   input.device, False)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of ``input`` (non-negative weights)."""
    probs = input._host().astype(np.float64)
    one = probs.ndim == 1
    if one:
        probs = probs[None]
    if probs.ndim != 2:
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    nz = (probs > 0).sum(1)
    if (probs.sum(1) <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > probs.shape[1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if not replacement and (nz < num_samples).any():
        raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough "
                           "non-negative category to sample)")
    rng = _gen(generator)
    rows = []
    for row in probs:  # one vectorised draw per distribution row
        p = row / row.sum()
        if replacement:
            rows.append(rng.choice(len(p), size=num_samples, replace=True, p=p))
        else:
            # Gumbel-top-k: sampling without replacement in one pass.
            with np.errstate(divide="ignore"):
                keys = np.log(p) - np.log(-np.log(rng.random(len(p))))
            rows.append(np.argsort(-keys, kind="stable")[:num_samples])
    res = np.stack(rows).astype(np.int64)
    from .ops.creation import _finish
    return _finish(res[0] if one else res, input.device, False)


# ---------------------------------------------------------------- in-place samplers
def _fill(t, values):
    from .ops._util import check_inplace
    check_inplace(t)
    d = t._data
    if type(d) is not np.ndarray:
        values = t.xp.asarray(values)
    d[...] = values
    t._vc[0] += 1
    return t


def uniform_(t, a=0.0, b=1.0, *, generator=None):
    rng = _gen(generator)
    u = _sample_float(rng, "uniform", t.shape, t.dtype if t.is_floating_point() else dt.float64)
    return _fill(t, (u * (b - a) + a).astype(t._data.dtype, copy=False))


def normal_(t, mean=0.0, std=1.0, *, generator=None):
    z = _sample_float(_gen(generator), "normal", t.shape,
                      t.dtype if t.is_floating_point() else dt.float64)
    return _fill(t, (z * std + mean).astype(t._data.dtype, copy=False))


def bernoulli_(t, p=0.5, *, generator=None):
    from .tensor import Tensor
    probs = p._data if isinstance(p, Tensor) else p
    u = _gen(generator).random(t.shape)
    return _fill(t, (u < probs).astype(t._data.dtype))


def random_(t, from_=0, to=None, *, generator=None):
    if to is None:
        if t._data.dtype.kind == "f":
            to = 2 ** (np.finfo(t._data.dtype).nmant + 1)
        elif t._data.dtype == np.bool_:
            to = 2
        else:
            to = int(np.iinfo(t._data.dtype).max) + 1
    vals = _gen(generator).integers(from_, to, size=t.shape, dtype=np.int64)
    return _fill(t, vals.astype(t._data.dtype))


def exponential_(t, lambd=1.0, *, generator=None):
    e = _gen(generator).exponential(1.0 / lambd, size=t.shape)
    return _fill(t, e.astype(t._data.dtype))


def geometric_(t, p, *, generator=None):
    return _fill(t, _gen(generator).geometric(p, size=t.shape).astype(t._data.dtype))


def log_normal_(t, mean=1.0, std=2.0, *, generator=None):
    return _fill(t, _gen(generator).lognormal(mean, std, size=t.shape).astype(t._data.dtype))


def cauchy_(t, median=0.0, sigma=1.0, *, generator=None):
    c = _gen(generator).standard_cauchy(size=t.shape)
    return _fill(t, (median + sigma * c).astype(t._data.dtype))
