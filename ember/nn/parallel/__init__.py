"""``torch.nn.parallel``: DataParallel (one process). DistributedDataParallel needs
``torch.distributed``, which Ember does not provide (see docs/differences.md)."""
from .data_parallel import DataParallel, data_parallel

__all__ = ["DataParallel", "data_parallel"]
