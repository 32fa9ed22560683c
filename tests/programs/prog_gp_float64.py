"""Gaussian-process regression in float64 (torch.set_default_dtype), Cholesky solves, marginal
likelihood optimisation, Bayesian linear regression and a few linear-algebra idioms."""
import math

import numpy as np
import torch
import torch.nn as nn


class RBFKernelGP(nn.Module):
    def __init__(self):
        super().__init__()
        self.log_lengthscale = nn.Parameter(torch.tensor(0.0))
        self.log_outputscale = nn.Parameter(torch.tensor(0.0))
        self.log_noise = nn.Parameter(torch.tensor(-2.0))

    def kernel(self, a, b):
        d2 = torch.cdist(a, b).pow(2)
        return self.log_outputscale.exp() * torch.exp(-0.5 * d2 / self.log_lengthscale.exp() ** 2)

    def nll(self, X, y):
        n = X.size(0)
        K = self.kernel(X, X) + (self.log_noise.exp() + 1e-6) * torch.eye(n)
        L = torch.linalg.cholesky(K)
        alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
        return 0.5 * (y.unsqueeze(0) @ alpha).squeeze() + torch.log(torch.diagonal(L)).sum() \
            + 0.5 * n * math.log(2 * math.pi)

    def predict(self, X, y, Xs):
        K = self.kernel(X, X) + (self.log_noise.exp() + 1e-6) * torch.eye(X.size(0))
        L = torch.linalg.cholesky(K)
        Ks = self.kernel(X, Xs)
        alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
        mean = (Ks.t() @ alpha).squeeze(-1)
        v = torch.linalg.solve_triangular(L, Ks, upper=False)
        var = self.kernel(Xs, Xs).diagonal() - v.pow(2).sum(0)
        return mean, var


def main():
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    print("defaults", torch.get_default_dtype(), torch.tensor([1.0]).dtype, torch.zeros(1).dtype,
          torch.arange(3.0).dtype, torch.arange(3).dtype, nn.Linear(2, 2).weight.dtype,
          torch.tensor(1.5).dtype, (torch.ones(1, dtype=torch.float32) * 2.5).dtype)
    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.uniform(-3, 3, size=(30, 1)))
    y = torch.sin(X[:, 0]) + 0.1 * torch.from_numpy(rng.normal(size=30))
    gp = RBFKernelGP()
    opt = torch.optim.Adam(gp.parameters(), lr=0.05)
    for it in range(60):
        opt.zero_grad()
        loss = gp.nll(X, y)
        loss.backward()
        opt.step()
        if it % 20 == 19:
            print(f"gp it {it} nll {loss.item():.6f} ls {gp.log_lengthscale.exp().item():.6f}")
    Xs = torch.linspace(-3, 3, 7).unsqueeze(-1)
    with torch.no_grad():
        mean, var = gp.predict(X, y, Xs)
    print("gp_mean", " ".join(f"{v:.5f}" for v in mean.tolist()))
    print("gp_var_pos", bool((var > 0).all()), mean.dtype)

    # Bayesian linear regression: closed form with solve / inverse / logdet / slogdet
    A = torch.from_numpy(rng.normal(size=(40, 3)))
    w_true = torch.tensor([1.0, -2.0, 0.5])
    b = A @ w_true + 0.05 * torch.from_numpy(rng.normal(size=40))
    prec = A.T @ A + 0.1 * torch.eye(3)
    w_map = torch.linalg.solve(prec, A.T @ b)
    cov = torch.linalg.inv(prec)
    sign, logabs = torch.linalg.slogdet(prec)
    print("blr", " ".join(f"{v:.6f}" for v in w_map.tolist()), f"{torch.logdet(prec).item():.6f}",
          sign.item(), f"{cov.trace().item():.6f}")
    lst = torch.linalg.lstsq(A, b.unsqueeze(-1)).solution.squeeze(-1)
    print("lstsq", " ".join(f"{v:.6f}" for v in lst.tolist()))
    pinv = torch.linalg.pinv(A)
    print("pinv", torch.allclose(pinv @ b, lst, atol=1e-8))
    evals, evecs = torch.linalg.eigh(prec)
    print("eigh", " ".join(f"{v:.5f}" for v in evals.tolist()),
          torch.allclose(evecs @ torch.diag(evals) @ evecs.T, prec))
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    print("svd", " ".join(f"{v:.5f}" for v in S.tolist()), torch.allclose(U @ torch.diag(S) @ Vh, A))
    Q, R = torch.linalg.qr(A)
    print("qr", tuple(Q.shape), torch.allclose(Q @ R, A), f"{torch.linalg.matrix_rank(A).item()}")
    print("norms", f"{torch.linalg.norm(A).item():.5f}", f"{torch.linalg.matrix_norm(A, 'nuc').item():.5f}",
          f"{torch.linalg.cond(prec).item():.5f}")
    # Gradient through a Cholesky-based log-likelihood (float64 gradcheck)
    M = torch.from_numpy(rng.normal(size=(3, 3))).requires_grad_()

    def loglik(M):
        S = M @ M.T + torch.eye(3)
        return torch.distributions.MultivariateNormal(torch.zeros(3), covariance_matrix=S).log_prob(
            torch.ones(3))
    print("gradcheck_mvn", torch.autograd.gradcheck(loglik, (M,)))
    loglik(M).backward()
    print("mvn_grad", " ".join(f"{v:.6f}" for v in M.grad.flatten().tolist()[:4]))
    torch.set_default_dtype(torch.float32)
    print("restored", torch.tensor([1.0]).dtype)


if __name__ == "__main__":
    main()
