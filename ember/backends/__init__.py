"""Array backends: NumPy serves `cpu`, CuPy (optional, imported lazily) serves `cuda`."""
from .dispatch import xp_of, xp_for_device, array_device, is_cuda_array

__all__ = ["xp_of", "xp_for_device", "array_device", "is_cuda_array"]
