"""autograd.Function: ctx API, multiple outputs, dirty/non-differentiable outputs, setup_context."""
import pytest

from ag_util import leaf, names, same


def _exp_fn(lib):
    class MyExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale, name="unused"):
            r = x.exp() * scale
            ctx.save_for_backward(r)
            ctx.scale = scale
            return r

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r, None, None
    return MyExp


def test_save_for_backward_and_non_tensor_args():
    def f(lib):
        x = leaf(lib, [0.5, -1.0])
        y = _exp_fn(lib).apply(x, 2.0, name="k")
        y.sum().backward()
        return x.grad, names(y.grad_fn), y.grad_fn.scale, names(y.grad_fn.next_functions[0][0])
    same(f)


def test_needs_input_grad_and_saved_tensors_count():
    def f(lib):
        seen = {}

        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b, k):
                seen["fwd"] = ctx.needs_input_grad
                ctx.save_for_backward(a, None, b)
                return a * b * k

            @staticmethod
            def backward(ctx, g):
                seen["bwd"] = ctx.needs_input_grad
                a, none, b = ctx.saved_tensors
                seen["none"] = none is None
                return (g * b * 3 if ctx.needs_input_grad[0] else None,
                        g * a * 3 if ctx.needs_input_grad[1] else None, None)
        a = leaf(lib, [1., 2.])
        b = lib.tensor([3., 4.])
        F.apply(a, b, 3).sum().backward()
        return seen, a.grad
    same(f)


def test_multiple_outputs_materialized():
    def f(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                return g1 * 2 + g2 * 3
        x = leaf(lib, [1., 2.])
        a, b = Two.apply(x)
        a.sum().backward()  # g2 arrives as zeros
        r = x.grad.clone()
        a, b = Two.apply(x)
        (a * b).sum().backward()
        return r, x.grad, a.grad_fn is b.grad_fn, a.requires_grad
    same(f)


def test_set_materialize_grads_false():
    def f(lib):
        class Two(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x.clone(), x.clone()

            @staticmethod
            def backward(ctx, g1, g2):
                assert g1 is None
                return g2 * 5
        x = leaf(lib, [1., 2.])
        a, b = Two.apply(x)
        b.sum().backward()
        return x.grad
    same(f)


def test_mark_dirty():
    def f(lib):
        class AddOne(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = leaf(lib, [1., 2.])
        y = x * 1
        z = AddOne.apply(y)
        out = (z is y, names(z.grad_fn), z._version, z.tolist())
        (z * 3).sum().backward()
        return out, x.grad
    same(f)


def test_mark_dirty_on_leaf_raises():
    def f(lib):
        class AddOne(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g
        AddOne.apply(leaf(lib, [1., 2.]))
    same(f)


def test_mark_non_differentiable():
    def f(lib):
        class MaxIdx(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = (x == x.max()).to(x.dtype)
                ctx.mark_non_differentiable(idx)
                ctx.save_for_backward(idx)
                return x.max(), idx

            @staticmethod
            def backward(ctx, g, gidx):
                (idx,) = ctx.saved_tensors
                return g * idx
        x = leaf(lib, [3., 1., 5.])
        m, idx = MaxIdx.apply(x)
        (m * 2).backward()
        return idx.requires_grad, m.requires_grad, x.grad
    same(f)


def test_setup_context_style():
    def f(lib):
        class Mul(lib.autograd.Function):
            @staticmethod
            def forward(x, y, k=1.0):
                return x * y * k

            @staticmethod
            def setup_context(ctx, inputs, output):
                x, y, k = inputs
                ctx.save_for_backward(x, y)
                ctx.k = k

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return g * y * ctx.k, g * x * ctx.k, None
        x = leaf(lib, [1., 2.])
        y = leaf(lib, [3., 4.])
        Mul.apply(x, y, 2.0).sum().backward()
        return x.grad, y.grad
    same(f)


def test_once_differentiable():
    def f(lib, twice):
        from importlib import import_module
        once = import_module(lib.__name__ + ".autograd.function").once_differentiable

        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            @once
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g
        x = leaf(lib, [1., 2.])
        (g,) = lib.autograd.grad(Sq.apply(x).sum(), x, create_graph=True)
        if twice:
            g.sum().backward()
        return g, g.requires_grad
    same(lambda lib: f(lib, False))
    same(lambda lib: f(lib, True))


def test_double_backward_through_function():
    def f(lib):
        class Cube(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * g
        x = leaf(lib, [1., 2.])
        (g,) = lib.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad(g.sum(), x)
        return g, g2
    same(f)


@pytest.mark.parametrize("bad", ["count", "shape"])
def test_wrong_gradients(bad):
    def f(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return (x + y).sum()

            @staticmethod
            def backward(ctx, g):
                return g if bad == "count" else (g.expand(3), g.expand(2))
        x = leaf(lib, [1., 2.])
        F.apply(x, x).backward()
    same(f)


def test_broadcastable_gradient_is_reduced():
    def f(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.expand(3, 2)
        x = leaf(lib, [1., 2.])
        F.apply(x).sum().backward()
        return x.grad
    same(f)


def test_returning_input_and_no_grad():
    def f(lib):
        class Id(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = leaf(lib, [1., 2.])
        y = Id.apply(x)
        y.sum().backward()
        with lib.no_grad():
            z = Id.apply(x)
        w = Id.apply(lib.ones(2))
        return y is x, names(y.grad_fn), x.grad, z.requires_grad, w.requires_grad
    same(f)


def test_forward_runs_without_grad_and_integer_outputs():
    def f(lib):
        class F(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                assert not lib.is_grad_enabled()
                return x * 2, (x > 1).long()

            @staticmethod
            def backward(ctx, g, gi):
                return g * 2
        x = leaf(lib, [1., 2.])
        a, b = F.apply(x)
        return a.requires_grad, b.requires_grad, b.dtype == lib.int64
    same(f)


def test_function_node_hooks_and_name():
    def f(lib):
        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 4

            @staticmethod
            def backward(ctx, g):
                return g * 4
        x = leaf(lib, [1., 2.])
        y = Scale.apply(x)
        seen = []
        y.grad_fn.register_hook(lambda gi, go: seen.append((gi[0].tolist(), go[0].tolist())))
        y.sum().backward()
        return seen, y.grad_fn.name(), names(y.grad_fn)
    same(f)
