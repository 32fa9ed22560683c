"""Datasets and random_split against torch.utils.data."""
import warnings

import numpy as np
import pytest

from oracle import torch
from datautil import same
import ember
import ember.utils.data as edata
import torch.utils.data as tdata

X = np.arange(24, dtype=np.float32).reshape(6, 4)
Y = np.arange(6)


def tensor_ds(lib, mod):
    return mod.TensorDataset(lib.tensor(X), lib.tensor(Y))


@pytest.mark.parametrize("index", [0, 3, -1, slice(1, 4), [0, 2, 5]])
def test_tensor_dataset(index):
    te, tt = tensor_ds(ember, edata), tensor_ds(torch, tdata)
    assert len(te) == len(tt) == 6
    idx_t = torch.tensor(index) if isinstance(index, list) else index
    idx_e = ember.tensor(index) if isinstance(index, list) else index
    same(te[idx_e], tt[idx_t])


def test_tensor_dataset_errors():
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        edata.TensorDataset(ember.zeros(3), ember.zeros(4))
    with pytest.raises(IndexError):
        tensor_ds(ember, edata)[6]


@pytest.mark.parametrize("indices", [[4, 0, 2], range(1, 5), np.array([5, 1])])
def test_subset(indices):
    se = edata.Subset(tensor_ds(ember, edata), indices)
    st = tdata.Subset(tensor_ds(torch, tdata), indices)
    assert len(se) == len(st)
    for i in range(len(st)):
        same(se[i], st[i])
    same(se.__getitems__([1, 0]), st.__getitems__([1, 0]))


def test_subset_list_index_and_nested_getitems():
    base = edata.StackDataset([10, 11, 12, 13], [20, 21, 22, 23])
    s = edata.Subset(base, [3, 1])
    assert s.__getitems__([0, 1]) == [(13, 23), (11, 21)]
    sub = edata.Subset(np.arange(10) * 2, [9, 0, 4])
    assert list(sub[[0, 2]]) == [18, 8]


def test_concat_dataset():
    parts_e = [list(range(3)), list(range(10, 12)), list(range(20, 24))]
    ce = edata.ConcatDataset(parts_e)
    ct = tdata.ConcatDataset(parts_e)
    assert len(ce) == len(ct) == 9
    assert ce.cumulative_sizes == ct.cumulative_sizes
    assert [ce[i] for i in range(-9, 9)] == [ct[i] for i in range(-9, 9)]
    with pytest.raises(ValueError, match="absolute value of index"):
        ce[-10]
    with pytest.raises(IndexError):
        ce[9]
    with pytest.raises(AssertionError, match="should not be an empty iterable"):
        edata.ConcatDataset([])


class Rng(edata.IterableDataset):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def __iter__(self):
        return iter(range(self.a, self.b))

    def __len__(self):
        return self.b - self.a


class MapDs(edata.Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError(i)
        return i * 10

    def __len__(self):
        return self.n


def test_dataset_add_and_chain():
    c = MapDs(2) + MapDs(3)
    assert isinstance(c, edata.ConcatDataset) and [c[i] for i in range(5)] == [0, 10, 0, 10, 20]
    ch = Rng(0, 2) + Rng(5, 7)
    assert isinstance(ch, edata.ChainDataset) and list(ch) == [0, 1, 5, 6] and len(ch) == 4
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        edata.ConcatDataset([Rng(0, 2)])
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(edata.ChainDataset([MapDs(2)]))
    with pytest.raises(NotImplementedError):
        edata.Dataset()[0]


def test_stack_dataset():
    a, b = [1, 2, 3], ["x", "y", "z"]
    se, st = edata.StackDataset(a, b), tdata.StackDataset(a, b)
    assert len(se) == len(st) == 3
    assert [se[i] for i in range(3)] == [st[i] for i in range(3)]
    ke, kt = edata.StackDataset(n=a, s=b), tdata.StackDataset(n=a, s=b)
    assert [ke[i] for i in range(3)] == [kt[i] for i in range(3)]
    assert ke.__getitems__([2, 0]) == kt.__getitems__([2, 0])
    assert se.__getitems__([2, 0]) == st.__getitems__([2, 0])
    for args, kwargs in (((a, b), {"c": a}), ((a, [1]), {}), ((), {"p": a, "q": [1]}), ((), {})):
        with pytest.raises(ValueError) as ee:
            edata.StackDataset(*args, **kwargs)
        with pytest.raises(ValueError) as te:
            tdata.StackDataset(*args, **kwargs)
        assert str(ee.value) == str(te.value)


def test_random_split_lengths_and_fractions():
    g = ember.Generator().manual_seed(0)
    parts = edata.random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    # fractions: the remainder is dealt round-robin, exactly as torch sizes them
    for n, fr in ((10, [0.5, 0.5]), (11, [0.3, 0.3, 0.4]), (7, [0.1, 0.9]), (5, [1 / 3] * 3)):
        e = edata.random_split(range(n), fr, generator=ember.Generator().manual_seed(1))
        t = tdata.random_split(range(n), fr, generator=torch.Generator().manual_seed(1))
        assert [len(p) for p in e] == [len(p) for p in t]
        assert sorted(i for p in e for i in p.indices) == list(range(n))


def test_random_split_reproducible_and_errors():
    def split(seed):
        return [p.indices for p in edata.random_split(
            range(20), [0.25, 0.75], generator=ember.Generator().manual_seed(seed))]
    assert split(3) == split(3)
    assert split(3) != split(4)
    ember.manual_seed(5)
    a = [p.indices for p in edata.random_split(range(20), [10, 10])]
    ember.manual_seed(5)
    assert a == [p.indices for p in edata.random_split(range(20), [10, 10])]
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        edata.random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 0 is not between 0 and 1"):
        edata.random_split(range(10), [-0.5, 1.5])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        edata.random_split(range(2), [0.9, 0.05, 0.05])
    assert any("Length of split at index" in str(x.message) for x in w)
