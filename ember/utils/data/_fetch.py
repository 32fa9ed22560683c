"""Fetchers: turn one index (or a batch of indices) from the sampler into collated data."""
import numpy as np

from .collate import default_collate
from .dataset import Subset, TensorDataset
from ...tensor import Tensor


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self._fast = _tensor_gather_plan(dataset) if (
            auto_collation and collate_fn is default_collate) else None

    def fetch(self, possibly_batched_index):
        if self.auto_collation:
            if self._fast is not None:
                batch = _gather(self._fast, possibly_batched_index)
                if batch is not None:
                    return batch
            getitems = getattr(self.dataset, "__getitems__", None)
            if getitems:
                data = getitems(possibly_batched_index)
            else:
                data = [self.dataset[i] for i in possibly_batched_index]
        else:
            data = self.dataset[possibly_batched_index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset)
        self.ended = False

    def fetch(self, possibly_batched_index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in possibly_batched_index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if not data or (self.drop_last and len(data) < len(possibly_batched_index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def create_fetcher(kind_iterable, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableDatasetFetcher if kind_iterable else _MapDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


# --------------------------------------------------------------------------- batch gathering
# default_collate over TensorDataset samples gives [stack(t[i] for i in batch) for t in
# tensors], which is exactly one fancy index per tensor: t[batch]. Doing that instead of
# len(batch) __getitem__ calls plus a stack is the same result, many times faster. Only for
# the exact classes (a subclass may override __getitem__), NumPy-backed tensors that need no
# grad (stack would record autograd), and plain in-range integer indices.

def _tensor_gather_plan(dataset):
    """(tensors, index map or None) when batches of ``dataset`` can be gathered directly."""
    index_map = None
    if type(dataset) is Subset:
        idx = dataset.indices
        if isinstance(idx, Tensor) or not isinstance(idx, (list, tuple, range, np.ndarray)):
            return None
        index_map = np.asarray(idx)
        if index_map.ndim != 1 or index_map.dtype.kind not in "iu":
            return None
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset:
        return None
    tensors = dataset.tensors
    for t in tensors:
        if type(t) is not Tensor or type(t._data) is not np.ndarray or t._requires_grad or \
                t._data.ndim == 0:
            return None
    return tensors, index_map


def _as_index_array(batch):
    if type(batch) is not list:
        return None
    for i in batch:
        if type(i) is not int and not isinstance(i, np.integer):
            return None
    idx = np.array(batch, dtype=np.intp)
    return idx if idx.ndim == 1 and len(idx) else None


def _gather(plan, batch):
    tensors, index_map = plan
    idx = _as_index_array(batch)
    if idx is None:
        return None
    if index_map is not None:
        m = len(index_map)
        if idx.min() < -m or idx.max() >= m:
            return None  # the per-sample path raises the IndexError
        idx = index_map[idx]
    n = tensors[0]._data.shape[0]
    if idx.min() < -n or idx.max() >= n:
        return None
    return [Tensor._wrap(t._data[idx]) for t in tensors]
