"""The Tensor object: metadata, Python protocols, NumPy/DLPack interop, legacy constructors
and casts, against torch."""
import math

import numpy as np
import pytest

from oracle import assert_same, check, check_error, torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def test_metadata():
    for lib in (ember, torch):
        t = lib.arange(24.0).reshape(2, 3, 4)
        assert t.shape == (2, 3, 4) and isinstance(t.shape, lib.Size)
        assert t.size() == lib.Size([2, 3, 4]) and t.size(1) == 3 and t.size(-1) == 4
        assert t.ndim == 3 and t.dim() == 3 and t.numel() == 24 and len(t) == 2
        assert t.stride() == (12, 4, 1) and t.stride(0) == 12
        assert t.element_size() == 4 and t.dtype == lib.float32
        assert t.is_contiguous() and not t.transpose(0, 2).is_contiguous()
        assert t.transpose(0, 2).stride() == (1, 4, 12)
        assert t[1].storage_offset() == 12 and t[:, 1].storage_offset() == 4
        assert t.device == lib.device("cpu") and str(t.device) == "cpu"
        assert t.is_leaf and t.grad is None and t.grad_fn is None and not t.requires_grad
        assert t.T.shape == (4, 3, 2) and t.mT.shape == (2, 4, 3)
        assert lib.ones(3, 0).stride() == (1, 1)
        assert lib.tensor(5).shape == () and lib.tensor(5).dim() == 0
    assert repr(ember.Size([2, 3])) == repr(torch.Size([2, 3])) == "torch.Size([2, 3])"
    assert ember.Size([2, 3]).numel() == 6
    assert isinstance(ember.ones(2, 3).shape[0:1], ember.Size)


def test_autograd_attributes():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        assert x.is_leaf and not y.is_leaf and y.requires_grad
        assert type(y.grad_fn).__name__ == "MulBackward0"
        y.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]
        d = y.data
        assert not d.requires_grad and d.is_leaf
        assert x.detach().requires_grad is False
    check_error(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_(), RuntimeError)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool", "uint8",
                                   "float16"])
def test_item_tolist_conversions(dtype):
    for lib in (ember, torch):
        t = lib.tensor([[1, 0], [3, 4]]).to(getattr(lib, dtype))
        s = lib.tensor(3).to(getattr(lib, dtype))
        assert s.item() == (torch.tensor(3).to(getattr(torch, dtype)).item())
        assert type(s.item()) is type(torch.tensor(3).to(getattr(torch, dtype)).item())
        assert t.tolist() == torch.tensor([[1, 0], [3, 4]]).to(getattr(torch, dtype)).tolist()
        assert int(s) == 3 or dtype == "bool"
        assert float(s) in (3.0, 1.0)
        assert bool(s)
        assert [type(v) for v in t.tolist()[0]] == \
            [type(v) for v in torch.tensor([[1, 0]]).to(getattr(torch, dtype)).tolist()[0]]


def test_python_protocols():
    e, t = ember.tensor([1.5, 2.5, 3.5]), torch.tensor([1.5, 2.5, 3.5])
    assert [float(v) for v in e] == [float(v) for v in t]
    assert all(isinstance(v, ember.Tensor) and v.dim() == 0 for v in e)
    assert f"{ember.tensor(3.14159):.2f}" == f"{torch.tensor(3.14159):.2f}" == "3.14"
    assert f"{ember.tensor(7)}" == f"{torch.tensor(7)}"
    assert f"{e}" == f"{t}"
    assert [10, 20, 30][ember.tensor(1)] == 20
    assert math.floor(ember.tensor(2.7)) == 2 if hasattr(ember.Tensor, "__floor__") else True
    check_error(lambda lib: bool(lib.ones(2)), RuntimeError)
    check_error(lambda lib: lib.ones(2).item(), RuntimeError)
    check_error(lambda lib: len(lib.tensor(1.0)), TypeError)
    check_error(lambda lib: iter(lib.tensor(1.0)), TypeError)
    check_error(lambda lib: [1, 2][lib.tensor(1.0)], TypeError)
    check_error(lambda lib: int(lib.ones(3)), ValueError)  # as torch 2.x raises
    assert ember.tensor([2]).__index__() == 2


def test_numpy_sharing():
    for lib in (ember, torch):
        t = lib.zeros(3)
        a = t.numpy()
        a[0] = 5
        assert t[0].item() == 5
        t[1] = 7
        assert a[1] == 7
        b = np.arange(4.0)
        u = lib.from_numpy(b)
        b[0] = -1
        assert u[0].item() == -1 and u.dtype == lib.float64
        assert np.asarray(lib.ones(2)).dtype == np.float32
        assert np.array(lib.ones(2), dtype=np.float64).dtype == np.float64
    check_error(lambda lib: lib.ones(2, requires_grad=True).numpy(), RuntimeError)
    assert ember.ones(2, requires_grad=True).numpy(force=True).tolist() == [1.0, 1.0]


def test_dlpack_roundtrip():
    e = ember.arange(6.0).reshape(2, 3)
    t = torch.from_dlpack(e)
    assert t.tolist() == e.tolist()
    t[0, 0] = 42.0   # shares memory
    assert e[0, 0].item() == 42.0
    back = ember.from_dlpack(torch.arange(4)) if hasattr(ember, "from_dlpack") else None
    if back is not None:
        assert back.tolist() == [0, 1, 2, 3] and back.dtype is ember.int64
    n = np.from_dlpack(e)
    assert n.shape == (2, 3) and n[0, 0] == 42.0
    assert e.__dlpack_device__() == (1, 0)
    check_error(lambda lib: lib.ones(2, requires_grad=True).__dlpack__(), RuntimeError)


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "ByteTensor", "BoolTensor", "HalfTensor", "ShortTensor",
                                  "CharTensor"])
def test_legacy_constructors(name):
    e = getattr(ember, name)([1, 0, 2])
    t = getattr(torch, name)([1, 0, 2])
    assert_same(e, t)
    e2, t2 = getattr(ember, name)(2, 3), getattr(torch, name)(2, 3)
    assert e2.shape == t2.shape and e2.dtype == getattr(ember, str(t2.dtype)[6:])
    assert isinstance(e, getattr(ember, name)) and isinstance(e, ember.Tensor)
    assert e.type() == t.type()
    assert getattr(ember, name)().shape == (0,)


def test_tensor_constructor():
    assert_same(ember.Tensor([1, 2]), torch.Tensor([1, 2]))
    assert_same(ember.Tensor([[1.5], [2.5]]), torch.Tensor([[1.5], [2.5]]))
    assert ember.Tensor(2, 3).shape == (2, 3) and ember.Tensor(2, 3).dtype is ember.float32
    assert ember.Tensor(ember.Size([4])).shape == (4,)
    assert ember.Tensor().shape == torch.Tensor().shape
    assert isinstance(ember.ones(1), ember.Tensor)


@pytest.mark.parametrize("cast", ["float", "double", "half", "bfloat16", "long", "int", "bool",
                                  "short", "char", "byte"])
def test_casts(cast):
    a = np.array([[1.7, -2.2, 0.0], [3.0, 250.5, -0.5]], np.float32)
    check(lambda lib, x: getattr(x, cast)(), [a], grad=cast in ("float", "double", "half",
                                                                "bfloat16"))


def test_to_and_type():
    a = np.array([1.5, -2.0, 3.0], np.float32)
    for fn in (lambda lib, x: x.to(lib.float64), lambda lib, x: x.to(lib.int32),
               lambda lib, x: x.to(lib.ones(1, dtype=lib.float16)),
               lambda lib, x: x.to("cpu", lib.float64), lambda lib, x: x.to(dtype=lib.int64),
               lambda lib, x: x.to(device="cpu"), lambda lib, x: x.type(lib.float64),
               lambda lib, x: x.type("torch.DoubleTensor"), lambda lib, x: x.type(lib.IntTensor),
               lambda lib, x: x.type_as(lib.ones(1, dtype=lib.float64)),
               lambda lib, x: x.to(lib.float32, copy=True), lambda lib, x: x.cpu()):
        check(fn, [a])
    for lib in (ember, torch):
        x = lib.ones(2)
        assert x.to(lib.float32) is x and x.to("cpu") is x
        assert x.to(lib.float32, copy=True) is not x
        assert x.type() == "torch.FloatTensor"
        assert x.double().type() == "torch.DoubleTensor"
    x = ember.ones(2, requires_grad=True)
    y = x.double()
    assert y.grad_fn.name() == "ToCopyBackward0"


def test_bfloat16_ops():
    a = np.array([1.5, -2.25, 3.0], np.float32)
    for fn in (lambda lib, x: x.bfloat16() * 2, lambda lib, x: x.bfloat16().exp(),
               lambda lib, x: x.bfloat16().sum(), lambda lib, x: x.bfloat16() + x.bfloat16(),
               lambda lib, x: (x.bfloat16() > 0), lambda lib, x: x.bfloat16().float()):
        check(fn, [a], grad=False)


def test_default_dtype_factories():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.Tensor([1]).dtype is ember.float64
        assert ember.FloatTensor([1]).dtype is ember.float32
    finally:
        ember.set_default_dtype(ember.float32)
