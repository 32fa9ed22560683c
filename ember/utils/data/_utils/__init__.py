"""PyTorch's private ``torch.utils.data._utils`` paths, for code that imports from them
(e.g. ``from torch.utils.data._utils.collate import collate, default_collate_fn_map``)."""
from . import collate, worker  # noqa: F401
