"""``torch.nn.parallel``: DataParallel (one process) and DistributedDataParallel (over
``ember.distributed``, which runs a world of one process; see docs/differences.md)."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]
