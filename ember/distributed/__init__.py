"""``torch.distributed``, for a single process.

Ember runs data-parallel programs with ``world_size == 1``: ``init_process_group`` accepts
the ``gloo``, ``nccl`` and ``mpi`` backends and PyTorch's ``env://``, ``tcp://``, ``file://``
and ``store=`` rendezvous forms (checking them as PyTorch does), ranks and sizes answer 0 and
1, every collective computes what PyTorch computes on one rank (in place, returning ``None``
or a completed ``Work`` with ``async_op=True``), and ``nn.parallel.DistributedDataParallel``
wraps a model in that group. A script written for ``torchrun`` thus runs unchanged as one
process.

Not here yet: more than one process. ``init_process_group(world_size > 1)`` raises a
RuntimeError; the multi-process engine (collectives over MPI or NCCL, point-to-point
``send``/``recv``) belongs to Ember's distributed issue and will plug in behind these same
functions. ``torch.distributed.fsdp``, ``rpc``, ``pipelining`` and device meshes are absent.
"""
from ._store import FileStore, HashStore, PrefixStore, Store, TCPStore  # noqa: F401
from ._types import (Backend, DistBackendError, DistError, DistNetworkError,  # noqa: F401
                     DistStoreError, GroupMember, ProcessGroup, QueueEmptyError, ReduceOp, Work,
                     group)
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__ as _c10d_all

reduce_op = ReduceOp  # PyTorch's deprecated alias

__all__ = list(_c10d_all) + ["Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work",
                             "group", "PrefixStore", "Store", "DistError", "DistBackendError",
                             "DistNetworkError", "DistStoreError", "QueueEmptyError"]
