"""kl_divergence against PyTorch for the registered pairs, with parameter gradients."""
import numpy as np
import pytest

from oracle import check, check_error

S = (2, 3)

PAIRS = {
    "normal": (lambda D, a, b, c, d: (D.Normal(a, b.exp()), D.Normal(c, d.exp())), [S] * 4),
    "bernoulli": (lambda D, a, b: (D.Bernoulli(logits=a), D.Bernoulli(probs=b.sigmoid())),
                  [S] * 2),
    "categorical": (lambda D, a, b: (D.Categorical(logits=a), D.Categorical(probs=b.exp())),
                    [(3, 4)] * 2),
    "one_hot": (lambda D, a, b: (D.OneHotCategorical(logits=a), D.OneHotCategorical(logits=b)),
                [(3, 4)] * 2),
    "beta": (lambda D, a, b, c, d: (D.Beta(a.exp(), b.exp()), D.Beta(c.exp(), d.exp())),
             [S] * 4),
    "gamma": (lambda D, a, b, c, d: (D.Gamma(a.exp(), b.exp()), D.Gamma(c.exp(), d.exp())),
              [S] * 4),
    "dirichlet": (lambda D, a, b: (D.Dirichlet(a.exp()), D.Dirichlet(b.exp())), [(3, 4)] * 2),
    "exponential": (lambda D, a, b: (D.Exponential(a.exp()), D.Exponential(b.exp())), [S] * 2),
    "laplace": (lambda D, a, b, c, d: (D.Laplace(a, b.exp()), D.Laplace(c, d.exp())), [S] * 4),
    "poisson": (lambda D, a, b: (D.Poisson(a.exp()), D.Poisson(b.exp())), [S] * 2),
    "geometric": (lambda D, a, b: (D.Geometric(a.sigmoid()), D.Geometric(b.sigmoid())),
                  [S] * 2),
    "gumbel": (lambda D, a, b, c, d: (D.Gumbel(a, b.exp()), D.Gumbel(c, d.exp())), [S] * 4),
    "cauchy": (lambda D, a, b, c, d: (D.Cauchy(a, b.exp()), D.Cauchy(c, d.exp())), [S] * 4),
    "half_normal": (lambda D, a, b: (D.HalfNormal(a.exp()), D.HalfNormal(b.exp())), [S] * 2),
    "lognormal": (lambda D, a, b, c, d: (D.LogNormal(a, b.exp()), D.LogNormal(c, d.exp())),
                  [S] * 4),
    "binomial": (lambda D, a, b: (D.Binomial(5, logits=a), D.Binomial(5, logits=b)), [S] * 2),
    "uniform": (lambda D, a, b, c: (D.Uniform(a, a + b.exp()),
                                    D.Uniform(a - c.exp(), a + b.exp() + 1)), [S] * 3),
    "uniform_inf": (lambda D, a, b: (D.Uniform(a, a + b.exp()), D.Uniform(a + 0.1, a + 9)),
                    [S] * 2),
    "mvn": (lambda D, m, l, n, k: (
        D.MultivariateNormal(m, scale_tril=l.tril(-1) + l.diagonal(dim1=-2, dim2=-1)
                             .exp().diag_embed()),
        D.MultivariateNormal(n, k @ k.mT + 0 * k + _eye(k))), [(2, 3), (2, 3, 3), (3,), (3, 3)]),
    "independent": (lambda D, a, b, c, d: (D.Independent(D.Normal(a, b.exp()), 1),
                                           D.Independent(D.Normal(c, d.exp()), 1)), [S] * 4),
    "chi2": (lambda D, a, b: (D.Chi2(a.exp()), D.Chi2(b.exp())), [S] * 2),
    "beta_uniform": (lambda D, a, b: (D.Beta(a.exp(), b.exp()), D.Uniform(0.0, 1.0)), [S] * 2),
    "exponential_gamma": (lambda D, a, b, c: (D.Exponential(a.exp()),
                                              D.Gamma(b.exp(), c.exp())), [S] * 3),
    "gamma_exponential": (lambda D, a, b, c: (D.Gamma(a.exp(), b.exp()),
                                              D.Exponential(c.exp())), [S] * 3),
    "uniform_normal": (lambda D, a, b, c, d: (D.Uniform(a, a + b.exp()),
                                              D.Normal(c, d.exp())), [S] * 4),
    "normal_laplace": (lambda D, a, b, c, d: (D.Normal(a, b.exp()), D.Laplace(c, d.exp())),
                       [S] * 4),
    "lowrank_lowrank": (lambda D, m, w, d, n, v, e: (
        D.LowRankMultivariateNormal(m, w, d.exp()), D.LowRankMultivariateNormal(n, v, e.exp())),
        [(3,), (3, 2), (3,), (3,), (3, 1), (3,)]),
}


def _eye(k):
    import ember
    import torch
    lib = torch if isinstance(k, torch.Tensor) else ember
    return lib.eye(k.shape[-1], dtype=k.dtype)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_against_torch(name):
    build, shapes = PAIRS[name]

    def f(lib, *ts):
        p, q = build(lib.distributions, *ts)
        return lib.distributions.kl_divergence(p, q)
    check(f, shapes, rtol=2e-4, atol=2e-5)


def test_kl_float64_and_self_zero():
    def f(lib, a, b):
        D = lib.distributions
        p = D.Normal(a, b.exp())
        return D.kl_divergence(p, p), D.kl_divergence(D.Gamma(a.exp(), b.exp()),
                                                      D.Gamma(b.exp(), a.exp()))
    eo, _ = check(f, [S, S], dtype="float64", rtol=1e-7, atol=1e-9)
    assert np.allclose(eo[0].detach().numpy(), 0)


def test_register_kl_and_errors():
    import ember
    D = ember.distributions

    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return ember.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    # a subclass without its own entry uses the parent's formula
    assert abs(D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item()) < 1e-7
    check_error(lambda lib: lib.distributions.kl_divergence(
        lib.distributions.Laplace(0.0, 1.0), lib.distributions.Cauchy(0.0, 1.0)),
        NotImplementedError, match="No KL")
    check_error(lambda lib: lib.distributions.kl_divergence(
        lib.distributions.Normal(0.0, 1.0), lib.distributions.Poisson(1.0)),
        NotImplementedError)
    check_error(lambda lib: lib.distributions.kl_divergence(
        lib.distributions.Binomial(3, lib.tensor(0.5)),
        lib.distributions.Binomial(5, lib.tensor(0.5))), NotImplementedError)
