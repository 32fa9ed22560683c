"""Version counters and in-place ops: saved-tensor checks, leaf checks, CopySlices rewrites."""
import pytest

from ag_util import leaf, names, same


@pytest.mark.parametrize("case", ["input_of_mul", "output_of_exp", "output_of_sigmoid",
                                  "twice", "plain_tensor", "through_view"])
def test_modified_saved_tensor_raises_at_backward(case):
    def f(lib):
        x = leaf(lib, [[1., 2.], [3., 4.]])
        if case == "input_of_mul":
            y = x * 2
            z = y * y
            y.add_(1)
            z.sum().backward()
        elif case == "output_of_exp":
            y = x.exp()
            y.add_(1)
            y.sum().backward()
        elif case == "output_of_sigmoid":
            y = x.sigmoid()
            y.mul_(2)
            y.sum().backward()
        elif case == "twice":
            y = x.exp()
            y.mul_(2)
            y.mul_(3)
            y.sum().backward()
        elif case == "plain_tensor":
            w = lib.ones(2, 2)
            y = x * w
            w.add_(1)
            y.sum().backward()
        else:
            y = x * 1
            z = y * y
            y[0].mul_(2)
            z.sum().backward()
    same(f)


def test_inplace_not_saved_is_fine():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x + 1  # add saves nothing
        z = y + 2
        y.mul_(3)
        (z.sum() + y.sum()).backward()
        return x.grad, y._version
    same(f)


@pytest.mark.parametrize("case", ["leaf", "leaf_view", "leaf_index_put"])
def test_inplace_on_leaf_raises(case):
    def f(lib):
        x = leaf(lib, [[1., 2.], [3., 4.]])
        if case == "leaf":
            x.add_(1)
        elif case == "leaf_view":
            x[0].mul_(2)
        else:
            x[[0]] = 5.
    same(f)


def test_inplace_on_leaf_under_no_grad():
    def f(lib):
        x = leaf(lib, [1., 2.])
        with lib.no_grad():
            x.add_(1)
            x.mul_(2)
            x[0] = 7.
        (x * x).sum().backward()
        return x, x.grad, x._version, x.is_leaf
    same(f)


def test_inplace_rewrites_graph():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x * 3
        y.exp_()
        y.mul_(2)
        y.sum().backward()
        return x.grad, names(y.grad_fn), y._version
    same(f)


def test_copyslices_mul_through_view():
    def f(lib):
        x = leaf(lib, [[1., 2., 3.], [4., 5., 6.]])
        y = x * 1
        y[:, 0].mul_(2)
        node = y.grad_fn
        (y * y).sum().backward()
        return x.grad, node.name(), names(node), y._version
    same(f)


def test_copyslices_narrow_copy():
    def f(lib):
        x = leaf(lib, [[1., 2., 3.], [4., 5., 6.]])
        z = leaf(lib, [[7.], [8.]])
        y = x * 1
        y.narrow(1, 1, 1).copy_(z)
        (y * y).sum().backward()
        return x.grad, z.grad, y.grad_fn.name()
    same(f)


def test_copyslices_diagonal_zero():
    def f(lib):
        x = lib.arange(9.).reshape(3, 3).requires_grad_()
        y = x * 2
        y.diagonal().zero_()
        y.pow(2).sum().backward()
        return x.grad, y
    same(f)


def test_copyslices_chain_of_views():
    def f(lib):
        x = lib.arange(24.).reshape(2, 3, 4).requires_grad_()
        w = leaf(lib, [1., 2.])
        y = x.sin()
        v = y.transpose(0, 2)[1:3]   # a view of a view
        v[:, 1].mul_(w)
        (y * y).sum().backward()
        return x.grad, w.grad
    same(f, rtol=1e-4, atol=1e-4)


def test_view_sees_base_update_and_grad():
    def f(lib):
        x = leaf(lib, [[1., 2.], [3., 4.]])
        y = x * 1
        v = y[1]
        y.mul_(2)  # base changes: the view's values and graph follow
        (v * v).sum().backward()
        return v, x.grad
    same(f)


def test_setitem_differentiable():
    def f(lib):
        x = lib.arange(6.).reshape(2, 3).requires_grad_()
        w = leaf(lib, [5., 6.])
        y = x * 1
        y[:, 1] = w
        (y ** 2).sum().backward()
        return x.grad, w.grad
    same(f)


def test_version_counter_shared_by_views():
    def f(lib):
        x = lib.zeros(2, 3)
        v = x[0]
        t = x.t()
        v.add_(1)
        t.mul_(2)
        return x._version, v._version, t._version, x
    same(f)
