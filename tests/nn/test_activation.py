import numpy as np
import pytest

from nn_module_oracle import module_check
from oracle import check, check_error, gradcheck

import ember
import torch

FUNCS = [("relu", {}), ("relu6", {}), ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}),
         ("celu", {"alpha": 2.0}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 1.5}),
         ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
         ("hardtanh", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("hardswish", {}),
         ("hardsigmoid", {}), ("hardshrink", {}), ("softshrink", {"lambd": 0.3}),
         ("tanhshrink", {}), ("logsigmoid", {}), ("softplus", {}),
         ("softplus", {"beta": 2.0, "threshold": 1.0}), ("softsign", {}), ("glu", {}),
         ("glu", {"dim": 0}), ("softmax", {"dim": 1}), ("log_softmax", {"dim": 0}),
         ("softmin", {"dim": 1}), ("sigmoid", {}), ("tanh", {})]


@pytest.mark.parametrize("name,kw", FUNCS)
def test_functional_oracle(name, kw):
    for nc in (False, True):
        check(lambda lib, x: getattr(lib.nn.functional, name)(x, **kw), [(4, 6)], noncontig=nc)
    gradcheck(lambda lib, x: getattr(lib.nn.functional, name)(x, **kw), [(4, 6)])


@pytest.mark.parametrize("name", ["gelu", "silu", "elu", "softplus", "mish", "logsigmoid"])
def test_double_backward(name):
    def fn(lib, x):
        y = getattr(lib.nn.functional, name)(x)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return g
    check(fn, [(3, 5)])


MODULES = [("ReLU", ()), ("ReLU6", ()), ("ELU", (0.7,)), ("SELU", ()), ("CELU", (1.3,)),
           ("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()), ("Mish", ()), ("Sigmoid", ()),
           ("Tanh", ()), ("Hardtanh", (-2.0, 1.5)), ("Hardswish", ()), ("Hardsigmoid", ()),
           ("Hardshrink", (0.4,)), ("Softshrink", ()), ("Tanhshrink", ()),
           ("Threshold", (0.1, 20.0)), ("LogSigmoid", ()), ("Softplus", (2.0, 5.0)),
           ("Softsign", ()), ("Softmax", (1,)), ("Softmin", (-1,)), ("LogSoftmax", (1,)),
           ("Softmax2d", ()), ("GLU", (1,)), ("LeakyReLU", (0.2,)), ("PReLU", ()),
           ("PReLU", (4, 0.1)), ("RReLU", (0.1, 0.3))]


@pytest.mark.parametrize("name,args", MODULES)
def test_module_oracle(name, args):
    module_check(lambda lib: getattr(lib.nn, name)(*args), [(2, 4, 3, 2)], train=False)


def test_inplace_modules_repr_and_effect():
    for name in ("ReLU", "SiLU", "ELU", "LeakyReLU", "Hardtanh", "ReLU6", "SELU", "Mish"):
        module_check(lambda lib: getattr(lib.nn, name)(inplace=True), [(3, 4)], grad=False)
    x = ember.randn(10)
    y = ember.nn.ReLU(inplace=True)(x)
    assert y is x and float(x.min()) >= 0
    check(lambda lib, x: lib.nn.functional.leaky_relu(x * 1, 0.1, inplace=True), [(3, 4)])
    check(lambda lib, x: lib.nn.functional.relu(x * 1, inplace=True), [(3, 4)])


def test_rrelu_train_eval():
    m = ember.nn.RReLU(0.1, 0.3)
    x = -ember.rand(1000) - 0.1
    x.requires_grad_(True)
    y = m(x)
    slopes = (y / x).detach().numpy()
    assert slopes.min() >= 0.1 - 1e-6 and slopes.max() <= 0.3 + 1e-6 and slopes.std() > 0.03
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes, rtol=1e-5)
    m.eval()
    np.testing.assert_allclose((m(x) / x).detach().numpy(), 0.2, rtol=1e-5)


def test_prelu_module_default_init():
    m = ember.nn.PReLU(3)
    assert m.weight.tolist() == pytest.approx([0.25] * 3)
    assert repr(m) == "PReLU(num_parameters=3)"


def test_activation_errors():
    check_error(lambda lib: lib.nn.functional.glu(lib.ones(3, 5)))
    check_error(lambda lib: lib.nn.Softmax2d()(lib.ones(3, 5)))
    check_error(lambda lib: lib.nn.functional.gelu(lib.ones(3), approximate="x"))
    check_error(lambda lib: lib.nn.functional.prelu(lib.ones(2, 3), lib.ones(2)))
    check_error(lambda lib: lib.nn.Hardtanh(2.0, 1.0))


def test_extreme_inputs_are_finite():
    x = ember.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
    for fn in ("silu", "softplus", "logsigmoid", "mish", "gelu", "elu", "selu"):
        y = getattr(ember.nn.functional, fn)(x)
        (g,) = ember.autograd.grad(y.sum(), x)
        t = torch.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], requires_grad=True)
        ty = getattr(torch.nn.functional, fn)(t)
        (tg,) = torch.autograd.grad(ty.sum(), t)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(g.numpy(), tg.numpy(), rtol=1e-5, atol=1e-6)
