"""``torch.utils.hooks``: RemovableHandle."""
from ..autograd.graph import RemovableHandle

__all__ = ["RemovableHandle"]
