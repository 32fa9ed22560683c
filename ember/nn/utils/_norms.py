"""Helpers shared by weight_norm / spectral_norm (old and parametrization styles)."""


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over every dim but ``dim`` (kept as size-1 dims);
    ``dim=-1``: the norm of the whole tensor (0-d)."""
    if dim == -1:
        return (v.abs().pow(pow).sum()).pow(1.0 / pow) if pow != 2 else (v * v).sum().sqrt()
    dims = tuple(i for i in range(v.ndim) if i != dim)
    if pow == 2:
        return (v * v).sum(dims, keepdim=True).sqrt()
    return v.abs().pow(pow).sum(dims, keepdim=True).pow(1.0 / pow)


def weight_norm(v, g, dim=0):
    """``v * (g / ||v||)`` with the norm taken over every dim but ``dim``."""
    return v * (g / norm_except_dim(v, 2, dim))
