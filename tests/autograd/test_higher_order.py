"""Gradients of gradients (create_graph=True), compared with torch in float64."""
import pytest

from ag_util import same

FUNCS = {
    "tanh": lambda lib, x: x.tanh(),
    "sigmoid": lambda lib, x: x.sigmoid(),
    "exp": lambda lib, x: x.exp(),
    "pow3": lambda lib, x: x.pow(3),
    "pow_frac": lambda lib, x: x.abs().pow(2.5),
    "sin_sq": lambda lib, x: (x * x).sin(),
    "softmax": lambda lib, x: x.softmax(0),
    "log_softmax": lambda lib, x: x.log_softmax(0),
    "outer_matmul": lambda lib, x: (x[:, None] @ x[None, :]).sum(0),
    "softplus": lambda lib, x: x.exp().log1p(),
    "rational": lambda lib, x: 1 / (1 + x * x),
    "sqrt": lambda lib, x: (x * x + 1).sqrt(),
    "relu_mul": lambda lib, x: x.relu() * x,
    "div": lambda lib, x: x / (x.exp() + 2),
    "mean_var": lambda lib, x: (x - x.mean()) ** 2,
}


PIECEWISE_QUADRATIC = {"relu_mul", "mean_var"}


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_third_order(name):
    fn = FUNCS[name]

    def f(lib):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = fn(lib, x)
        (g1,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        w = lib.tensor([1., 2., 3.], dtype=lib.float64)
        (g2,) = lib.autograd.grad((g1 * w).sum(), x, create_graph=True)
        if name in PIECEWISE_QUADRATIC:
            # torch keeps a graph of zero derivatives here; ember's g2 is a constant.
            return g1, g2
        (g3,) = lib.autograd.grad(g2.sum(), x, allow_unused=True)
        return g1, g2, g3
    same(f, rtol=1e-8, atol=1e-10)


def test_mixed_second_derivatives_matmul():
    def f(lib):
        A = lib.tensor([[1., 2.], [3., 4.]], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([0.5, -1.], dtype=lib.float64, requires_grad=True)
        y = (A @ x).tanh().sum()
        gx, gA = lib.autograd.grad(y, [x, A], create_graph=True)
        h = lib.autograd.grad(gx.sum() + (gA * gA).sum(), [x, A])
        return gx, gA, h
    same(f, rtol=1e-8, atol=1e-10)


def test_backward_create_graph_then_backward():
    def f(lib):
        x = lib.tensor([1., 2.], dtype=lib.float64, requires_grad=True)
        y = (x.sin() * x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (g * g).sum().backward()
        return g, x.grad
    same(f, rtol=1e-8, atol=1e-10)


def test_gradient_penalty_pattern():
    # WGAN-GP style: the norm of an input gradient is part of the loss.
    def f(lib):
        w = lib.tensor([[0.3, -0.2], [0.1, 0.4]], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([[1., 2.], [-1., 0.5]], dtype=lib.float64, requires_grad=True)
        out = (x @ w).sigmoid().sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        penalty = ((gx * gx).sum(1).sqrt() - 1).pow(2).mean()
        penalty.backward()
        return w.grad, x.grad
    same(f, rtol=1e-8, atol=1e-10)


def test_second_order_through_grad_accumulation():
    def f(lib):
        x = lib.tensor([1., 3.], dtype=lib.float64, requires_grad=True)
        y = x * x
        z = y * x + y  # x reaches z by two paths; the summed gradient is differentiable
        (g,) = lib.autograd.grad(z.sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h
    same(f, rtol=1e-8, atol=1e-10)
