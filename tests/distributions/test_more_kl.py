"""kl_divergence against PyTorch for the pairs added with the newer distributions and the
cross-family pairs (values and parameter gradients, broadcasting between p and q)."""
import numpy as np
import pytest

from oracle import check

S = (2, 3)


def _cb(D, a):
    return D.ContinuousBernoulli(a.sigmoid())


def _par(D, a, b):
    return D.Pareto(a.exp(), b.exp() + 2.5)


PAIRS = {
    "cb_cb": (lambda D, a, b: (_cb(D, a), D.ContinuousBernoulli(logits=b)), [S, S]),
    "pareto_pareto": (lambda D, a, b, c, d: (D.Pareto(a.exp() + 1, b.exp()),
                                             D.Pareto(c.exp() * 0.5, d.exp())), [S] * 4),
    "pareto_pareto_inf": (lambda D, a, b: (D.Pareto(a.exp(), b.exp()),
                                           D.Pareto(a.exp() + 0.5, b.exp())), [S] * 2),
    "bernoulli_poisson": (lambda D, a, b: (D.Bernoulli(logits=a), D.Poisson(b.exp())), [S] * 2),
    "beta_cb": (lambda D, a, b, c: (D.Beta(a.exp(), b.exp()), _cb(D, c)), [S] * 3),
    "beta_exponential": (lambda D, a, b, c: (D.Beta(a.exp(), b.exp()), D.Exponential(c.exp())),
                         [S] * 3),
    "beta_gamma": (lambda D, a, b, c, d: (D.Beta(a.exp(), b.exp()), D.Gamma(c.exp(), d.exp())),
                   [S] * 4),
    "beta_normal": (lambda D, a, b, c, d: (D.Beta(a.exp(), b.exp()), D.Normal(c, d.exp())),
                    [S] * 4),
    "cb_exponential": (lambda D, a, b: (_cb(D, a), D.Exponential(b.exp())), [S] * 2),
    "cb_normal": (lambda D, a, b, c: (_cb(D, a), D.Normal(b, c.exp())), [S] * 3),
    "cb_uniform": (lambda D, a, b, c: (_cb(D, a), D.Uniform(b - 2, c.exp() + 1)), [S] * 3),
    "exponential_gumbel": (lambda D, a, b, c: (D.Exponential(a.exp()), D.Gumbel(b, c.exp())),
                           [S] * 3),
    "exponential_normal": (lambda D, a, b, c: (D.Exponential(a.exp()), D.Normal(b, c.exp())),
                           [S] * 3),
    "gamma_gumbel": (lambda D, a, b, c, d: (D.Gamma(a.exp(), b.exp()), D.Gumbel(c, d.exp())),
                     [S] * 4),
    "gamma_normal": (lambda D, a, b, c, d: (D.Gamma(a.exp(), b.exp()), D.Normal(c, d.exp())),
                     [S] * 4),
    "gumbel_normal": (lambda D, a, b, c, d: (D.Gumbel(a, b.exp()), D.Normal(c, d.exp())),
                      [S] * 4),
    "laplace_normal": (lambda D, a, b, c, d: (D.Laplace(a, b.exp()), D.Normal(c, d.exp())),
                       [S] * 4),
    "normal_gumbel": (lambda D, a, b, c, d: (D.Normal(a, b.exp()), D.Gumbel(c, d.exp())),
                      [S] * 4),
    "pareto_exponential": (lambda D, a, b, c: (D.Pareto(a.exp(), b.exp() + 0.5),
                                               D.Exponential(c.exp())), [S] * 3),
    "pareto_gamma": (lambda D, a, b, c, d: (D.Pareto(a.exp(), b.exp() + 0.5),
                                            D.Gamma(c.exp(), d.exp())), [S] * 4),
    "pareto_normal": (lambda D, a, b, c, d: (D.Pareto(a.exp(), b.exp() + 1.5),
                                             D.Normal(c, d.exp())), [S] * 4),
    "uniform_beta": (lambda D, a, b, c, d: (D.Uniform(a.sigmoid() * 0.5, b.sigmoid() * 0.5 + 0.5),
                                            D.Beta(c.exp(), d.exp())), [S] * 4),
    "uniform_beta_edges": (lambda D, c, d: (D.Uniform(c.new_tensor([0.0, -0.1, 0.2]),
                                                      c.new_tensor([1.0, 0.5, 1.2])),
                                            D.Beta(c.exp(), d.exp())), [(3,)] * 2),
    "uniform_cb": (lambda D, a, b, c: (D.Uniform(a.sigmoid() * 0.5, b.sigmoid() * 0.5 + 0.5),
                                       _cb(D, c)), [S] * 3),
    "uniform_exponential": (lambda D, a, b, c: (D.Uniform(a, a + b.exp()),
                                                D.Exponential(c.exp())), [S] * 3),
    "uniform_gamma": (lambda D, a, b, c, d: (D.Uniform(a.exp(), a.exp() + b.exp()),
                                             D.Gamma(c.exp(), d.exp())), [S] * 4),
    "uniform_gamma_zero_low": (lambda D, b, c, d: (D.Uniform(b.new_zeros(S), b.exp()),
                                                   D.Gamma(c.exp(), d.exp())), [S] * 3),
    "uniform_gumbel": (lambda D, a, b, c, d: (D.Uniform(a, a + b.exp()), D.Gumbel(c, d.exp())),
                       [S] * 4),
    "uniform_pareto": (lambda D, a, b, c, d: (D.Uniform(a.exp() + 1, a.exp() + b.exp() + 1),
                                              D.Pareto(c.exp() * 0.5, d.exp())), [S] * 4),
    "wishart_wishart": (lambda D, a, m, b, n: (
        D.Wishart(a.exp() + 3, covariance_matrix=m @ m.mT + m.new_ones(3).diag_embed()),
        D.Wishart(b.exp() + 3, scale_tril=n.tril(-1) + n.diagonal(dim1=-2, dim2=-1).exp()
                  .diag_embed())), [(2,), (2, 3, 3), (1,), (3, 3)]),
    "broadcast_normal_gumbel": (lambda D, a, b, c, d: (D.Normal(a, b.exp()),
                                                       D.Gumbel(c, d.exp())),
                                [(3,), (2, 1), (4, 2, 3), (3,)]),
}

INFINITE = [("Beta", "Pareto"), ("ContinuousBernoulli", "Pareto"), ("Exponential", "Beta"),
            ("Exponential", "ContinuousBernoulli"), ("Exponential", "Pareto"),
            ("Exponential", "Uniform"), ("Gamma", "Beta"), ("Gamma", "ContinuousBernoulli"),
            ("Gamma", "Pareto"), ("Gamma", "Uniform"), ("Gumbel", "Beta"),
            ("Gumbel", "ContinuousBernoulli"), ("Gumbel", "Exponential"), ("Gumbel", "Gamma"),
            ("Gumbel", "Pareto"), ("Gumbel", "Uniform"), ("Laplace", "Beta"),
            ("Laplace", "ContinuousBernoulli"), ("Laplace", "Exponential"), ("Laplace", "Gamma"),
            ("Laplace", "Pareto"), ("Laplace", "Uniform"), ("Normal", "Beta"),
            ("Normal", "ContinuousBernoulli"), ("Normal", "Exponential"), ("Normal", "Gamma"),
            ("Normal", "Pareto"), ("Normal", "Uniform"), ("Pareto", "Beta"),
            ("Pareto", "ContinuousBernoulli"), ("Pareto", "Uniform"), ("Poisson", "Bernoulli"),
            ("Poisson", "Binomial")]


def _make(lib, name, x):
    """A distribution of family ``name`` with batch shape (2, 3) built from ``x``."""
    D = lib.distributions
    return {"Beta": lambda: D.Beta(x.exp(), x.exp() + 1),
            "ContinuousBernoulli": lambda: D.ContinuousBernoulli(x.sigmoid()),
            "Exponential": lambda: D.Exponential(x.exp()),
            "Gamma": lambda: D.Gamma(x.exp(), 2.0),
            "Gumbel": lambda: D.Gumbel(x, 1.0),
            "Laplace": lambda: D.Laplace(x, 1.0),
            "Normal": lambda: D.Normal(x, 1.0),
            "Pareto": lambda: D.Pareto(x.exp(), 3.0),
            "Uniform": lambda: D.Uniform(x, x + 1),
            "Poisson": lambda: D.Poisson(x.exp()),
            "Bernoulli": lambda: D.Bernoulli(logits=x),
            "Binomial": lambda: D.Binomial(3, logits=x)}[name]()


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_kl_against_torch(name):
    build, shapes = PAIRS[name]

    def f(lib, *ts):
        p, q = build(lib.distributions, *ts)
        return lib.distributions.kl_divergence(p, q)
    check(f, shapes, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("pq", INFINITE, ids=["-".join(p) for p in INFINITE])
def test_infinite_pairs(pq):
    def f(lib, x):
        return lib.distributions.kl_divergence(_make(lib, pq[0], x), _make(lib, pq[1], x))
    eo, _ = check(f, [S], grad=False)
    assert np.isinf(eo.numpy()).all()


@pytest.mark.parametrize("name", ["cb_cb", "pareto_pareto", "uniform_beta", "gamma_gumbel",
                                  "wishart_wishart"])
def test_kl_float64(name):
    build, shapes = PAIRS[name]

    def f(lib, *ts):
        p, q = build(lib.distributions, *ts)
        return lib.distributions.kl_divergence(p, q)
    check(f, shapes, dtype="float64", rtol=1e-7, atol=1e-9)


def test_kl_registry_covers_torch():
    import torch
    import ember
    ours = {(p.__name__, q.__name__) for p, q in ember.distributions.kl._KL_REGISTRY}
    theirs = {(p.__name__, q.__name__) for p, q in torch.distributions.kl._KL_REGISTRY}
    assert theirs <= ours, sorted(theirs - ours)
