"""The backward engine: backward()/grad() arguments, accumulation, freed graphs, depth, cycles."""
import gc

import numpy as np
import pytest

import ember
from ag_util import leaf, same


def test_backward_scalar_and_accumulate():
    def f(lib):
        x = leaf(lib, [1., 2., 3.])
        (x * x).sum().backward()
        (x * 3).sum().backward()
        return x.grad
    same(f)


def test_backward_gradient_argument():
    def f(lib):
        x = leaf(lib, [[1., 2.], [3., 4.]])
        y = x.exp() * 2
        y.backward(gradient=lib.tensor([[1., -1.], [0.5, 2.]]))
        return x.grad
    same(f)


@pytest.mark.parametrize("case", ["nonscalar", "shape", "noreq", "int"])
def test_backward_errors(case):
    def f(lib):
        x = leaf(lib, [1., 2.])
        if case == "nonscalar":
            (x * 2).backward()
        elif case == "shape":
            (x * 2).backward(lib.ones(3))
        elif case == "noreq":
            lib.ones(2).sum().backward()
        else:
            (x > 0).sum().backward()
    same(f)


def test_backward_multiple_roots():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x * 3
        z = y * y
        lib.autograd.backward([y.sum(), z.sum()])
        lib.autograd.backward([y, z], [lib.ones(2), lib.full((2,), 2.)])
        return x.grad
    same(f)


def test_retain_graph_and_freed_graph_message():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = (x.sigmoid() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        g = x.grad.clone()
        y.backward()
        return g
    same(f)


def test_second_backward_without_saved_tensors_is_fine():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = (x + 1).sum()
        y.backward()
        y.backward()
        return x.grad
    same(f)


def test_saved_output_freed():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x.exp().sum()
        y.backward()
        y.backward()
    same(f)


def test_backward_inputs():
    def f(lib):
        x = leaf(lib, [1., 2.])
        w = leaf(lib, [3., 4.])
        h = x * w
        (h * h).sum().backward(inputs=[x])
        return x.grad, w.grad
    same(f)


def test_backward_inputs_nonleaf():
    def f(lib):
        x = leaf(lib, [1., 2.])
        h = x * 2
        (h * h).sum().backward(inputs=[h])
        return h._grad if lib is ember else h.grad, x.grad
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same(f)


def test_backward_inputs_empty():
    same(lambda lib: (leaf(lib, [1.]) * 2).sum().backward(inputs=[]))


def test_grad_basic_and_no_accumulation():
    def f(lib):
        x = leaf(lib, [1., 2.])
        w = leaf(lib, [3., 4.])
        gx, gw = lib.autograd.grad((x * w).sin().sum(), [x, w])
        return gx, gw, x.grad, w.grad
    same(f)


def test_grad_single_tensor_input_returns_tuple():
    def f(lib):
        x = leaf(lib, [1., 2.])
        res = lib.autograd.grad((x * x).sum(), x)
        return type(res).__name__, len(res), res[0]
    same(f)


def test_grad_outputs_and_nonleaf_inputs():
    def f(lib):
        x = leaf(lib, [1., 2.])
        h = x * 3
        y = h.tanh()
        gh, gx = lib.autograd.grad(y, [h, x], grad_outputs=lib.tensor([1., 10.]))
        return gh, gx
    same(f)


def test_grad_same_input_twice():
    def f(lib):
        x = leaf(lib, [1., 2.])
        return lib.autograd.grad((x * x).sum(), [x, x])
    same(f)


@pytest.mark.parametrize("case", ["unused", "allow_unused", "materialize", "noreq_out",
                                  "noreq_in", "nonscalar", "int_out"])
def test_grad_unused_and_errors(case):
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = leaf(lib, [3., 4.])
        out = (x * 2).sum()
        if case == "unused":
            return lib.autograd.grad(out, [x, y])
        if case == "allow_unused":
            return lib.autograd.grad(out, [x, y], allow_unused=True)
        if case == "materialize":
            return lib.autograd.grad(out, [x, y], materialize_grads=True)
        if case == "noreq_out":
            return lib.autograd.grad(lib.ones(2).sum(), [x])
        if case == "noreq_in":
            return lib.autograd.grad(out, [lib.ones(2)])
        if case == "nonscalar":
            return lib.autograd.grad(x * 2, [x])
        return lib.autograd.grad((x > 1).sum(), [x])
    same(f)


def test_grad_does_not_run_unneeded_branches():
    # Only the path to the requested input runs: the other branch keeps its saved tensors.
    def f(lib):
        x = leaf(lib, [1., 2.])
        w = leaf(lib, [3., 4.])
        a = x * 2
        b = (w * w).sum()
        y = a.sum() + b
        g = lib.autograd.grad(y, [x])
        b.backward()
        return g, w.grad
    same(f)


def test_grad_partial_then_backward_retained():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = (x.exp() * x).sum()
        g1 = lib.autograd.grad(y, x, retain_graph=True)
        y.backward()
        return g1, x.grad
    same(f)


def test_diamond_and_shared_subgraph():
    def f(lib):
        x = leaf(lib, [[1., -2.], [0.5, 3.]])
        a = x.sigmoid()
        b = a * x
        c = a + b
        d = (c * b).sum() + a.sum()
        d.backward()
        return x.grad
    same(f)


def test_grad_is_private_copy():
    # x + y hands one gradient array to both leaves: in-place updates must stay private.
    x = ember.ones(2, requires_grad=True)
    y = ember.ones(2, requires_grad=True)
    g = ember.tensor([1., 2.])
    (x + y).backward(g)
    x.grad.mul_(10)
    assert y.grad.tolist() == [1., 2.]
    assert g.tolist() == [1., 2.]
    (x + y).backward(g)
    assert x.grad.tolist() == [11., 22.] and y.grad.tolist() == [2., 4.]
    assert g.tolist() == [1., 2.]


def test_grad_dtype_follows_input():
    def f(lib):
        x = leaf(lib, [1., 2.], lib.float64)
        y = leaf(lib, [1., 2.], lib.float32)
        (x * y).sum().backward()
        return x.grad, y.grad
    same(f)


def test_broadcast_grad_reduced():
    def f(lib):
        x = lib.ones(3, 1, requires_grad=True)
        b = lib.ones(4, requires_grad=True)
        ((x + b) * (x * b)).sum().backward()
        return x.grad, b.grad
    same(f)


def test_deep_chain_does_not_recurse():
    x = ember.ones(3, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1., 1., 1.]
    del y  # freeing a deep graph must not recurse either
    gc.collect()


def test_deep_chain_grad_and_create_graph():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y + 0.0
    (g,) = ember.autograd.grad((y * y).sum(), x, create_graph=True)
    (g2,) = ember.autograd.grad(g.sum(), x)
    assert g.tolist() == [2., 4.] and g2.tolist() == [2., 2.]


def _train_step():
    w = ember.randn(5, 4, requires_grad=True)
    b = ember.zeros(4, requires_grad=True)
    x = ember.randn(8, 5)
    h = (x @ w + b).tanh()
    z = h.exp()
    z.retain_grad()
    loss = (z.sigmoid() * h).sum() + h.softmax(1).sum()
    loss.backward()
    g = ember.autograd.grad((w * w).sum(), w, create_graph=True)[0]
    g.sum().backward()
    return w.grad


def test_no_reference_cycles():
    _train_step()
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            _train_step()
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_graph_freed_by_refcount():
    import weakref
    gc.disable()
    try:
        x = ember.ones(3, requires_grad=True)
        y = (x * 2).exp()
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_create_graph_grad_requires_grad():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        g = x.grad
        return g, g.requires_grad, g.grad_fn is not None
    same(f)


def test_zero_grad_and_set_grad():
    def f(lib):
        x = leaf(lib, [1., 2.])
        (x * 2).sum().backward()
        x.grad.zero_()
        (x * 3).sum().backward()
        r = x.grad.clone()
        x.grad = None
        (x * 4).sum().backward()
        return r, x.grad
    same(f)


@pytest.mark.parametrize("bad", ["shape", "dtype", "type"])
def test_set_grad_errors(bad):
    def f(lib):
        x = leaf(lib, [1., 2.])
        if bad == "shape":
            x.grad = lib.ones(3)
        elif bad == "dtype":
            x.grad = lib.ones(2, dtype=lib.float64)
        else:
            x.grad = np.ones(2)
    same(f, message=False)


def test_expand_gradient_is_writable_copy():
    x = ember.ones(1, requires_grad=True)
    x.expand(3).sum().backward()
    x.grad.add_(1)
    assert x.grad.tolist() == [4.0]
