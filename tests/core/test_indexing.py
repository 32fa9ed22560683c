"""Indexing against torch: getitem/setitem keys, gather/scatter, index_*, masks, take."""
import numpy as np
import pytest

from oracle import check, check_error, gradcheck, torch

import ember

IDX = np.array([2, 0, 2], np.int64)
MASK = np.array([True, False, True, True], bool)


def T(lib, a):
    return a if isinstance(a, lib.Tensor) else lib.tensor(a)


KEYS = [
    lambda lib: 1, lambda lib: -1, lambda lib: slice(1, 3), lambda lib: (slice(None), 2),
    lambda lib: (Ellipsis, 1), lambda lib: (None, 0), lambda lib: (slice(None, None, 2), None),
    lambda lib: T(lib, IDX), lambda lib: [0, 2, 2], lambda lib: (slice(None), T(lib, [1, 3])),
    lambda lib: (T(lib, [0, 1]), T(lib, [2, 3])), lambda lib: T(lib, MASK[:3]),
    lambda lib: (slice(None), T(lib, MASK)), lambda lib: (T(lib, [0, 2]), slice(1, 3)),
    lambda lib: (T(lib, [[0], [1]]), T(lib, [1, 2])), lambda lib: T(lib, np.array(1)),
    lambda lib: (1, T(lib, [0, 0, 3])), lambda lib: (T(lib, [0, 1]), Ellipsis, T(lib, [1, 0])),
    lambda lib: T(lib, np.ones((3, 4), bool)), lambda lib: (Ellipsis, None),
    lambda lib: (slice(None), None, T(lib, [1])),
]


@pytest.mark.parametrize("k", range(len(KEYS)))
def test_getitem(k):
    check(lambda lib, x: x[KEYS[k](lib)], [(3, 4)])
    check(lambda lib, x: x[KEYS[k](lib)], [(3, 4)], noncontig=True)


def test_getitem_3d_and_grad():
    check(lambda lib, x: x[:, T(lib, [0, 2, 0])][..., 1:], [(2, 3, 4)])
    check(lambda lib, x: x[T(lib, [1, 0]), :, T(lib, [3, 3])], [(2, 3, 4)])
    gradcheck(lambda lib, x: x[lib.tensor([0, 0, 1])] * 2, [(3, 2)])
    gradcheck(lambda lib, x: x[1:, ::2], [(3, 4)])


def test_getitem_int_dtype_and_empty():
    check(lambda lib, x: x[T(lib, [1, 0])], [(3, 4)], dtype="int64")
    check(lambda lib, x: x[T(lib, np.zeros(0, np.int64))], [(3, 4)])
    check(lambda lib, x: x[2:2], [(3, 4)])


def test_getitem_errors():
    check_error(lambda lib: lib.zeros(3)[5], IndexError)
    check_error(lambda lib: lib.zeros(3)[lib.tensor([5])], IndexError)
    check_error(lambda lib: lib.zeros(3)[0, 0], IndexError)
    check_error(lambda lib: lib.zeros(3)[lib.tensor([0.5])], IndexError)
    check_error(lambda lib: lib.zeros(3, 4)[lib.ones(3, 3, dtype=lib.bool)], IndexError)


@pytest.mark.parametrize("k", [0, 2, 3, 7, 9, 11, 12, 13, 18])
def test_setitem_differentiable(k):
    def fn(lib, x, v):
        y = x * 1
        key = KEYS[k](lib)
        shape = y[key].shape
        y[key] = v.reshape(-1)[: int(np.prod(shape))].reshape(shape) if len(shape) else v.sum()
        return y
    check(fn, [(3, 4), (12,)])


def test_setitem_forms():
    def fn(lib, x, v):
        y = x.clone()
        y[0] = 5.0
        y[:, 1] = v          # broadcast (3,) -> column
        y[y > 1] = -1.0
        y[lib.tensor([0, 2]), lib.tensor([3, 3])] = lib.tensor(7.0)
        return y
    check(fn, [(3, 4), (3,)])

    def view_write(lib, x):
        base = x * 1
        v = base[1:, :2]
        v[0, 0] = 9.0
        v.mul_(2)
        return base
    check(view_write, [(3, 4)])
    check_error(lambda lib: lib.zeros(3).__setitem__(5, 1.0), IndexError)
    check_error(lambda lib: lib.zeros(3, 2).__setitem__(0, lib.ones(3)), RuntimeError)


def test_setitem_grad_of_value():
    gradcheck(lambda lib, x, v: x.clone().index_put_((lib.tensor([0, 2]),), v), [(3, 2), (2,)])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_gather(dim):
    idx = np.array([[0, 1, 1], [2, 0, 0]], np.int64) if dim == 0 else \
        np.array([[0, 3], [2, 2], [1, 0]], np.int64)
    check(lambda lib, x, i: lib.gather(x, dim, i), [(3, 4), idx])
    check(lambda lib, x, i: x.gather(dim, i), [(3, 4), idx], noncontig=True)
    gradcheck(lambda lib, x, i: lib.gather(x, dim, T(lib, i)), [(3, 4), idx])
    check_error(lambda lib: lib.gather(lib.zeros(3), 0, lib.tensor([5])), RuntimeError)
    check_error(lambda lib: lib.gather(lib.zeros(3), 0, lib.tensor([-1])), RuntimeError)
    check_error(lambda lib: lib.gather(lib.zeros(3), 0, lib.tensor([1.0])), RuntimeError)


SC_IDX = np.array([[0, 1, 2, 0], [2, 2, 1, 0]], np.int64)


def test_scatter():
    check(lambda lib, x, s, i: lib.scatter(x, 0, i, s), [(3, 4), (2, 4), np.array(
        [[0, 1, 2, 0], [1, 2, 0, 2]], np.int64)])
    check(lambda lib, x, s, i: x.scatter(1, i, s), [(3, 4), (3, 2), np.array(
        [[0, 1], [2, 3], [3, 1]], np.int64)])
    check(lambda lib, x, s, i: x.scatter(0, i, s), [(3, 4), (3, 5), np.array(
        [[0, 1], [2, 0]], np.int64)], grad=False)  # index smaller than src
    check(lambda lib, x, i: x.scatter(0, i, 2.5), [(3, 4), SC_IDX])
    # torch has no derivative for scatter(reduce=...): forward only
    check(lambda lib, x, i: x.scatter(0, i, 2.5, reduce="add"), [(3, 4), SC_IDX], grad=False)
    check(lambda lib, x, i: x.scatter(0, i, 2.5, reduce="multiply"), [(3, 4), SC_IDX],
          grad=False)
    check(lambda lib, x, s, i: x.clone().scatter_(0, i, s, reduce="add"), [(3, 4), (2, 4),
                                                                           SC_IDX], grad=False)
    gradcheck(lambda lib, x, s, i: lib.scatter(x, 0, T(lib, i), s), [(3, 4), (2, 4), np.array(
        [[0, 1, 2, 0], [1, 2, 0, 2]], np.int64)])


def test_scatter_add_and_inplace():
    check(lambda lib, x, s, i: lib.scatter_add(x, 0, i, s), [(3, 4), (2, 4), SC_IDX])
    check(lambda lib, x, s, i: (x * 1).scatter_add_(0, i, s), [(3, 4), (2, 4), SC_IDX])
    check(lambda lib, x, s, i: (x * 1).scatter_(0, i, s), [(3, 4), (2, 4), np.array(
        [[0, 1, 2, 0], [1, 2, 0, 2]], np.int64)])
    check(lambda lib, x, s, i: lib.scatter_add(x, 0, i, s), [(3, 4), (2, 4), SC_IDX],
          dtype="int64")
    gradcheck(lambda lib, x, s, i: lib.scatter_add(x, 0, T(lib, i), s), [(3, 4), (2, 4), SC_IDX])


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    x = np.array([[1.0, 2, 0, 4], [0.5, -1, 3, 2], [2, 2, 1, -3]], np.float32)
    s = np.array([[1.0, 3, 2, 4], [2, 0.5, 1, 4]], np.float32)
    check(lambda lib, a, b, i: lib.scatter_reduce(a, 0, i, b, reduce, include_self=include_self),
          [x, s, SC_IDX])
    check(lambda lib, a, b, i: (a * 1).scatter_reduce_(0, i, b, reduce,
                                                       include_self=include_self),
          [x, s, SC_IDX])
    check(lambda lib, a, b, i: lib.scatter_reduce(a, 0, i, b, reduce, include_self=include_self),
          [(3, 4), (2, 4), SC_IDX], dtype="int64")
    if reduce not in ("amax", "amin"):
        gradcheck(lambda lib, a, b, i: lib.scatter_reduce(a, 0, T(lib, i), b, reduce,
                                                          include_self=include_self),
                  [(3, 4), (2, 4), SC_IDX])


def test_scatter_reduce_prod_zeros():
    x = np.array([[0.0, 2, 1], [3, 0, 1]], np.float32)
    s = np.array([[0.0, 2, 0], [1, 0, 5]], np.float32)
    i = np.array([[0, 0, 0], [0, 1, 1]], np.int64)
    for inc in (True, False):
        check(lambda lib, a, b, j: lib.scatter_reduce(a, 0, j, b, "prod", include_self=inc),
              [x, s, i])


def test_scatter_errors():
    check_error(lambda lib: lib.zeros(3).scatter(0, lib.tensor([5]), lib.ones(1)), RuntimeError)
    check_error(lambda lib: lib.zeros(3).scatter(0, lib.tensor([-1]), lib.ones(1)), RuntimeError)
    check_error(lambda lib: lib.zeros(3).scatter(0, lib.tensor([[1]]), lib.ones(1)),
                RuntimeError)
    check_error(lambda lib: lib.zeros(3).scatter_add(0, lib.tensor([1]), lib.ones(1).double()),
                RuntimeError)
    check_error(lambda lib: lib.zeros(3).scatter_reduce(0, lib.tensor([1]), lib.ones(1), "median"),
                RuntimeError)


@pytest.mark.parametrize("dim", [0, 1])
def test_index_ops(dim):
    idx = np.array([2, 0, 2], np.int64) if dim == 0 else np.array([3, 0, 3], np.int64)
    uniq = np.array([2, 0], np.int64) if dim == 0 else np.array([3, 0], np.int64)
    src_shape = (3, 4) if dim == 0 else (3, 3)
    check(lambda lib, x, i: lib.index_select(x, dim, i), [(3, 4), idx])
    check(lambda lib, x, i: x.index_select(dim, i), [(3, 4), idx], noncontig=True)
    check(lambda lib, x, s, i: lib.index_add(x, dim, i, s, alpha=2.0), [(3, 4), src_shape, idx])
    check(lambda lib, x, s, i: (x * 1).index_add_(dim, i, s), [(3, 4), src_shape, idx])
    ushape = (2, 4) if dim == 0 else (3, 2)
    check(lambda lib, x, s, i: lib.index_copy(x, dim, i, s), [(3, 4), ushape, uniq])
    check(lambda lib, x, s, i: (x * 1).index_copy_(dim, i, s), [(3, 4), ushape, uniq])
    check(lambda lib, x, i: lib.index_fill(x, dim, i, -1.5), [(3, 4), idx])
    check(lambda lib, x, v, i: x.index_fill(dim, i, v.sum()), [(3, 4), (2,), idx])
    check(lambda lib, x, i: (x * 1).index_fill_(dim, i, 3.0), [(3, 4), idx])
    check(lambda lib, x, i: x.index_fill(dim, i, 3), [(3, 4), idx], dtype="int64")
    gradcheck(lambda lib, x, s, i: lib.index_add(x, dim, T(lib, i), s), [(3, 4), src_shape, idx])
    gradcheck(lambda lib, x, s, i: lib.index_copy(x, dim, T(lib, i), s), [(3, 4), ushape, uniq])
    gradcheck(lambda lib, x, i: lib.index_select(x, dim, T(lib, i)), [(3, 4), idx])


def test_index_errors():
    check_error(lambda lib: lib.zeros(3).index_select(0, lib.tensor([5])), IndexError)
    check_error(lambda lib: lib.zeros(3).index_add(0, lib.tensor([5]), lib.ones(1)), IndexError)
    check_error(lambda lib: lib.zeros(3).index_copy(0, lib.tensor([5]), lib.ones(1)), IndexError)
    check_error(lambda lib: lib.zeros(3).index_fill(0, lib.tensor([5]), 1.0), IndexError)
    check_error(lambda lib: lib.zeros(3).index_add(0, lib.tensor([-1]), lib.ones(1)), IndexError)
    check_error(lambda lib: lib.zeros(3).index_copy(0, lib.tensor([-1]), lib.ones(1)),
                IndexError)
    check_error(lambda lib: lib.zeros(3).index_copy(0, lib.tensor([1], dtype=lib.int32),
                                                    lib.ones(1)), RuntimeError)
    check(lambda lib, x: x.index_fill(0, lib.tensor([-1]), 2.0), [(3,)])
    check_error(lambda lib: lib.zeros(3).index_select(0, lib.tensor([[0]])), IndexError)
    check_error(lambda lib: lib.zeros(3, 2).index_add(0, lib.tensor([0]), lib.ones(1, 3)),
                RuntimeError)


def test_index_put():
    idx = (np.array([0, 2, 0], np.int64), np.array([1, 1, 1], np.int64))

    def fn(acc):
        return lambda lib, x, v, i, j: lib.index_put(x, (i, j), v, accumulate=acc)
    check(fn(True), [(3, 4), (3,), *idx])
    check(fn(False), [(3, 4), (3,), np.array([0, 2, 1]), np.array([1, 1, 1])])
    check(lambda lib, x, v, i, j: (x * 1).index_put_((i, j), v, accumulate=True),
          [(3, 4), (1,), *idx])
    check(lambda lib, x, v, m: (x * 1).index_put_((m,), v), [(4,), (1,), MASK])
    gradcheck(lambda lib, x, v, i, j: lib.index_put(x, (T(lib, i), T(lib, j)), v, accumulate=True),
              [(3, 4), (3,), *idx])
    check_error(lambda lib: lib.zeros(3).index_put_((lib.tensor([5]),), lib.ones(1)), IndexError)


def test_masked_ops():
    m = np.array([[True, False, True, False], [False, False, True, True],
                  [True, True, True, False]])
    check(lambda lib, x, k: lib.masked_select(x, k), [(3, 4), m])
    check(lambda lib, x, k: x.masked_select(k), [(3, 4), m[0]], noncontig=True)
    check(lambda lib, x, k: lib.masked_select(x, k), [(4,), m])  # input broadcast
    check(lambda lib, x, s, k: lib.masked_scatter(x, k, s), [(3, 4), (2, 5), m])
    check(lambda lib, x, s, k: (x * 1).masked_scatter_(k, s), [(3, 4), (7,), m])
    check(lambda lib, x, k: lib.masked_fill(x, k, 2.0), [(3, 4), m])
    check(lambda lib, x, k: (x * 1).masked_fill_(k, -1.0), [(3, 4), m[1]])
    gradcheck(lambda lib, x, k: lib.masked_select(x, T(lib, k)), [(4,), m])
    gradcheck(lambda lib, x, s, k: lib.masked_scatter(x, T(lib, k), s), [(3, 4), (2, 5), m])
    check_error(lambda lib: lib.masked_select(lib.zeros(3), lib.tensor([1, 0, 1])),
                RuntimeError)
    check_error(lambda lib: lib.zeros(3).masked_scatter(lib.tensor([True, True, True]),
                                                        lib.ones(2)), RuntimeError)


def test_take():
    idx = np.array([[0, 11], [-1, 5]], np.int64)
    check(lambda lib, x, i: lib.take(x, i), [(3, 4), idx])
    check(lambda lib, x, i: x.take(i), [(3, 4), idx], noncontig=True)
    gradcheck(lambda lib, x, i: lib.take(x, T(lib, i)), [(3, 4), np.array([0, 0, 5], np.int64)])
    check_error(lambda lib: lib.take(lib.arange(6), lib.tensor([10])), IndexError)
    ti = np.array([[0], [2], [1]], np.int64)
    check(lambda lib, x, i: lib.take_along_dim(x, i, 1), [(3, 4), ti])
    check(lambda lib, x, i: lib.take_along_dim(x, i, 1), [(3, 4), np.array([[1, 2]])])
    check(lambda lib, x, i: lib.take_along_dim(x, i), [(3, 4), np.array([3, 1])])
    check(lambda lib, x: lib.take_along_dim(x, x.argsort(0), 0), [(3, 4)])


def test_nonzero_argwhere():
    m = np.array([[0, 1.5, 0], [2, 0, 3]], np.float32)
    check(lambda lib, x: lib.nonzero(x), [m], grad=False)
    check(lambda lib, x: lib.nonzero(x, as_tuple=True), [m], grad=False)
    check(lambda lib, x: lib.argwhere(x), [m], grad=False)
    check(lambda lib, x: x.nonzero(), [np.array(2.0, np.float32)], grad=False)
    check(lambda lib, x: lib.nonzero(x), [np.zeros((0, 3), np.float32)], grad=False)


def test_storage_shared_by_basic_index():
    x = ember.arange(12.0).reshape(3, 4)
    t = torch.arange(12.0).reshape(3, 4)
    for key in [(1,), (slice(None), 2), (slice(1, 3), slice(None, None, 2))]:
        assert x[key].stride() == t[key].stride()
        assert x[key].storage_offset() == t[key].storage_offset()
    v = x[1]
    v[0] = 100.0
    assert x[1, 0].item() == 100.0
    assert x[ember.tensor([1])].data_ptr() != x.data_ptr()
