"""Tensor factories against torch: values, dtype inference, devices, requires_grad, errors."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, torch

import ember

DATA = [[1, 2], [3.0, 4], [True, False], 5, 2.5, True, [[1, 2], [3, 4]], [], [[]],
        [1, 2.0], [True, 2], (1, 2), [np.float64(1.5)], [np.int32(3)], np.arange(3),
        np.arange(3, dtype=np.int32), np.ones((2, 2), np.float64), np.array(2.5),
        [np.array([1, 2]), np.array([3, 4])], np.zeros(3, np.uint8), 1 + 2j]


@pytest.mark.parametrize("i", range(len(DATA)))
def test_tensor_inference(i):
    d = DATA[i]
    assert_same(ember.tensor(d), torch.tensor(d))
    assert_same(ember.as_tensor(d), torch.as_tensor(d))


def test_tensor_of_tensors_and_default_dtype():
    assert_same(ember.tensor([ember.tensor(1.5), ember.tensor(2.0)]),
                torch.tensor([torch.tensor(1.5), torch.tensor(2.0)]))
    prev = ember.get_default_dtype()
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        assert_same(ember.tensor([1.0, 2]), torch.tensor([1.0, 2]))
        assert_same(ember.arange(0.0, 1, 0.25), torch.arange(0.0, 1, 0.25))
        assert_same(ember.zeros(2), torch.zeros(2))
    finally:
        ember.set_default_dtype(prev)
        torch.set_default_dtype(torch.float32)


def test_tensor_kwargs():
    t = ember.tensor([1.0, 2.0], dtype=ember.float64, device="cpu", requires_grad=True)
    assert t.dtype is ember.float64 and t.requires_grad and t.is_leaf
    assert t.device == ember.device("cpu")
    assert ember.tensor([1, 2], dtype=ember.float32).dtype is ember.float32
    src = ember.tensor([1.0, 2.0])
    c = ember.tensor(src)
    c[0] = 9.0
    assert src[0].item() == 1.0


def test_tensor_errors():
    check_error(lambda lib: lib.tensor([[1, 2], [3]]), ValueError, "expected sequence of length")
    check_error(lambda lib: lib.tensor([1, 2], requires_grad=True), RuntimeError)
    check_error(lambda lib: lib.tensor("abc"), TypeError)
    check_error(lambda lib: lib.zeros(2, -1), RuntimeError)


def test_from_numpy_shares_memory():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = ember.from_numpy(a)
    a[0, 0] = 42
    assert t[0, 0].item() == 42
    t[1, 1] = -1
    assert a[1, 1] == -1
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)
    assert ember.as_tensor(a).data_ptr() == t.data_ptr()
    assert ember.as_tensor(a, dtype=ember.float64).data_ptr() != t.data_ptr()
    with pytest.raises(ValueError):
        ember.from_numpy(a[:, ::-1])
    with pytest.raises(TypeError):
        ember.from_numpy([1, 2])
    s = ember.from_numpy(a[:, ::2])
    assert s.stride() == torch.from_numpy(a[:, ::2]).stride()


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_filled_factories(name):
    for size in [(2, 3), ((2, 3),), ([4],), (0,), ((),)]:
        e = getattr(ember, name)(*size)
        t = getattr(torch, name)(*size)
        assert tuple(e.shape) == tuple(t.shape) and e.dtype.name == str(t.dtype)[6:]
        if name != "empty":
            assert_same(e, t)
    e = getattr(ember, name)(2, dtype=ember.int64, requires_grad=False, device="cpu")
    assert e.dtype is ember.int64
    assert getattr(ember, name)(2, requires_grad=True).requires_grad
    x = ember.ones(2, 3, dtype=ember.float64)
    like = getattr(ember, name + "_like")(x)
    assert like.shape == x.shape and like.dtype is ember.float64
    assert getattr(ember, name + "_like")(x, dtype=ember.int32).dtype is ember.int32


def test_full():
    assert_same(ember.full((2, 3), 1.5), torch.full((2, 3), 1.5))
    assert_same(ember.full((2,), 7), torch.full((2,), 7))
    assert_same(ember.full((2,), True), torch.full((2,), True))
    assert_same(ember.full((2,), 7, dtype=ember.float64), torch.full((2,), 7, dtype=torch.float64))
    assert_same(ember.full_like(ember.ones(2, dtype=ember.int64), 3.7),
                torch.full_like(torch.ones(2, dtype=torch.int64), 3.7))


@pytest.mark.parametrize("args", [(5,), (1, 4), (0, 1, 0.1), (1, 2.5, 0.5), (10, 0, -3),
                                  (0.0, 1.0, 0.3), (2, 2), (-1.5, 2)])
def test_arange(args):
    assert_same(ember.arange(*args), torch.arange(*args))
    assert_same(ember.arange(*args, dtype=ember.float64), torch.arange(*args, dtype=torch.float64))


def test_arange_errors():
    check_error(lambda lib: lib.arange(0, 5, 0), RuntimeError)
    check_error(lambda lib: lib.arange(5, 0, 1), RuntimeError)


@pytest.mark.parametrize("args", [(0, 1, 5), (-2, 3, 1), (3, -3, 7), (0, 1, 0), (1, 10, 4)])
def test_linspace_logspace(args):
    assert_same(ember.linspace(*args), torch.linspace(*args))
    assert_same(ember.linspace(*args, dtype=ember.int64), torch.linspace(*args, dtype=torch.int64))
    assert_same(ember.logspace(*args), torch.logspace(*args), rtol=1e-5)
    assert_same(ember.logspace(*args, base=2), torch.logspace(*args, base=2), rtol=1e-5)


def test_eye_tri():
    assert_same(ember.eye(3), torch.eye(3))
    assert_same(ember.eye(2, 4, dtype=ember.int64), torch.eye(2, 4, dtype=torch.int64))
    for r, c, o in [(3, 3, 0), (4, 3, 1), (3, 5, -1), (0, 0, 0)]:
        assert_same(ember.tril_indices(r, c, o), torch.tril_indices(r, c, o))
        assert_same(ember.triu_indices(r, c, o), torch.triu_indices(r, c, o))
    for k in (0, 1, -1):
        check(lambda lib, x: lib.tril(x, k), [(3, 4)])
        check(lambda lib, x: x.triu(k), [(2, 3, 4)], noncontig=True)
        check(lambda lib, x: x.clone().tril_(k), [(3, 4)])
    check_error(lambda lib: lib.eye(-1), RuntimeError)
    check_error(lambda lib: lib.tril(lib.ones(3)), RuntimeError)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    check(lambda lib, a, b, c: lib.meshgrid(a, b, c, indexing=indexing), [(2,), (3,), (4,)])
    check(lambda lib, a, b: lib.meshgrid([a, b], indexing=indexing), [(2,), (3,)])


def test_new_methods():
    x = ember.ones(2, dtype=ember.float64)
    tx = torch.ones(2, dtype=torch.float64)
    assert_same(x.new_zeros(3, 2), tx.new_zeros(3, 2))
    assert_same(x.new_ones((2,)), tx.new_ones((2,)))
    assert_same(x.new_full((2, 2), 3), tx.new_full((2, 2), 3))
    assert_same(x.new_tensor([1, 2]), tx.new_tensor([1, 2]))
    assert_same(x.new_zeros(2, dtype=ember.int32), tx.new_zeros(2, dtype=torch.int32))
    assert tuple(x.new_empty(4).shape) == (4,) and x.new_empty(4).dtype is ember.float64
    assert x.new_ones(2, requires_grad=True).requires_grad
