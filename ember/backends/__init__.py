"""Array backends: NumPy serves `cpu`, CuPy (optional, imported lazily) serves `cuda`."""
from .dispatch import xp_of, xp_for_device, array_device, is_cuda_array

from . import cudnn, mps, cuda  # noqa: E402,F401  (torch.backends.cudnn etc.)
from .opt_flags import mkl, mkldnn, openmp  # noqa: E402,F401

__all__ = ["xp_of", "xp_for_device", "array_device", "is_cuda_array", "cudnn", "mps", "cuda"]
