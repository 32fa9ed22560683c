"""``torch.quasirandom``: the Sobol' low-discrepancy sequence (``SobolEngine``).

Unscrambled points equal PyTorch's exactly: both use Joe & Kuo's direction numbers and the
Gray-code order of Antonov & Saleev. Ember ships the numbers for the first 1024 dimensions
(``ember/_sobol_directions.py``); up to 21201 dimensions come from SciPy's copy of the same
table when SciPy is installed.

Scrambling (``scramble=True``) applies a random linear matrix scramble and a random digital
shift, as PyTorch does, drawn from Ember's generator: the points have the same properties
(in [0, 1), balanced in every dimension) but are not PyTorch's numbers (see
docs/differences.md).
"""
import numpy as np

from . import dtypes as _dt
from .tensor import Tensor

__all__ = ["SobolEngine"]

_MAXBIT = 30
_EMBEDDED_DIMS = 1024


def _table(dimension):
    """``(polys, inits)`` for the first ``dimension`` dimensions."""
    if dimension <= _EMBEDDED_DIMS:
        from ._sobol_directions import TABLE
        rows = [list(map(int, line.split())) for line in TABLE.splitlines()[:dimension]]
        return [r[0] for r in rows], [r[1:] for r in rows]
    import importlib.util
    import os
    spec = importlib.util.find_spec("scipy")
    path = None if spec is None else os.path.join(
        os.path.dirname(spec.origin), "stats", "_sobol_direction_numbers.npz")
    if path is None or not os.path.exists(path):
        raise ValueError(f"SobolEngine with more than {_EMBEDDED_DIMS} dimensions needs the "
                         f"direction numbers that SciPy ships: pip install scipy "
                         f"(got dimension={dimension})")
    # Only the data file is read: importing scipy.stats would cost seconds.
    data = np.load(path)
    with data:  # each key access re-reads the archive: read both arrays once
        poly_arr, vinit = data["poly"][:dimension], data["vinit"][:dimension]
    polys = [int(p) for p in poly_arr]
    inits = [vinit[d, :p.bit_length() - 1].tolist() for d, p in enumerate(polys)]
    return polys, inits


def _direction_numbers(dimension):
    """The ``(dimension, 30)`` int64 direction numbers, column ``j`` scaled by
    ``2 ** (29 - j)`` (Bratley & Fox's recurrence)."""
    polys, inits = _table(dimension)
    v = np.ones((dimension, _MAXBIT), np.int64)  # dimension 0: every m_j = 1
    degrees = np.array([len(m) for m in inits], np.int64)
    polys = np.array(polys, np.int64)
    # Dimensions of equal degree follow the same recurrence shape: run it for all at once.
    for s in np.unique(degrees[1:]):
        rows = np.nonzero(degrees == s)[0]
        rows = rows[rows > 0]
        g = np.ones((len(rows), _MAXBIT), np.int64)
        g[:, :s] = [inits[d] for d in rows]
        for j in range(s, _MAXBIT):
            new = g[:, j - s].copy()
            for k in range(s):
                use = (polys[rows] >> (s - 1 - k)) & 1
                new ^= use * (g[:, j - k - 1] << (k + 1))
            g[:, j] = new
        v[rows] = g
    return v << np.arange(_MAXBIT - 1, -1, -1, dtype=np.int64)


def _rightmost_zero(x):
    """Index of the lowest zero bit of each entry of ``x`` (the Gray-code step)."""
    low = (~x) & (x + 1)  # that bit alone
    return np.log2(low.astype(np.float64)).astype(np.int64)


class SobolEngine:
    r"""Draws points of a (scrambled) Sobol' sequence.

    Args:
        dimension (int): dimensionality of the points, in ``[1, 21201]``.
        scramble (bool): apply a random linear scramble and digital shift. Default: False.
        seed (int, optional): seed of the scramble (default: Ember's global generator).

    Example::

        >>> soboleng = torch.quasirandom.SobolEngine(dimension=5)
        >>> soboleng.draw(3)
        tensor([[0.0000, 0.0000, 0.0000, 0.0000, 0.0000],
                [0.5000, 0.5000, 0.5000, 0.5000, 0.5000],
                [0.7500, 0.2500, 0.2500, 0.2500, 0.7500]])
    """

    MAXBIT = _MAXBIT
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError(f"Supported range of dimensionality for SobolEngine is "
                             f"[1, {self.MAXDIM}]")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        self._v = _direction_numbers(dimension)
        if scramble:
            self._scramble()
        else:
            self._shift = np.zeros(dimension, np.int64)
        self._quasi = self._shift.copy()
        # PyTorch computes the first point in the default dtype and casts it afterwards.
        self._first = (self._shift.astype(_dt.get_default_dtype().numpy_dtype)
                       / np.float32(2 ** _MAXBIT)).reshape(1, -1)
        self.num_generated = 0

    @property
    def sobolstate(self):
        """The (possibly scrambled) direction numbers, ``(dimension, 30)`` int64."""
        return Tensor._wrap(self._v.copy())

    @property
    def shift(self):
        return Tensor._wrap(self._shift.copy())

    @property
    def quasi(self):
        return Tensor._wrap(self._quasi.copy())

    def _scramble(self):
        from . import random as _random
        gen = None
        if self.seed is not None:
            gen = _random.Generator()
            gen.manual_seed(self.seed)
        d, b = self.dimension, _MAXBIT
        bits = _random.randint(2, (d, b), generator=gen).numpy().astype(np.int64)
        self._shift = bits @ (np.int64(1) << np.arange(b, dtype=np.int64))
        # Lower-triangular scramble matrices over GF(2), most significant bit first; the unit
        # diagonal keeps them invertible, so scrambled points stay a balanced (t, m, s)-net.
        ltm = np.tril(_random.randint(2, (d, b, b), generator=gen).numpy().astype(np.int64))
        ltm[:, np.arange(b), np.arange(b)] = 1
        weights = np.int64(1) << np.arange(b - 1, -1, -1, dtype=np.int64)
        x = (self._v[:, :, None] >> np.arange(b - 1, -1, -1, dtype=np.int64)) & 1
        y = (x @ ltm.transpose(0, 2, 1)) & 1
        self._v = y @ weights

    def _steps(self, n, start):
        """Advance the state by ``n`` Gray-code steps from step ``start``; returns every
        intermediate state, ``(n, dimension)`` int64."""
        if start + n > 2 ** _MAXBIT:
            raise RuntimeError(f"SobolEngine can generate at most 2**{_MAXBIT} points")
        cols = _rightmost_zero(np.arange(start, start + n, dtype=np.int64))
        states = np.bitwise_xor.accumulate(self._v[:, cols].T, axis=0)
        states ^= self._quasi
        if n:
            self._quasi = states[-1].copy()
        return states

    def draw(self, n=1, out=None, dtype=None):
        """The next ``n`` points, an ``(n, dimension)`` tensor.

        Args:
            n (int): number of points.
            out (Tensor, optional): resized and filled with the points.
            dtype: result dtype (default: the default dtype).
        """
        dtype = _dt.get_default_dtype() if dtype is None else _dt.to_dtype(dtype)
        npdt = dtype.numpy_dtype
        if self.num_generated == 0:
            first = self._first.astype(npdt)
            if n == 1:
                result = first
            else:
                rest = self._steps(max(n - 1, 0), 0)
                result = np.concatenate([first, (rest * 2.0 ** -_MAXBIT).astype(npdt)])
        else:
            result = (self._steps(n, self.num_generated - 1) * 2.0 ** -_MAXBIT).astype(npdt)
        self.num_generated += n
        result = Tensor._wrap(np.ascontiguousarray(result))
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next ``2 ** m`` points; the total drawn must stay a power of two (which keeps
        the balance properties of the sequence)."""
        n = 2 ** m
        total_n = self.num_generated + n
        if total_n & (total_n - 1) != 0:
            raise ValueError(f"The balance properties of Sobol' points require n to be a power "
                             f"of 2. {self.num_generated} points have been previously "
                             f"generated, then: n={self.num_generated}+2**{m}={total_n}. If "
                             f"you still want to do this, please use 'SobolEngine.draw()' "
                             f"instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Back to the first point."""
        self._quasi = self._shift.copy()
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skip the next ``n`` points."""
        if self.num_generated == 0:
            self._steps(max(n - 1, 0), 0)
        else:
            self._steps(n, self.num_generated - 1)
        self.num_generated += n
        return self

    def __repr__(self):
        parts = [f"dimension={self.dimension}"]
        if self.scramble:
            parts.append("scramble=True")
        if self.seed is not None:
            parts.append(f"seed={self.seed}")
        return f"{type(self).__name__}({', '.join(parts)})"
