"""Sorting and searching against torch."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember


def distinct(shape, seed=0, dtype="float32"):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == "int64":
        return (rng.permutation(n).reshape(shape) - n // 2).astype(dtype)
    return (rng.permutation(n).reshape(shape) * 0.37 - 3).astype(dtype)


def ties(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 4, size=shape).astype(np.float32)


@pytest.mark.parametrize("dim", [-1, 0])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_stable(dim, descending):
    x = ties((5, 6))
    check(lambda lib, a: lib.sort(a, dim=dim, descending=descending, stable=True), [x])
    check(lambda lib, a: a.sort(dim, descending), [x], noncontig=True)
    check(lambda lib, a: lib.argsort(a, dim=dim, descending=descending, stable=True), [x])
    gradcheck(lambda lib, a: lib.sort(a, dim=dim, descending=descending)[0],
              [distinct((3, 4)).astype(np.float64)])


def test_sort_misc():
    check(lambda lib, a: lib.sort(a), [np.array(3.0, np.float32)])
    check(lambda lib, a: lib.sort(a), [np.zeros((0,), np.float32)])
    check(lambda lib, a: lib.sort(a, descending=True), [(4, 5)], dtype="int64")
    check(lambda lib, a: lib.sort(a), [np.array([1.0, np.nan, -1.0, 2.0], np.float32)])
    check(lambda lib, a: lib.sort(a, descending=True),
          [np.array([1.0, np.nan, -1.0, 2.0], np.float32)])
    check(lambda lib, a: lib.msort(a), [distinct((4, 3))])
    r = ember.sort(ember.tensor([3.0, 1.0]))
    assert type(r).__name__ == "sort" and r.values.tolist() == [1.0, 3.0]
    assert "torch.return_types.sort" in repr(r)


@pytest.mark.parametrize("n,k", [(6, 3), (200, 5), (6, 6), (6, 0)])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(n, k, largest):
    x = distinct((3, n))
    check(lambda lib, a: lib.topk(a, k, largest=largest), [x])
    check(lambda lib, a: a.topk(k, dim=0 if k <= 3 else 1, largest=largest), [x])
    check(lambda lib, a: lib.topk(a, min(k, 2), largest=largest), [distinct((3, n), dtype="int64")])
    if n < 10:
        gradcheck(lambda lib, a: lib.topk(a, k, largest=largest)[0], [x.astype(np.float64)])


def test_topk_errors():
    check_error(lambda lib: lib.topk(lib.zeros(3), 5), RuntimeError)


@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue(keepdim):
    x = distinct((4, 5))
    check(lambda lib, a: lib.kthvalue(a, 2, 1, keepdim), [x])
    check(lambda lib, a: a.kthvalue(3, 0, keepdim), [x], noncontig=True)
    gradcheck(lambda lib, a: lib.kthvalue(a, 2, 1, keepdim)[0], [x.astype(np.float64)])
    check_error(lambda lib: lib.kthvalue(lib.zeros(3), 5), RuntimeError)


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique(dim):
    x = np.array([[1, 2, 1], [3, 2, 1], [1, 2, 1]], np.int64)
    check(lambda lib, a: lib.unique(a, dim=dim), [x])
    check(lambda lib, a: lib.unique(a, return_inverse=True, return_counts=True, dim=dim), [x])
    check(lambda lib, a: a.unique(return_counts=True, dim=dim), [x.astype(np.float32)],
          grad=False)


@pytest.mark.parametrize("dim", [None, 0, 1])
def test_unique_consecutive(dim):
    x = np.array([[1, 1, 2], [1, 1, 2], [3, 1, 2], [3, 1, 2]], np.int64)
    check(lambda lib, a: lib.unique_consecutive(a, dim=dim), [x])
    check(lambda lib, a: lib.unique_consecutive(a, return_inverse=True, return_counts=True,
                                                dim=dim), [x])
    check(lambda lib, a: lib.unique_consecutive(a), [np.zeros((0,), np.int64)])


def test_bincount():
    x = np.array([0, 1, 1, 3, 2, 1, 7], np.int64)
    check(lambda lib, a: lib.bincount(a), [x])
    check(lambda lib, a: lib.bincount(a, minlength=10), [x])
    w = np.linspace(0, 1, 7).astype(np.float32)
    check(lambda lib, a, b: lib.bincount(a, b), [x, w], grad=False)
    check(lambda lib, a, b: lib.bincount(a, b), [x, w.astype(np.float64)], grad=False)
    check(lambda lib, a: lib.bincount(a), [np.zeros((0,), np.int64)])
    check_error(lambda lib: lib.bincount(lib.tensor([-1, 2])), RuntimeError)
    check_error(lambda lib: lib.bincount(lib.tensor([[1, 2]])), RuntimeError)


def test_histc():
    x = np.array([1.0, 2, 1, 2.5, 4, -1, 7], np.float32)
    check(lambda lib, a: lib.histc(a, bins=4), [x], grad=False)
    check(lambda lib, a: lib.histc(a, bins=5, min=0, max=3), [x], grad=False)
    check(lambda lib, a: a.histc(3), [x.astype(np.float64)], grad=False)
    check_error(lambda lib: lib.histc(lib.tensor([1, 2, 3]), bins=3), NotImplementedError)


@pytest.mark.parametrize("right", [False, True])
def test_searchsorted(right):
    seq = np.array([1.0, 3, 5, 7, 9], np.float32)
    vals = np.array([[3.0, 6, 9], [0, 10, 5]], np.float32)
    check(lambda lib, s, v: lib.searchsorted(s, v, right=right), [seq, vals], grad=False)
    check(lambda lib, s, v: lib.searchsorted(s, v, side="right" if right else "left"),
          [seq, vals], grad=False)
    bseq = np.sort(distinct((2, 5)), -1)
    check(lambda lib, s, v: lib.searchsorted(s, v, right=right), [bseq, vals], grad=False)
    check(lambda lib, s, v: lib.searchsorted(s, v, out_int32=True), [bseq, vals], grad=False)
    perm = np.array([2, 0, 4, 1, 3], np.int64)
    check(lambda lib, s, v, p: lib.searchsorted(s, v, sorter=p, right=right),
          [seq[np.argsort(perm)], vals, perm], grad=False)
    assert_same(ember.searchsorted(ember.tensor([1, 3, 5]), 4),
                torch.searchsorted(torch.tensor([1, 3, 5]), 4))
    check(lambda lib, v, b: lib.bucketize(v, b, right=right), [vals, seq], grad=False)


def test_searchsorted_errors():
    check_error(lambda lib: lib.searchsorted(lib.zeros(2, 3), lib.zeros(3, 2)), RuntimeError)
    check_error(lambda lib: lib.searchsorted(lib.zeros(3), lib.zeros(2), side="middle"),
                RuntimeError)
    check_error(lambda lib: lib.bucketize(lib.zeros(3), lib.zeros(2, 2)), RuntimeError)
