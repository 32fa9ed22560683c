"""gradcheck/gradgradcheck, anomaly detection, Variable, saved-tensor hooks, node names."""
import warnings

import pytest

import ember
from ag_util import leaf, names, same


def _x(lib):
    return lib.tensor([[0.3, -1.2], [0.7, 2.0]], dtype=lib.float64, requires_grad=True)


def _bad(lib):
    class Bad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 3
    return Bad


def test_gradcheck_and_gradgradcheck_pass():
    def f(lib):
        fn = lambda x, y: ((x * y).sin(), (x @ y).exp().sum())  # noqa: E731
        y = _x(lib).detach().requires_grad_()
        return (lib.autograd.gradcheck(fn, (_x(lib), y)),
                lib.autograd.gradgradcheck(lambda x: (x * x).tanh(), (_x(lib),)))
    same(f)


def test_gradcheck_failure():
    same(lambda lib: lib.autograd.gradcheck(_bad(lib).apply, (_x(lib),), raise_exception=False))
    with pytest.raises(ember.autograd.GradcheckError, match="Jacobian mismatch for output 0 "
                                                            "with respect to input 0"):
        ember.autograd.gradcheck(_bad(ember).apply, (_x(ember),))
    assert issubclass(ember.autograd.GradcheckError, RuntimeError)


def test_gradcheck_needs_an_input_with_grad():
    same(lambda lib: lib.autograd.gradcheck(lambda x: x * 2, (_x(lib).detach(),)))


def test_gradcheck_noncontiguous_and_nondiff_args():
    x = ember.randn(3, 4, dtype=ember.float64).t().requires_grad_()
    assert ember.autograd.gradcheck(lambda a, k: (a * k).cos(), (x, 3))


def test_detect_anomaly_names_forward_op():
    def f(lib):
        x = leaf(lib, [0., 1.])
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = (x * 0).log()
                try:
                    (y * 0).sum().backward()
                    msg = "no error"
                except RuntimeError as exc:
                    msg = str(exc)
        traced = [str(m.message) for m in w if "Error detected in" in str(m.message)]
        return msg, len(traced) == 1, "y = (x * 0).log()" in traced[0], \
            lib.is_anomaly_enabled()
    same(f)


def test_set_detect_anomaly_and_check_nan_off():
    def f(lib):
        x = leaf(lib, [0., 1.])
        lib.autograd.set_detect_anomaly(True, check_nan=False)
        try:
            y = x.sqrt()
            (y * 0).sum().backward()
            return lib.is_anomaly_enabled(), x.grad.isnan().tolist()
        finally:
            lib.autograd.set_detect_anomaly(False)
    same(f)


def test_anomaly_reports_errors_raised_in_backward():
    class Boom(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            raise ValueError("boom")
    x = ember.ones(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with ember.autograd.detect_anomaly():
            y = Boom.apply(x)
            with pytest.raises(ValueError, match="boom"):
                y.sum().backward()
    assert any("Error detected in BoomBackward" in str(m.message) for m in w)
    assert not ember.is_anomaly_enabled()


def test_no_nan_check_without_anomaly_mode():
    same(lambda lib: (lambda x: ((x * 0).log() * 0).sum().backward() or x.grad)(
        leaf(lib, [0., 1.])))


def test_variable_alias():
    def f(lib):
        V = lib.autograd.Variable
        t = lib.ones(2)
        v = V(t, requires_grad=True)
        y = V(v * 2)
        return (isinstance(t, V), isinstance(v, lib.Tensor), v.requires_grad, t.requires_grad,
                v is t, y.grad_fn is None, type(v).__name__)
    same(f)
    same(lambda lib: lib.autograd.Variable([1., 2.]))


def test_saved_tensors_hooks():
    def f(lib):
        x = leaf(lib, [1., 2.])
        packed = []

        def pack(t):
            packed.append(tuple(t.shape))
            return t * 1

        def unpack(t):
            return t * 2
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = x * x
        z = x * x  # outside: no hooks
        (y.sum() + z.sum()).backward()
        return packed, x.grad
    same(f)


def test_save_on_cpu():
    def f(lib):
        x = leaf(lib, [1., 2.])
        with lib.autograd.graph.save_on_cpu():
            y = (x * x).sin()
        y.sum().backward()
        return x.grad
    same(f)


NAME_CASES = ["(a*b+c).sum()", "a.exp()", "a.tanh()", "a.sigmoid()", "a.relu()", "a.mean()",
              "a.sum(1)", "a.t()", "a.view(12)", "a[0]", "a[:, 1:]", "a.permute(1, 0)",
              "a.unsqueeze(0)", "a.transpose(0, 1)", "a @ a.t()", "a.pow(2)", "a / 2",
              "a - 1", "2 - a", "-a", "a.abs()", "a.max()", "a.softmax(0)",
              "a.log_softmax(1)", "lib.cat([a, a])", "lib.stack([a, a])", "a.expand(2, 3, 4)",
              "a.clone()", "a.log()", "a.sqrt()", "a * 2", "a + 1", "a.prod()", "a.amax(0)",
              "a.clamp(0, 1)", "a.to(lib.float64)", "a.split(2, 1)[0]", "a.unbind(0)[1]",
              "a.diagonal()", "a.index_select(0, lib.tensor([0]))", "a.masked_fill(a > 0, 0.)",
              "a.flip(0)", "lib.where(a > 0, a, a)", "a * a", "a.square()", "a.rsqrt()",
              "a.sum()", "a.exp().sum()", "a[[0, 1]]", "a.reshape(4, 3)", "a.flatten()"]


@pytest.mark.parametrize("expr", NAME_CASES)
def test_grad_fn_names_match_torch(expr):
    def f(lib):
        a = lib.ones(3, 4, requires_grad=True)
        b = lib.ones(3, 4, requires_grad=True)  # noqa: F841 - used by expressions
        c = lib.ones(3, 4)  # noqa: F841
        out = eval(expr)
        node = out.grad_fn
        nxt = [(names(n), i) for n, i in node.next_functions]
        return names(node), node.name(), nxt
    same(f)


def test_next_functions_chain():
    def f(lib):
        a = lib.ones(2, requires_grad=True)
        b = lib.ones(2, requires_grad=True)
        c = lib.ones(2)
        s = (a * b + c).sum()
        add = s.grad_fn.next_functions[0][0]
        mul = add.next_functions[0][0]
        return ([names(n) for n, _ in add.next_functions], [names(n) for n, _ in mul.next_functions],
                mul.next_functions[0][0].variable is a, add.next_functions[1])
    same(f)
