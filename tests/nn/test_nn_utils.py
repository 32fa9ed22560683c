import math
import warnings

import numpy as np
import pytest

from nn_module_oracle import module_check, to_ember_state

import ember
import torch

U = ember.nn.utils


def _twin_grads(lib, norm_scale=1.0):
    ps = [lib.nn.Parameter(lib.zeros(3, 4)), lib.nn.Parameter(lib.zeros(5))]
    ps[0].grad = lib.tensor(np.arange(12, dtype=np.float32).reshape(3, 4) * norm_scale)
    ps[1].grad = lib.tensor(-np.arange(5, dtype=np.float32) * norm_scale)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [1.0, 1000.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ep, tp = _twin_grads(ember), _twin_grads(torch)
    en = U.clip_grad_norm_(ep, max_norm, norm_type=norm_type, foreach=True)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type=norm_type)
    assert float(en) == pytest.approx(float(tn), rel=1e-5)
    assert en.dtype == ember.float32
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5)


def test_clip_grad_norm_nonfinite_and_value():
    ps = _twin_grads(ember)
    ps[0].grad[0, 0] = float("nan")
    with pytest.raises(RuntimeError, match="non-finite"):
        U.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert float(U.clip_grad_norm_([ember.nn.Parameter(ember.ones(2))], 1.0)) == 0.0
    ep, tp = _twin_grads(ember), _twin_grads(torch)
    U.clip_grad_value_(ep, 2.5)
    torch.nn.utils.clip_grad_value_(tp, 2.5)
    for a, b in zip(ep, tp):
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_parameters_vector_roundtrip():
    m = ember.nn.Linear(3, 2)
    v = U.parameters_to_vector(m.parameters())
    assert tuple(v.shape) == (8,)
    U.vector_to_parameters(ember.arange(8.0), m.parameters())
    assert m.weight.tolist() == [[0, 1, 2], [3, 4, 5]] and m.bias.tolist() == [6, 7]
    assert isinstance(m.weight, ember.nn.Parameter)
    with pytest.raises(TypeError):
        U.vector_to_parameters([1.0], m.parameters())


def test_weight_norm_parametrization_oracle():
    module_check(lambda lib: lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(4, 3)),
                 [(5, 4)])
    module_check(lambda lib: lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(4, 3),
                                                                       dim=None), [(5, 4)])


def test_spectral_norm_parametrization_oracle():
    module_check(lambda lib: lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(4, 3)),
                 [(5, 4)], rtol=1e-4, atol=1e-5)


def test_old_weight_norm_oracle_and_remove():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module_check(lambda lib: lib.nn.utils.weight_norm(lib.nn.Linear(4, 3)), [(5, 4)])
        m = U.weight_norm(ember.nn.Linear(4, 3))
    assert list(m.state_dict()) == ["bias", "weight_g", "weight_v"]
    U.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]


class Symmetric(ember.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)

    def right_inverse(self, a):
        return a.triu()


def test_register_and_remove_parametrization():
    m = ember.nn.Linear(3, 3)
    P = U.parametrize
    P.register_parametrization(m, "weight", Symmetric())
    assert type(m).__name__ == "ParametrizedLinear"
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w, w.T)
    assert "parametrizations.weight.original" in m.state_dict()
    m(ember.randn(2, 3)).sum().backward()
    assert m.parametrizations.weight.original.grad is not None
    sym = ember.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]])
    m.weight = sym  # goes through right_inverse
    np.testing.assert_allclose(m.weight.detach().numpy(), sym.numpy())
    with P.cached():
        assert m.weight is m.weight
    P.remove_parametrizations(m, "weight")
    assert type(m) is ember.nn.Linear and isinstance(m.weight, ember.nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), sym.numpy())
    with pytest.raises(ValueError):
        P.remove_parametrizations(m, "weight")


def test_parametrization_shape_check():
    class Bad(ember.nn.Module):
        def forward(self, x):
            return x[:1]
    with pytest.raises(ValueError, match="shape"):
        U.parametrize.register_parametrization(ember.nn.Linear(3, 3), "weight", Bad())
