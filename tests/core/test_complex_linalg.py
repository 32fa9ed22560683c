"""Complex inputs through the linear-algebra ops: values, dtypes and gradients against torch
(the backward formulas use conjugate transposes; real inputs reduce to the same formulas)."""
import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 3, 3)) + 1j * RNG.standard_normal((2, 3, 3))
B = RNG.standard_normal((2, 3, 2)) + 1j * RNG.standard_normal((2, 3, 2))
W = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
HPD = lambda L, a: a @ a.mH + L.eye(3)  # noqa: E731

CASES = {
    "inv": lambda L, a, b: (L.linalg.inv(a) * L.tensor(W)).sum().abs(),
    "det": lambda L, a, b: L.linalg.det(a).abs().sum(),
    "det_singular": lambda L, a, b: L.linalg.det(a[..., :1].expand(-1, -1, 3) * 1).abs().sum()
    + L.linalg.det(a).real.sum(),
    "slogdet": lambda L, a, b: L.linalg.slogdet(a)[1].sum(),
    "solve": lambda L, a, b: L.linalg.solve(a, b).abs().sum(),
    "solve_right": lambda L, a, b: L.linalg.solve(a, b.mT, left=False).abs().sum(),
    "pinv": lambda L, a, b: (L.linalg.pinv(a) * L.tensor(W)).sum().abs(),
    "pinv_rtol": lambda L, a, b: (L.linalg.pinv(a, rtol=1e-6) * L.tensor(W)).sum().abs(),
    "pinverse_wide": lambda L, a, b: L.pinverse(b.mT).abs().sum(),
    "eigvalsh": lambda L, a, b: (L.linalg.eigvalsh(a + a.mH) *
                                 L.tensor([1.0, 2.0, 3.0], dtype=L.float64)).sum(),
    "cholesky": lambda L, a, b: (L.linalg.cholesky(HPD(L, a)) * L.tensor(W)).sum().abs(),
    "cholesky_upper": lambda L, a, b: L.linalg.cholesky(HPD(L, a), upper=True).abs().sum(),
    "lstsq": lambda L, a, b: L.linalg.lstsq(a, b).solution.abs().sum(),
    "matrix_exp": lambda L, a, b: L.matrix_exp(a).abs().sum(),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_value_and_gradient_match_torch(name):
    got = []
    for lib in (ember, torch):
        a = lib.tensor(A, requires_grad=True)
        b = lib.tensor(B, requires_grad=True)
        out = CASES[name](lib, a, b)
        out.backward()
        got.append((out.item(), [None if t.grad is None else t.grad.numpy() for t in (a, b)]))
    (ve, ge), (vt, gt) = got
    np.testing.assert_allclose(ve, vt, rtol=1e-9)
    for e, t in zip(ge, gt):
        assert (e is None) == (t is None)
        if t is not None:
            np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-9)


def test_slogdet_logabsdet_is_real_and_svd_returns_v():
    for dtype, real in (("complex64", ember.float32), ("complex128", ember.float64)):
        sign, logabs = ember.linalg.slogdet(ember.tensor(A.astype(dtype)))
        assert logabs.dtype == real and sign.dtype == getattr(ember, dtype)
        tsign, tlog = torch.linalg.slogdet(torch.tensor(A.astype(dtype)))
        np.testing.assert_allclose(logabs.numpy(), tlog.numpy(), rtol=1e-5)
        np.testing.assert_allclose(sign.numpy(), tsign.numpy(), rtol=1e-5)
    up = ember.linalg.cholesky(HPD(ember, ember.tensor(A)), upper=True)
    np.testing.assert_allclose(up.numpy(), torch.linalg.cholesky(HPD(torch, torch.tensor(A)),
                                                                 upper=True).numpy(), atol=1e-12)
    u, s, v = ember.tensor(A).svd()
    rebuilt = (u * s.to(ember.complex128).unsqueeze(-2)) @ v.mH
    np.testing.assert_allclose(rebuilt.numpy(), A, atol=1e-12)
