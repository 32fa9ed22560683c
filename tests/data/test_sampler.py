"""Samplers against torch.utils.data: deterministic ones exactly, random ones by coverage
and reproducibility (Ember's random streams differ from PyTorch's, as documented)."""
import collections

import pytest

from oracle import torch
import ember
import ember.utils.data as edata
import torch.utils.data as tdata


def test_sequential_sampler():
    assert list(edata.SequentialSampler(range(7))) == list(tdata.SequentialSampler(range(7)))
    assert len(edata.SequentialSampler(range(7))) == 7


@pytest.mark.parametrize("n,bs,drop", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False),
                                       (2, 5, True), (0, 4, False)])
def test_batch_sampler(n, bs, drop):
    e = edata.BatchSampler(edata.SequentialSampler(range(n)), bs, drop)
    t = tdata.BatchSampler(tdata.SequentialSampler(range(n)), bs, drop)
    assert list(e) == list(t)
    assert len(e) == len(t)
    # any iterable works as the inner sampler
    assert list(edata.BatchSampler([5, 3, 1], 2, False)) == [[5, 3], [1]]


@pytest.mark.parametrize("bs,drop", [(0, False), (-1, False), (True, False), (2.0, False),
                                     (2, 1), (2, None)])
def test_batch_sampler_errors(bs, drop):
    with pytest.raises(ValueError) as ee:
        edata.BatchSampler(range(4), bs, drop)
    with pytest.raises(ValueError) as te:
        tdata.BatchSampler(range(4), bs, drop)
    assert str(ee.value) == str(te.value)


def _seeded(sampler_fn, seed):
    return list(sampler_fn(ember.Generator().manual_seed(seed)))


def test_random_sampler_permutation_and_reproducible():
    def mk(g):
        return edata.RandomSampler(range(50), generator=g)
    a = _seeded(mk, 0)
    assert sorted(a) == list(range(50)) and a != list(range(50))
    assert a == _seeded(mk, 0)
    assert a != _seeded(mk, 1)
    # without a generator: reproducible through ember.manual_seed
    ember.manual_seed(7)
    b = list(edata.RandomSampler(range(20)))
    ember.manual_seed(7)
    assert b == list(edata.RandomSampler(range(20)))
    # a generator keeps advancing: two epochs differ
    s = edata.RandomSampler(range(30), generator=ember.Generator().manual_seed(3))
    assert list(s) != list(s)


def test_random_sampler_num_samples_and_replacement():
    g = ember.Generator().manual_seed(0)
    s = edata.RandomSampler(range(10), num_samples=25, generator=g)
    out = list(s)
    assert len(out) == len(s) == 25
    # without replacement: whole permutations, then part of one
    assert sorted(out[:10]) == list(range(10)) and sorted(out[10:20]) == list(range(10))
    assert len(set(out[20:])) == 5
    r = edata.RandomSampler(range(5), replacement=True, num_samples=1000, generator=g)
    out = list(r)
    assert len(out) == 1000 and set(out) == set(range(5))
    counts = collections.Counter(out)
    assert all(150 < c < 250 for c in counts.values())
    assert len(list(edata.RandomSampler(range(5), replacement=True, num_samples=3))) == 3


@pytest.mark.parametrize("kwargs", [dict(replacement=1), dict(num_samples=0),
                                    dict(num_samples=-2), dict(num_samples=1.5)])
def test_random_sampler_errors(kwargs):
    with pytest.raises(Exception) as ee:
        edata.RandomSampler(range(4), **kwargs)
    with pytest.raises(Exception) as te:
        tdata.RandomSampler(range(4), **kwargs)
    assert type(ee.value) is type(te.value) and str(ee.value) == str(te.value)


def test_subset_random_sampler():
    idx = [3, 9, 27, 81, 5]
    s = edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(0))
    out = list(s)
    assert sorted(out) == sorted(idx) and len(s) == 5
    s2 = edata.SubsetRandomSampler(idx, generator=ember.Generator().manual_seed(0))
    assert list(s2) == out


def test_weighted_random_sampler():
    w = [0.0, 1.0, 3.0, 0.0]
    s = edata.WeightedRandomSampler(w, 4000, generator=ember.Generator().manual_seed(0))
    out = list(s)
    assert len(out) == len(s) == 4000
    c = collections.Counter(out)
    assert set(c) == {1, 2} and 2.5 < c[2] / c[1] < 3.6
    again = edata.WeightedRandomSampler(w, 4000, generator=ember.Generator().manual_seed(0))
    assert list(again) == out
    nr = list(edata.WeightedRandomSampler([1, 1, 1, 5], 4, replacement=False))
    assert sorted(nr) == [0, 1, 2, 3]
    assert edata.WeightedRandomSampler(torch.tensor([1.0, 2.0]).numpy(), 2).weights.dtype \
        is ember.float64


@pytest.mark.parametrize("args", [([1, 2], 0), ([1, 2], True), ([1, 2], 3, 1), ([[1, 2]], 2)])
def test_weighted_random_sampler_errors(args):
    with pytest.raises(ValueError) as ee:
        edata.WeightedRandomSampler(*args)
    with pytest.raises(ValueError) as te:
        tdata.WeightedRandomSampler(*args)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("n", [10, 11, 3, 1])
@pytest.mark.parametrize("replicas", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_no_shuffle_exact(n, replicas, drop_last):
    for rank in range(replicas):
        e = edata.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                     drop_last=drop_last)
        t = tdata.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                     drop_last=drop_last)
        assert list(e) == list(t)
        assert len(e) == len(t) == e.num_samples and e.total_size == t.total_size


@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_shuffle(drop_last):
    n, replicas = 23, 4
    def shards(epoch, seed=0):
        out = []
        for rank in range(replicas):
            s = edata.DistributedSampler(range(n), replicas, rank, seed=seed,
                                         drop_last=drop_last)
            s.set_epoch(epoch)
            out.append(list(s))
        return out
    a = shards(0)
    t_len = len(tdata.DistributedSampler(range(n), replicas, 0, drop_last=drop_last))
    assert all(len(x) == t_len for x in a)
    flat = [i for x in a for i in x]
    if drop_last:
        assert len(set(flat)) == len(flat) == t_len * replicas  # disjoint shards
    else:
        assert set(flat) == set(range(n))  # every sample, the pad repeats a few
    assert a == shards(0)  # the same on every run (and every rank agrees)
    assert a != shards(1)  # set_epoch reshuffles
    assert a != shards(0, seed=5)


def test_distributed_sampler_errors():
    for kwargs in (dict(num_replicas=2, rank=2), dict(num_replicas=2, rank=-1)):
        with pytest.raises(ValueError) as ee:
            edata.DistributedSampler(range(4), **kwargs)
        with pytest.raises(ValueError) as te:
            tdata.DistributedSampler(range(4), **kwargs)
        assert str(ee.value) == str(te.value)
    # without an initialised process group, num_replicas and rank must be given
    for kwargs in ({}, dict(num_replicas=2), dict(rank=0)):
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            edata.DistributedSampler(range(4), **kwargs)


def test_sampler_base():
    with pytest.raises(NotImplementedError):
        iter(edata.Sampler())

    class Evens(edata.Sampler):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2
    assert list(edata.BatchSampler(Evens(9), 2, False)) == [[0, 2], [4, 6], [8]]
