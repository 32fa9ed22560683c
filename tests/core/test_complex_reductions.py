"""var / std / var_mean / std_mean of complex tensors: real results (|x - mean|^2), complex
gradients, as torch."""
import numpy as np
import pytest
import torch

import ember

X = (np.random.default_rng(0).standard_normal((3, 4)) +
     1j * np.random.default_rng(1).standard_normal((3, 4))).astype(np.complex64)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "correction": 0},
                                {"dim": (0, 1), "keepdim": True}])
def test_var_std_complex(name, kw):
    xe = ember.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    ye, yt = getattr(xe, name)(**kw), getattr(xt, name)(**kw)
    assert ye.dtype == ember.float32 and yt.dtype == torch.float32
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-5)
    (ye * ye).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_var_mean_complex():
    v, m = ember.var_mean(ember.tensor(X.astype(np.complex128)), dim=0)
    vt, mt = torch.var_mean(torch.tensor(X.astype(np.complex128)), dim=0)
    assert v.dtype == ember.float64 and m.dtype == ember.complex128
    np.testing.assert_allclose(v.numpy(), vt.numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.numpy(), mt.numpy(), rtol=1e-12)
