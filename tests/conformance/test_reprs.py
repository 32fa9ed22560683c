"""Printed forms: return types, grad_fn names of matmul, complex tensors."""
import pytest
from oracle import ember, torch


def both(fn):
    return fn(ember), fn(torch)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([[1, 5], [3, 2]]).max(1),
    lambda lib: lib.sort(lib.tensor([3, 1, 2])),
    lambda lib: lib.topk(lib.tensor([3., 1., 2., 5.]), 2),
    lambda lib: lib.aminmax(lib.tensor([1, 3, 2, 4])),
    lambda lib: lib.linalg.slogdet(lib.eye(2) * 2),
    lambda lib: lib.linalg.eigh(lib.eye(2)),
    lambda lib: lib.frexp(lib.tensor([8., 0.3])),
    lambda lib: lib.linalg.lu_factor(lib.tensor([[1., 2.], [3., 4.]])),
    lambda lib: lib.histogram(lib.tensor([1., 2., 1.]), bins=4),
    lambda lib: lib.tensor([1 + 10j, 2 + 1j]),
    lambda lib: lib.tensor([[1.5 + 2.25j, -3 - 0.5j], [100 + 1j, 0j]]),
    lambda lib: lib.tensor([1e-5 + 1j, 1j]),
    lambda lib: lib.tensor([1 + 2j], dtype=lib.complex128),
])
def test_repr_matches(fn):
    e, t = both(fn)
    assert repr(e) == repr(t)


def test_return_types_module():
    r = ember.tensor([[1, 5], [3, 2]]).max(1)
    assert isinstance(r, ember.return_types.max)
    assert type(r).__module__ == "torch.return_types"


@pytest.mark.parametrize("a,b", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 2)),
                                 ((4, 2, 3), (4, 3, 2)), ((4, 2, 3), (3, 2))])
def test_matmul_grad_fn_names(a, b):
    names = []
    for lib in (ember, torch):
        x = lib.ones(*a, requires_grad=True)
        names.append((x @ lib.ones(*b)).grad_fn.name())
    assert names[0] == names[1]
    x = ember.ones(*a, requires_grad=True)
    (x @ ember.ones(*b)).sum().backward()
    assert tuple(x.grad.shape) == a


def test_bmm_grad_fn_name():
    x = ember.ones(2, 2, 3, requires_grad=True)
    assert ember.bmm(x, ember.ones(2, 3, 2)).grad_fn.name() == "BmmBackward0"
