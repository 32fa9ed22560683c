"""dtypes: PyTorch's promotion (hypothesis over dtype pairs and operand kinds), finfo/iinfo,
default dtype, casts."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from oracle import check_error, torch

import ember

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16",
          "float32", "float64"]
SCALARS = [True, 3, -2, 2.5, 0.0]


def _operand(lib, kind, dtype, scalar):
    if kind == "scalar":
        return scalar
    data = [1, 0, 1] if kind == "tensor" else 1
    return lib.tensor(data, dtype=getattr(lib, dtype))


def _result_dtype(lib, op, a, b):
    try:
        return str(op(lib, a, b).dtype)
    except Exception as exc:  # noqa: BLE001 - both libraries must refuse alike
        return type(exc).__name__


OPS = {"add": lambda lib, a, b: a + b, "mul": lambda lib, a, b: lib.mul(a, b),
       "div": lambda lib, a, b: lib.div(a, b), "sub": lambda lib, a, b: a - b,
       "where": lambda lib, a, b: lib.where(lib.tensor([True, False, True]), a, b),
       "eq": lambda lib, a, b: a == b, "pow": lambda lib, a, b: lib.pow(a, b),
       "maximum": lambda lib, a, b: lib.maximum(a, b)}


@settings(max_examples=400, deadline=None)
@given(da=st.sampled_from(DTYPES), db=st.sampled_from(DTYPES),
       ka=st.sampled_from(["tensor", "0d"]), kb=st.sampled_from(["tensor", "0d", "scalar"]),
       scalar=st.sampled_from(SCALARS), op=st.sampled_from(sorted(OPS)))
def test_promotion_matches_torch(da, db, ka, kb, scalar, op):
    fn = OPS[op]
    if op == "maximum" and kb == "scalar":
        kb = "0d"
    te = _result_dtype(torch, fn, _operand(torch, ka, da, scalar), _operand(torch, kb, db, scalar))
    ee = _result_dtype(ember, fn, _operand(ember, ka, da, scalar), _operand(ember, kb, db, scalar))
    assert ee == te, f"{op}({ka} {da}, {kb} {db if kb != 'scalar' else scalar!r})"


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
def test_promote_types(a, b):
    assert repr(ember.promote_types(getattr(ember, a), getattr(ember, b))) == \
        repr(torch.promote_types(getattr(torch, a), getattr(torch, b)))


def test_promotion_examples():
    i = ember.tensor([1, 2])
    assert (i / i).dtype is ember.float32                    # int / int is float
    assert (i + 1.5).dtype is ember.float32                  # int tensor + float: default
    assert (ember.tensor([True]) + 1).dtype is ember.int64   # bool + int is int64
    f16 = ember.ones(2, dtype=ember.float16)
    assert (f16 + ember.tensor(1.0, dtype=ember.float64)).dtype is ember.float16  # 0-d
    assert (f16 + 2.0).dtype is ember.float16                 # scalars do not widen
    u8 = ember.ones(2, dtype=ember.uint8)
    assert (u8 + ember.ones(2, dtype=ember.int8)).dtype is ember.int16
    assert (f16 + ember.ones(2, dtype=ember.bfloat16)).dtype is ember.float32
    assert (ember.tensor([1], dtype=ember.int32) + ember.tensor(5)).dtype is ember.int32
    assert ember.result_type(i, 1.0) is ember.float32


def test_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.tensor([1.0]).dtype is ember.float64
        assert ember.ones(2).dtype is ember.float64
        assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
        assert ember.tensor([1, 2]).sin().dtype is ember.float64
        assert ember.finfo().dtype == "float64"
    finally:
        ember.set_default_dtype(ember.float32)
    check_error(lambda lib: lib.set_default_dtype(lib.int64), TypeError)


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_finfo(name):
    e, t = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(e, attr) == getattr(t, attr), attr
    assert e.dtype == t.dtype
    assert repr(e) == repr(t)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert (e.bits, e.min, e.max, e.dtype) == (t.bits, t.min, t.max, t.dtype)
    assert repr(e) == repr(t)
    check_error(lambda lib: lib.iinfo(lib.float32), TypeError)
    check_error(lambda lib: lib.finfo(lib.int32), TypeError)


def test_dtype_objects():
    for name in DTYPES:
        e, t = getattr(ember, name), getattr(torch, name)
        assert repr(e) == repr(t) and str(e) == str(t)
        assert e.is_floating_point == t.is_floating_point
        assert e.is_signed == t.is_signed
        assert e.itemsize == t.itemsize
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.half is ember.float16
    assert ember.int is ember.int32 and ember.short is ember.int16
    for lib in (torch, ember):
        assert lib.is_floating_point(lib.ones(1)) and not lib.is_floating_point(lib.ones(1).long())
        assert lib.ones(1, dtype=lib.bfloat16).is_floating_point()


def test_bfloat16_roundtrip():
    vals = [1.0, 3.14159, -2.5e-3, 1e30]
    e = ember.tensor(vals, dtype=ember.bfloat16)
    t = torch.tensor(vals, dtype=torch.bfloat16)
    assert e.float().tolist() == t.float().tolist()
    assert (e * 2).dtype is ember.bfloat16
    assert e.element_size() == 2
