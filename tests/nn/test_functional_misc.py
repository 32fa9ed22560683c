import numpy as np
import pytest

from nn_module_oracle import module_check
from oracle import check, check_error, gradcheck

import ember
import torch


def F(lib):
    return lib.nn.functional


PADS = [((2, 3, 5), (1, 2)), ((2, 3, 5, 4), (1, 2, 2, 1)), ((1, 2, 4, 5, 3), (1, 2, 2, 1, 0, 2)),
        ((3, 5), (2, 1))]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PADS)
def test_pad_modes(mode, shape, pad):
    check(lambda lib, x: F(lib).pad(x, pad, mode=mode), [shape], noncontig=True)
    gradcheck(lambda lib, x: F(lib).pad(x, pad, mode=mode), [shape])


def test_pad_constant_negative_and_value_and_nd():
    check(lambda lib, x: F(lib).pad(x, (-1, 2, 1, -2), value=3.0), [(2, 4, 5)])
    check(lambda lib, x: F(lib).pad(x, (1, 1, 0, 0, 2, 1, 1, 0)), [(2, 3, 2, 2)])
    check(lambda lib, x: F(lib).pad(x, (-1, 2, 1, -1), mode="circular"), [(2, 4, 5)])
    gradcheck(lambda lib, x: F(lib).pad(x, (-1, 2, 1, -1), mode="circular"), [(2, 4, 5)])
    check(lambda lib, x: F(lib).pad(x, (1, 2)), [np.arange(6).reshape(2, 3)])


def test_pad_double_backward():
    def fn(lib, x):
        y = F(lib).pad(x, (2, 1), mode="reflect")
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        return g
    check(fn, [(2, 3, 4)])


def test_pad_errors():
    for args in [((5,), (1, 1), "reflect"), ((1, 3), (3, 3), "reflect"),
                 ((1, 3), (4, 0), "circular"), ((1, 3), (1, 1, 1), "constant"),
                 ((1, 3), (1,) * 6, "constant"), ((1, 3), (1, 1), "foo"),
                 ((1, 3), (-4, 1), "constant")]:
        check_error(lambda lib: F(lib).pad(lib.ones(args[0]), args[1], mode=args[2]))
    check_error(lambda lib: F(lib).pad(lib.ones(1, 3), (1, 1), mode="reflect", value=1.0))


def test_one_hot():
    check(lambda lib, x: F(lib).one_hot(x), [np.array([0, 3, 1])])
    check(lambda lib, x: F(lib).one_hot(x, 5), [np.array([[0, 3], [1, 2]])])
    check_error(lambda lib: F(lib).one_hot(lib.tensor([1.0])))
    check_error(lambda lib: F(lib).one_hot(lib.tensor([-1])))
    check_error(lambda lib: F(lib).one_hot(lib.tensor([3]), 2))


def test_distances_and_normalize():
    check(lambda lib, x, y: F(lib).cosine_similarity(x, y), [(4, 5), (4, 5)], noncontig=True)
    check(lambda lib, x, y: F(lib).cosine_similarity(x, y, dim=-1), [(4, 5), (1, 5)])
    check(lambda lib, x, y: F(lib).cosine_similarity(x, y, eps=0.5), [(4, 5), (4, 5)])
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y), [(4, 5), (4, 5)])
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y, p=1, keepdim=True), [(4, 5), (4, 5)])
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y, p=3), [(4, 5), (5,)])
    check(lambda lib, x, y: F(lib).pairwise_distance(x, y, p=float("inf")), [(4, 5), (4, 5)])
    check(lambda lib, x: F(lib).pdist(x), [(6, 3)])
    check(lambda lib, x: F(lib).pdist(x, p=1.5), [(6, 3)])
    check(lambda lib, x: F(lib).normalize(x), [(6, 3)], noncontig=True)
    check(lambda lib, x: F(lib).normalize(x, p=1, dim=0), [(6, 3)])
    gradcheck(lambda lib, x, y: F(lib).cosine_similarity(x, y), [(4, 5), (4, 5)])
    gradcheck(lambda lib, x: F(lib).pdist(x), [(5, 3)])
    module_check(lambda lib: lib.nn.PairwiseDistance(p=1.0), [(4, 5), (4, 5)])
    module_check(lambda lib: lib.nn.CosineSimilarity(dim=0), [(4, 5), (4, 5)])
    check_error(lambda lib: F(lib).pdist(lib.ones(2, 3, 4)))


def test_zero_distance_gradient_is_zero():
    x = ember.zeros(2, 3, requires_grad=True)
    F(ember).pdist(ember.cat([x, x])).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
