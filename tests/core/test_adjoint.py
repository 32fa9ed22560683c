"""mT / mH / H / adjoint: conjugation for complex tensors, views for real ones, torch's errors."""
import numpy as np
import pytest
import torch

import ember

A = (np.arange(12).reshape(2, 2, 3) + 1j * np.arange(12, 0, -1).reshape(2, 2, 3)).astype(
    np.complex64)


@pytest.mark.parametrize("spell", [lambda t: t.mH, lambda t: t.adjoint(),
                                   lambda t: t.mT, lambda t: t[0].H, lambda t: t[0].T])
def test_values_match_torch(spell):
    e, t = spell(ember.tensor(A)), spell(torch.tensor(A))
    assert e.shape == t.shape and e.dtype == ember.complex64
    np.testing.assert_array_equal(e.numpy(), t.resolve_conj().numpy())


def test_real_adjoint_is_a_view_and_complex_gradient_is_conjugated():
    x = ember.randn(3, 4)
    assert x.mH._base is x and x.adjoint()._base is x
    xe = ember.tensor(A, requires_grad=True)
    xt = torch.tensor(A, requires_grad=True)
    w = (np.ones((2, 3, 2)) * (1 - 2j)).astype(np.complex64)
    (xe.mH * ember.tensor(w)).sum().abs().backward()
    (xt.mH * torch.tensor(w)).sum().abs().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-5)


@pytest.mark.parametrize("what,spell", [("mT", lambda t: t.mT), ("mH", lambda t: t.mH),
                                        ("adjoint()", lambda t: t.adjoint())])
def test_vectors_are_refused_like_torch(what, spell):
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match=rf"tensor\.{what.replace('(', '[(]').replace(')', '[)]')} "
                                              r"is only supported on matrices or batches of "
                                              r"matrices\. Got 1-D tensor\."):
            spell(lib.ones(3))
