"""default_collate / default_convert / collate against torch.utils.data."""
import collections

import numpy as np
import pytest

from oracle import torch
from datautil import same
import ember
import ember.utils.data as edata
import torch.utils.data as tdata

Point = collections.namedtuple("Point", ["x", "y"])


class MyDict(dict):
    pass


class FrozenMap(collections.abc.Mapping):
    """An immutable mapping whose constructor takes a dict (collated as its own type)."""

    def __init__(self, d):
        self._d = dict(d)

    def __getitem__(self, k):
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)


def _samples(lib):
    """Each case builds its batch with the library's own tensor type."""
    r = np.random.default_rng(0)
    a = [r.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    return {
        "tensors": [lib.tensor(x) for x in a],
        "int_tensors": [lib.tensor([i, i + 1]) for i in range(3)],
        "scalar_tensors": [lib.tensor(float(i)) for i in range(4)],
        "numpy_f32": a,
        "numpy_i16": [np.arange(3, dtype=np.int16) + i for i in range(2)],
        "numpy_bool": [np.array([True, False]), np.array([False, False])],
        "numpy_0d": [np.array(1.5), np.array(2.5)],
        "numpy_scalars_f32": [np.float32(1.5), np.float32(2.0)],
        "numpy_scalars_i64": [np.int64(3), np.int64(4)],
        "numpy_scalars_u8": [np.uint8(3), np.uint8(200)],
        "numpy_scalars_bool": [np.bool_(True), np.bool_(False)],
        "floats": [1.0, 2.5, -3.0],
        "ints": [1, 2, 3],
        "bools": [True, False, True],
        "strings": ["a", "bc", "d"],
        "bytes": [b"a", b"b"],
        "dicts": [{"x": i, "y": float(i), "s": str(i)} for i in range(3)],
        "mydicts": [MyDict(a=i, b=[i, i]) for i in range(2)],
        "frozenmap": [FrozenMap({"a": i}) for i in range(2)],
        "tuples": [(i, float(i), "s") for i in range(3)],
        "lists": [[i, i * 2] for i in range(3)],
        "namedtuples": [Point(i, float(i)) for i in range(3)],
        "nested": [{"img": lib.ones(2) * i, "meta": {"id": i, "tags": ["a", "b"]},
                    "pair": (np.float64(i), [i, i])} for i in range(3)],
        "tensor_label": [(lib.full((2, 2), float(i)), i) for i in range(4)],
        "range_seq": [range(3), range(3)],
    }


CASES = list(_samples(torch).keys())


@pytest.mark.parametrize("case", CASES)
def test_default_collate_matches_torch(case):
    t = tdata.default_collate(_samples(torch)[case])
    e = edata.default_collate(_samples(ember)[case])
    same(e, t)


def test_collate_dtypes():
    # The dtype rules that matter most: float -> float64, int -> int64, bool -> bool.
    assert edata.default_collate([1.0, 2.0]).dtype is ember.float64
    assert edata.default_collate([1, 2]).dtype is ember.int64
    assert edata.default_collate([True, False]).dtype is ember.bool
    assert edata.default_collate([np.float32(1)]).dtype is ember.float32


@pytest.mark.parametrize("case", CASES)
def test_default_convert_matches_torch(case):
    for t_s, e_s in zip(_samples(torch)[case], _samples(ember)[case]):
        same(edata.default_convert(e_s), tdata.default_convert(t_s))


def test_default_convert_numpy_strings_unchanged():
    a = np.array(["x", "y"])
    assert edata.default_convert(a) is a
    assert edata.default_convert("abc") == "abc"


def _err(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return type(e), str(e).replace("torch.", "").replace("ember.", "")
    return None


@pytest.mark.parametrize("bad", [
    lambda lib: [object(), object()],
    lambda lib: [np.array(["a", "b"]), np.array(["c", "d"])],
    lambda lib: [np.array([object()]), np.array([object()])],
    lambda lib: [None, None],
    lambda lib: [[1, 2], [3]],
    lambda lib: [lib.zeros(3), lib.zeros(4)],
    lambda lib: [{"a": 1}, {"b": 2}],
])
def test_collate_errors_match_torch(bad):
    def run(lib, mod):
        return mod.default_collate(bad(lib))
    te = _err(lambda lib: run(lib, tdata), torch)
    ee = _err(lambda lib: run(lib, edata), ember)
    assert te is not None and ee is not None
    assert ee[0] is te[0], (ee, te)
    if te[0] is TypeError:
        # "found <class 'object'>" / "found <U1": the type named is the same
        assert ee[1].split("; found")[0] == te[1].split("; found")[0]
        assert ee[1].split("found ")[-1] == te[1].split("found ")[-1]
    elif te[0] is RuntimeError:
        assert ee[1] == te[1]


def test_collate_custom_map():
    class Box:
        def __init__(self, v):
            self.v = v

    def collate_box(batch, *, collate_fn_map=None):
        return ember.tensor([b.v for b in batch]) * 10

    fmap = dict(edata.collate.default_collate_fn_map)
    fmap[Box] = collate_box
    out = edata.collate.collate([(Box(1), 2), (Box(3), 4)], collate_fn_map=fmap)
    assert out[0].tolist() == [10, 30] and out[1].tolist() == [2, 4]


def test_collate_keeps_grad():
    x = [ember.ones(2, requires_grad=True) for _ in range(2)]
    out = edata.default_collate(x)
    out.sum().backward()
    assert x[0].grad.tolist() == [1.0, 1.0]
