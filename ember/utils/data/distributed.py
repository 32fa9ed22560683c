"""DistributedSampler: each of ``num_replicas`` processes reads its own share of a dataset."""
import importlib
import math

from ... import random as _random
from .sampler import Sampler

__all__ = ["DistributedSampler"]

_NO_GROUP = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")


def _process_group():
    """The initialised ``ember.distributed`` module; PyTorch's ValueError when there is none."""
    try:
        dist = importlib.import_module("ember.distributed")
    except ModuleNotFoundError:
        dist = None
    if dist is None or not getattr(dist, "is_available", lambda: False)() or \
            not dist.is_initialized():
        # No process group: the caller must pass num_replicas and rank explicitly.
        raise ValueError(_NO_GROUP)
    return dist


class DistributedSampler(Sampler):
    """Restricts loading to a subset of the dataset, one per process (rank).

    The dataset is padded (repeating its start) to a multiple of ``num_replicas``, or cut
    when ``drop_last=True``; rank ``r`` takes indices ``r, r + num_replicas, ...``.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: number of processes (default: the process group's world size).
        rank: this process's rank (default: the process group's rank).
        shuffle: shuffle with ``seed + epoch`` (call :meth:`set_epoch` every epoch).
        seed: the shuffle seed, identical on every rank.
        drop_last: drop the tail so every rank gets the same number of samples.

    Example::

        >>> sampler = DistributedSampler(ds, num_replicas=2, rank=0)
        >>> for epoch in range(3):
        ...     sampler.set_epoch(epoch)
        ...     for batch in DataLoader(ds, sampler=sampler): ...
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0,
                 drop_last=False):
        if num_replicas is None:
            num_replicas = _process_group().get_world_size()
        if rank is None:
            rank = _process_group().get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(self.dataset)
        if self.drop_last and n % self.num_replicas != 0:
            self.num_samples = math.ceil((n - self.num_replicas) / self.num_replicas)
        else:
            self.num_samples = math.ceil(n / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = _random.Generator().manual_seed(self.seed + self.epoch)
            indices = _random.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        assert len(indices) == self.total_size
        indices = indices[self.rank:self.total_size:self.num_replicas]
        assert len(indices) == self.num_samples
        return iter(indices)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, so that shuffling differs between epochs (same on every rank)."""
        self.epoch = epoch
