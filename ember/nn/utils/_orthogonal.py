"""The orthogonal (unitary) parametrization of ``nn.utils.parametrizations.orthogonal``.

A weight of shape (..., n, k) is produced from an unconstrained tensor of the same shape by
one of three maps onto the matrices with orthonormal columns (rows when n < k):

- ``matrix_exp``: the exponential of the skew-symmetric (skew-Hermitian) matrix built from
  the lower triangle, first k columns;
- ``cayley``: the Cayley transform (I + A/2)(I - A/2)^-1 of that same matrix;
- ``householder``: the product of the Householder reflectors stored below the diagonal, with
  the diagonal's signs (real weights only).

With ``use_trivialization`` (the default) the map's result is multiplied by a stored
orthogonal ``base``, and assigning a weight stores it there: the parameter is then reset to
the map's preimage of the identity, so optimisation starts at the assigned matrix.
"""
from enum import Enum, auto

from ...autograd.grad_mode import no_grad
from ...dtypes import finfo
from ...ops.creation import eye, zeros_like
from ...ops.decomposition import solve
from ...ops.elementwise import allclose
from ...ops.householder import geqrf, householder_product
from ...ops.linalg_extra import matrix_exp
from ...ops.shape import cat
from ...random import randn
from ..modules.module import Module


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _tall(x):
    """(x as a tall matrix, whether it was transposed)."""
    if x.shape[-2] < x.shape[-1]:
        return x.mT, True
    return x, False


def _orthonormal_q(a):
    """Q of a = QR with diag(R) real and non-negative: unique, so a matrix that is already
    orthogonal comes back unchanged (to rounding)."""
    packed, tau = geqrf(a)
    q = householder_product(packed, tau)
    return q * packed.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _has_orthonormal_columns(q):
    ident = eye(q.shape[-1], dtype=q.dtype, device=q.device)
    return allclose(q.mH @ q, ident, atol=10.0 * q.shape[-2] * finfo(q.dtype).eps)


class _Orthogonal(Module):
    """The parametrization module registered by ``orthogonal`` (see the module docstring)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map is _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x):
        x, transposed = _tall(x)
        n, k = x.shape[-2], x.shape[-1]
        if self.orthogonal_map is _OrthMaps.householder:
            reflectors = x.tril(-1)
            tau = 2.0 / (1.0 + (reflectors * reflectors).sum(dim=-2))
            q = householder_product(reflectors, tau)
            # the diagonal holds +-1 flags: read as integers, so not differentiated through
            q = q * x.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            low = x.tril()
            if n != k:  # pad to a square matrix with zero columns
                pad = low.new_zeros(low.shape[:-1] + (n - k,))
                low = cat([low, pad], dim=-1)
            skew = low - low.mH
            if self.orthogonal_map is _OrthMaps.matrix_exp:
                q = matrix_exp(skew)
            else:
                ident = eye(n, dtype=skew.dtype, device=skew.device)
                q = solve(ident - 0.5 * skew, ident + 0.5 * skew)
            if n != k:
                q = q[..., :k]
        base = self._buffers.get("base")
        if base is not None:
            q = base @ q
        return q.mT if transposed else q

    def right_inverse(self, q):
        """The parameter value whose image is ``q`` (stored in ``base`` with trivialization)."""
        with no_grad():
            if q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {q.shape}.")
            given = q
            q, transposed = _tall(q)
            n, k = q.shape[-2], q.shape[-1]
            if "base" not in self._buffers:
                if self.orthogonal_map is not _OrthMaps.householder:
                    raise NotImplementedError(
                        "It is not possible to assign to the matrix exponential or the Cayley "
                        "parametrizations when use_trivialization=False.")
                # Householder form of q: reflectors below the diagonal, the signs of R on it
                packed, tau = geqrf(q)
                diag = packed.diagonal(dim1=-2, dim2=-1)
                diag.sign_()
                diag[tau == 0.0] *= -1
                return packed.mT if transposed else packed
            if n == k:
                q = q.clone() if _has_orthonormal_columns(q) else _orthonormal_q(q)
            else:  # complete the columns to a square orthogonal matrix
                extra = randn(*(q.shape[:-2] + (n, n - k)), dtype=q.dtype, device=q.device)
                q = _orthonormal_q(cat([q, extra], dim=-1))
            self.base = q
            # -I maps to I under every map (householder reads the -1 flags on the diagonal)
            neg_eye = zeros_like(given)
            neg_eye.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_eye
