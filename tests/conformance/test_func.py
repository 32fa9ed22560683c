"""torch.func transforms and torch.vmap."""
import pytest
from oracle import assert_same, ember, torch


def run(fn):
    return fn(ember), fn(torch)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.func.vmap(lib.dot)(lib.arange(6.).reshape(2, 3), lib.ones(2, 3)),
    lambda lib: lib.vmap(lambda a: a * 2, in_dims=1)(lib.arange(6.).reshape(2, 3)),
    lambda lib: lib.vmap(lib.add, in_dims=(0, None))(lib.ones(2, 3), lib.arange(3.)),
    lambda lib: lib.vmap(lambda a: (a.sum(), a.max()))(lib.arange(6.).reshape(2, 3)),
    lambda lib: lib.vmap(lib.vmap(lambda a: a ** 2))(lib.arange(6.).reshape(2, 3)),
    lambda lib: lib.func.grad(lambda v: (v ** 3).sum())(lib.tensor([1., 2.])),
    lambda lib: lib.func.grad_and_value(lambda v: (v ** 3).sum())(lib.tensor([1., 2.])),
    lambda lib: lib.func.grad(lib.func.grad(lambda s: s ** 3))(lib.tensor(2.)),
    lambda lib: lib.func.jacrev(lib.sin)(lib.tensor([0., 1.])),
    lambda lib: lib.func.jacfwd(lambda a, b: a * b, argnums=1)(lib.tensor([1., 2.]),
                                                              lib.tensor([3., 4.])),
    lambda lib: lib.func.hessian(lambda v: (v ** 3).sum())(lib.tensor([1., 2.])),
    lambda lib: lib.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(
        lib.tensor([1., 2.]), lib.tensor([3., 4.])),
    lambda lib: lib.func.grad(lambda a: ((a ** 2).sum(), a.mean()), has_aux=True)(
        lib.tensor([1., 2.])),
    lambda lib: lib.vmap(lib.func.grad(lambda v: (v ** 3).sum()))(lib.arange(6.).reshape(2, 3)),
    lambda lib: tuple(lib.func.grad(lambda p: (p["w"] * p["b"]).sum())(
        {"w": lib.tensor([1., 2.]), "b": lib.tensor(3.)}).values()),
])
def test_func_transforms(fn):
    e, t = run(fn)
    assert_same(e, t)


def test_functional_call_swaps_and_restores():
    m = ember.nn.Linear(3, 1)
    w0 = m.weight.detach().clone()
    params = {"weight": ember.ones(1, 3), "bias": ember.zeros(1)}
    out = ember.func.functional_call(m, params, (ember.ones(2, 3),))
    assert out.tolist() == [[3.0], [3.0]]
    assert ember.equal(m.weight.detach(), w0) and isinstance(m.weight, ember.nn.Parameter)
    g = ember.func.grad(lambda p, x: ember.func.functional_call(m, p, (x,)).sum())(
        params, ember.ones(2, 3))
    assert g["weight"].tolist() == [[2.0, 2.0, 2.0]] and g["bias"].tolist() == [2.0]
