"""Tensor hooks, retain_grad, post-accumulate hooks, Node hooks and pre-hooks."""
import pytest

from ag_util import leaf, same


def test_leaf_and_nonleaf_tensor_hooks_modify_and_remove():
    def f(lib):
        x = leaf(lib, [1., 2., 3.])
        seen = []
        h = x.register_hook(lambda g: g * 2)
        y = x * x
        y.register_hook(lambda g: seen.append(g.tolist()))
        h2 = y.register_hook(lambda g: g + 1)
        y.sum().backward()
        seen.append(x.grad.tolist())
        h.remove()
        h2.remove()
        x.grad = None
        (x * x).sum().backward()
        seen.append(x.grad.tolist())
        return seen
    same(f)


def test_hook_runs_once_on_summed_gradient():
    def f(lib):
        x = leaf(lib, [1., 2.])
        calls = []
        x.register_hook(lambda g: calls.append(g.tolist()))
        (x * 2 + x * 3).sum().backward()
        return calls, x.grad
    same(f)


def test_hooks_apply_to_autograd_grad():
    def f(lib):
        x = leaf(lib, [1., 2.])
        x.register_hook(lambda g: g * 10)
        h = x * 1
        h.register_hook(lambda g: g * 5)
        gh = lib.autograd.grad((h * 2).sum(), [h], retain_graph=True)
        gx = lib.autograd.grad((h * 2).sum(), [x])
        return gh, gx
    same(f)


def test_hook_errors():
    same(lambda lib: lib.ones(2).register_hook(lambda g: g))
    same(lambda lib: (leaf(lib, [1.]) * 2).register_post_accumulate_grad_hook(lambda t: None))


def test_retain_grad():
    def f(lib):
        x = leaf(lib, [1., 2., 3.])
        y = x * 2
        y.retain_grad()
        y.retain_grad()  # twice is harmless
        z = y * y
        z.sum().backward(retain_graph=True)
        r1 = y.grad.clone()
        z.sum().backward()
        return r1, y.grad, x.grad, y.retains_grad, x.retains_grad, z.retains_grad
    same(f)


def test_retain_grad_errors_and_leaf_noop():
    same(lambda lib: lib.ones(2).retain_grad())

    def f(lib):
        x = leaf(lib, [1., 2.])
        x.retain_grad()
        (x * 2).sum().backward()
        return x.retains_grad, x.grad
    same(f)


def test_retain_grad_with_hook_order():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 3)  # retain_grad sees the hooked value
        y.sum().backward()
        return y.grad
    same(f)


def test_post_accumulate_grad_hook():
    def f(lib):
        x = leaf(lib, [1., 2.])
        seen = []
        h = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
        (x * 3).sum().backward()
        (x * 3).sum().backward()
        h.remove()
        (x * 3).sum().backward()
        return seen
    same(f)


def test_node_hook_and_prehook():
    def f(lib):
        x = leaf(lib, [1., 2.])
        w = lib.tensor([5., 6.])
        y = x * w
        seen = []
        y.grad_fn.register_prehook(lambda go: seen.append(("pre", [g.tolist() for g in go])))
        y.grad_fn.register_hook(lambda gi, go: seen.append(
            ("post", [None if g is None else g.tolist() for g in gi], [g.tolist() for g in go])))
        y.sum().backward()
        return seen
    same(f)


def test_node_hooks_modify():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x * 3
        y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        z = x.exp()
        h = z.grad_fn.register_hook(lambda gi, go: (gi[0] * 0 + 1,))
        (y.sum() + z.sum()).backward()
        r = x.grad.clone()
        h.remove()
        x.grad = None
        x.exp().sum().backward()
        return r, x.grad
    same(f)


def test_accumulate_grad_node_name_and_hooks_on_leaf_node():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x * 2
        acc = y.grad_fn.next_functions[0][0]
        return acc.name(), type(acc).__name__, acc.variable is x, acc.next_functions
    same(f)


@pytest.mark.parametrize("kind", ["leaf", "nonleaf"])
def test_handle_as_context_manager(kind):
    def f(lib):
        x = leaf(lib, [1., 2.])
        t = x if kind == "leaf" else x * 1
        with t.register_hook(lambda g: g * 100):
            pass
        (t * 2).sum().backward()
        return x.grad
    same(f)
