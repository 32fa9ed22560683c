"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp."""
import pytest

from ag_util import same


def _a(lib, k=0.0):
    return lib.tensor([[1., 2.], [3., -1.]], dtype=lib.float64) + k


def f1(x):
    return (x * x).tanh()


def f2(x, y):
    return (x @ y).sin(), x.exp().sum()


def fs(x, y):
    return (x.sigmoid() * y).sum() + (x * x * y).sum()


def F(lib):
    return lib.autograd.functional


CASES = {
    "jacobian": lambda lib: F(lib).jacobian(f1, _a(lib)),
    "jacobian_tuples": lambda lib: F(lib).jacobian(f2, (_a(lib), _a(lib, 1))),
    "jacobian_tuple_in": lambda lib: F(lib).jacobian(f1, (_a(lib),)),
    "jacobian_vectorize": lambda lib: F(lib).jacobian(f1, _a(lib), vectorize=True),
    "jacobian_scalar_out": lambda lib: F(lib).jacobian(lambda x: (x ** 3).sum(), _a(lib)),
    "hessian": lambda lib: F(lib).hessian(lambda x: f1(x).sum(), _a(lib)),
    "hessian_tuples": lambda lib: F(lib).hessian(fs, (_a(lib), _a(lib, 2))),
    "vjp": lambda lib: F(lib).vjp(f2, (_a(lib), _a(lib)),
                                  (_a(lib), lib.tensor(2., dtype=lib.float64))),
    "vjp_scalar_default_v": lambda lib: F(lib).vjp(lambda x: (x * x).sum(), _a(lib)),
    "jvp": lambda lib: F(lib).jvp(f2, (_a(lib), _a(lib, 1)), (_a(lib), _a(lib) * 3)),
    "jvp_single": lambda lib: F(lib).jvp(f1, _a(lib), _a(lib, 0.5)),
    "hvp": lambda lib: F(lib).hvp(fs, (_a(lib), _a(lib, 1)), (_a(lib), _a(lib) * 3)),
    "vhp": lambda lib: F(lib).vhp(fs, (_a(lib), _a(lib, 1)), (_a(lib), _a(lib) * 3)),
    "hvp_single": lambda lib: F(lib).hvp(lambda x: f1(x).sum(), _a(lib), _a(lib, 1)),
    "nonstrict_zero": lambda lib: F(lib).jacobian(lambda x, y: x * 2, (_a(lib)[0], _a(lib)[0])),
}

ERRORS = {
    "vjp_needs_v": lambda lib: F(lib).vjp(f1, _a(lib)),
    "strict": lambda lib: F(lib).jacobian(lambda x, y: x * 2, (_a(lib), _a(lib)), strict=True),
    "hessian_not_scalar": lambda lib: F(lib).hessian(f1, _a(lib)),
    "bad_input_type": lambda lib: F(lib).jacobian(f1, [1.0]),
    "v_bad_shape": lambda lib: F(lib).vjp(f1, _a(lib), lib.ones(3, dtype=lib.float64)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values(name):
    same(CASES[name], rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    same(ERRORS[name], message=name != "bad_input_type")


def test_create_graph():
    def f(lib):
        x = _a(lib).requires_grad_()
        j = F(lib).jacobian(f1, x, create_graph=True)
        (g,) = lib.autograd.grad(j.sum(), x)
        out, v = F(lib).vjp(f1, x, lib.ones(2, 2, dtype=lib.float64), create_graph=True)
        return j.requires_grad, g, v.requires_grad, out.requires_grad
    same(f, rtol=1e-8, atol=1e-10)


def test_outputs_detached_without_create_graph():
    def f(lib):
        x = _a(lib).requires_grad_()
        out, v = F(lib).vjp(f1, x, lib.ones(2, 2, dtype=lib.float64))
        return out.requires_grad, v.requires_grad, F(lib).jacobian(f1, x).requires_grad
    same(f)
