"""DataLoader in the main process against torch.utils.data: batch contents and order, len,
drop_last, samplers, iterable datasets and the argument errors."""
import collections
import warnings

import numpy as np
import pytest

from oracle import torch
from datautil import same, to_list
import ember
import ember.utils.data as edata
import torch.utils.data as tdata

LIBS = {"torch": (torch, tdata), "ember": (ember, edata)}
RNG = np.random.default_rng(0)
IMG = RNG.standard_normal((23, 3, 4)).astype(np.float32)
LAB = RNG.integers(0, 10, 23)


def tensor_ds(name):
    lib, mod = LIBS[name]
    return mod.TensorDataset(lib.tensor(IMG), lib.tensor(LAB))


def dict_ds(name):
    lib, mod = LIBS[name]

    class D(mod.Dataset):
        def __len__(self):
            return 11

        def __getitem__(self, i):
            return {"x": IMG[i], "n": i, "f": float(i) / 2, "name": f"s{i}",
                    "pair": (np.int32(i), [True, i % 2 == 0])}
    return D()


def both(make_ds, **kw):
    out = {}
    for name, (lib, mod) in LIBS.items():
        out[name] = mod.DataLoader(make_ds(name), **kw)
    return out["ember"], out["torch"]


def check_epoch(make_ds, **kw):
    e, t = both(make_ds, **kw)
    eb, tb = list(e), list(t)
    assert len(eb) == len(tb)
    same(eb, tb)
    assert len(e) == len(t) == len(tb)


@pytest.mark.parametrize("bs", [1, 5, 23, 64])
@pytest.mark.parametrize("drop_last", [False, True])
def test_tensor_dataset_batches(bs, drop_last):
    check_epoch(tensor_ds, batch_size=bs, drop_last=drop_last)


@pytest.mark.parametrize("bs", [1, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_dict_dataset_batches(bs, drop_last):
    check_epoch(dict_ds, batch_size=bs, drop_last=drop_last)


def test_batch_size_none_converts():
    check_epoch(dict_ds, batch_size=None)
    check_epoch(tensor_ds, batch_size=None)


def test_explicit_sampler_and_batch_sampler():
    order = [5, 3, 22, 0, 7, 7, 1]
    check_epoch(tensor_ds, sampler=order, batch_size=3)
    check_epoch(tensor_ds, batch_sampler=[[1, 2], [9], [4, 0, 22]])
    check_epoch(dict_ds, batch_sampler=[[1, 2], [9], [4, 0, 10]])


def test_custom_collate():
    def collate(batch):
        return [b[1].item() * 2 for b in batch]
    e, t = both(tensor_ds, batch_size=4, collate_fn=collate)
    assert list(e) == list(t)


def test_tensor_fast_path_subsets_and_negative_indices():
    # Subset of a TensorDataset (what random_split gives) and negative indices
    for idx in ([4, 2, 0, -1, 9], list(range(23))[::-1], np.arange(5, 15)):
        def make(name):
            return LIBS[name][1].Subset(tensor_ds(name), idx)
        check_epoch(make, batch_size=3)
    check_epoch(tensor_ds, batch_sampler=[[-1, -23, 4], [0]])


def test_tensor_fast_path_error_same_as_slow_path():
    for bad in ([[0, 23]], [[-24]]):
        with pytest.raises(IndexError) as ee:
            list(edata.DataLoader(tensor_ds("ember"), batch_sampler=bad))
        with pytest.raises(IndexError) as te:
            list(tdata.DataLoader(tensor_ds("torch"), batch_sampler=bad))
        assert str(ee.value) == str(te.value)


def test_tensor_dataset_requires_grad_and_subclass():
    w = ember.ones(6, 2, requires_grad=True)
    (x,) = next(iter(edata.DataLoader(edata.TensorDataset(w), batch_size=6)))
    assert x.requires_grad
    x.sum().backward()
    assert w.grad.tolist() == [[1.0, 1.0]] * 6

    class Doubled(edata.TensorDataset):
        def __getitem__(self, i):
            return tuple(t[i] * 2 for t in self.tensors)
    (y,) = next(iter(edata.DataLoader(Doubled(ember.arange(4)), batch_size=4)))
    assert y.tolist() == [0, 2, 4, 6]


def test_shuffle_reproducible_with_generator():
    def epoch(seed):
        g = ember.Generator().manual_seed(seed)
        return [b[1].tolist() for b in edata.DataLoader(tensor_ds("ember"), batch_size=5,
                                                         shuffle=True, generator=g)]
    a = epoch(0)
    assert sorted(sum(a, [])) == sorted(LAB.tolist())
    assert a == epoch(0) and a != epoch(1)
    ember.manual_seed(3)
    b = [x.tolist() for _, x in edata.DataLoader(tensor_ds("ember"), batch_size=5,
                                                  shuffle=True)]
    ember.manual_seed(3)
    assert b == [x.tolist() for _, x in edata.DataLoader(tensor_ds("ember"), batch_size=5,
                                                          shuffle=True)]
    loader = edata.DataLoader(tensor_ds("ember"), batch_size=23, shuffle=True,
                              generator=ember.Generator().manual_seed(0))
    assert to_list(list(loader)) != to_list(list(loader))  # each epoch reshuffles


def iterable_ds(name, n=10):
    mod = LIBS[name][1]

    class It(mod.IterableDataset):
        def __iter__(self):
            return iter([{"i": i, "v": np.float32(i) / 4} for i in range(n)])

        def __len__(self):
            return n
    return It()


@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                dict(batch_size=None), dict(batch_size=10),
                                dict(batch_size=4, drop_last=True)])
def test_iterable_dataset(kw):
    check_epoch(iterable_ds, **kw)


def test_iterable_len_warning():
    mod = edata

    class Lies(mod.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2
    loader = edata.DataLoader(Lies(), batch_size=None)
    assert len(loader) == 2
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert list(loader) == [0, 1, 2, 3, 4]
    assert any("was reported to be 2" in str(x.message) for x in w)


def _both_raise(kwargs, make=tensor_ds):
    errs = []
    for name in ("ember", "torch"):
        with pytest.raises(Exception) as ei:
            LIBS[name][1].DataLoader(make(name), **kwargs(name))
        errs.append(ei.value)
    assert type(errs[0]) is type(errs[1]), errs
    msg_e = str(errs[0]).replace("ember", "torch")
    assert msg_e.split(" but got")[0] == str(errs[1]).split(" but got")[0], errs


@pytest.mark.parametrize("kwargs", [
    lambda n: dict(batch_sampler=[[0]], batch_size=2),
    lambda n: dict(batch_sampler=[[0]], shuffle=True),
    lambda n: dict(batch_sampler=[[0]], sampler=[0]),
    lambda n: dict(batch_sampler=[[0]], drop_last=True),
    lambda n: dict(sampler=[0, 1], shuffle=True),
    lambda n: dict(batch_size=None, drop_last=True),
    lambda n: dict(num_workers=-1),
    lambda n: dict(timeout=-1),
    lambda n: dict(prefetch_factor=2),
    lambda n: dict(num_workers=1, prefetch_factor=-1),
    lambda n: dict(persistent_workers=True),
    lambda n: dict(multiprocessing_context="fork"),
    lambda n: dict(num_workers=1, multiprocessing_context="nope"),
    lambda n: dict(num_workers=1, multiprocessing_context=3),
])
def test_argument_conflicts(kwargs):
    _both_raise(kwargs)


@pytest.mark.parametrize("kwargs", [lambda n: dict(shuffle=True),
                                    lambda n: dict(sampler=[0]),
                                    lambda n: dict(batch_sampler=[[0]])])
def test_iterable_argument_errors(kwargs):
    _both_raise(kwargs, make=iterable_ds)


def test_attributes_locked_and_defaults():
    loader = edata.DataLoader(tensor_ds("ember"), batch_size=4)
    for attr in ("batch_size", "sampler", "batch_sampler", "drop_last", "dataset",
                 "persistent_workers"):
        with pytest.raises(ValueError, match=f"{attr} attribute should not be set after "
                                             f"DataLoader is initialized"):
            setattr(loader, attr, None)
    loader.num_workers = 0  # not locked, as in torch
    assert isinstance(loader.sampler, edata.SequentialSampler)
    assert isinstance(loader.batch_sampler, edata.BatchSampler)
    assert loader.collate_fn is edata.default_collate
    assert edata.DataLoader(tensor_ds("ember"), batch_size=None).collate_fn \
        is edata.default_convert
    assert isinstance(edata.DataLoader(tensor_ds("ember"), shuffle=True).sampler,
                      edata.RandomSampler)
    with pytest.raises(AssertionError, match="requires timeout == 0"):
        iter(edata.DataLoader(tensor_ds("ember"), timeout=1))


def test_pin_memory_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e, t = both(tensor_ds, batch_size=8, pin_memory=True)
        same(list(e), list(t))


def test_len_of_loader_and_iterator():
    loader = edata.DataLoader(tensor_ds("ember"), batch_size=5)
    it = iter(loader)
    assert len(loader) == len(it) == 5
    with pytest.raises(NotImplementedError):
        import pickle
        pickle.dumps(it)


def test_get_worker_info_in_main_process():
    assert edata.get_worker_info() is None


def test_namedtuple_samples():
    P = collections.namedtuple("P", "a b")
    e = list(edata.DataLoader([P(i, float(i)) for i in range(5)], batch_size=2))
    t = list(tdata.DataLoader([P(i, float(i)) for i in range(5)], batch_size=2))
    same(e, t)
