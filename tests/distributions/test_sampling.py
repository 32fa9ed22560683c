"""Sampling: shapes, dtypes, empirical moments, reproducibility, reparameterized gradients."""
import numpy as np
import pytest
import torch

import ember

D = ember.distributions
N = 20000


def _t(x, dtype=ember.float32):
    return ember.tensor(x, dtype=dtype)


CASES = [
    ("Normal", lambda: D.Normal(_t([0.0, 3.0]), _t([1.0, 0.5]))),
    ("LogNormal", lambda: D.LogNormal(_t([0.0, 0.3]), _t([0.5, 0.25]))),
    ("Laplace", lambda: D.Laplace(_t([0.0, 3.0]), _t([1.0, 0.5]))),
    ("Uniform", lambda: D.Uniform(_t([0.0, -2.0]), _t([1.0, 5.0]))),
    ("Exponential", lambda: D.Exponential(_t([0.5, 3.0]))),
    ("Gamma", lambda: D.Gamma(_t([0.3, 4.0]), _t([1.0, 2.0]))),
    ("Chi2", lambda: D.Chi2(_t([1.0, 5.0]))),
    ("Beta", lambda: D.Beta(_t([0.5, 4.0]), _t([2.0, 1.5]))),
    ("Dirichlet", lambda: D.Dirichlet(_t([[0.5, 2.0, 1.0], [3.0, 3.0, 3.0]]))),
    ("Poisson", lambda: D.Poisson(_t([0.5, 7.0]))),
    ("Bernoulli", lambda: D.Bernoulli(_t([0.2, 0.9]))),
    ("Geometric", lambda: D.Geometric(_t([0.3, 0.8]))),
    ("Binomial", lambda: D.Binomial(10, _t([0.2, 0.7]))),
    ("Categorical", lambda: D.Categorical(_t([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]]))),
    ("OneHotCategorical", lambda: D.OneHotCategorical(_t([[0.2, 0.3, 0.5]]))),
    ("Multinomial", lambda: D.Multinomial(7, _t([0.2, 0.3, 0.5]))),
    ("MultivariateNormal", lambda: D.MultivariateNormal(
        _t([1.0, -1.0]), _t([[2.0, 0.5], [0.5, 1.0]]))),
    ("LowRankMultivariateNormal", lambda: D.LowRankMultivariateNormal(
        _t([1.0, -1.0]), _t([[1.0], [0.5]]), _t([0.5, 0.3]))),
    ("StudentT", lambda: D.StudentT(_t([5.0, 8.0]), _t([0.0, 1.0]), _t([1.0, 2.0]))),
    ("Gumbel", lambda: D.Gumbel(_t([0.0, 1.0]), _t([1.0, 2.0]))),
    ("HalfNormal", lambda: D.HalfNormal(_t([1.0, 2.0]))),
    ("MixtureSameFamily", lambda: D.MixtureSameFamily(
        D.Categorical(_t([0.3, 0.7])), D.Normal(_t([-2.0, 2.0]), _t([0.5, 1.0])))),
]


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_shapes_and_moments(name, make):
    ember.manual_seed(0)
    d = make()
    s = d.sample((N,))
    assert tuple(s.shape) == (N,) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert s.dtype == (ember.int64 if name == "Categorical" else ember.float32)
    x = s.double().numpy()
    if name == "Categorical":  # mean/variance are NaN by definition: use the index moments
        p = d.probs.double().numpy()
        k = np.arange(p.shape[-1])
        mean = (p * k).sum(-1)
        var = (p * k ** 2).sum(-1) - mean ** 2
    else:
        mean = d.mean.double().numpy()
        var = d.variance.double().numpy()
    se = np.sqrt(var / N)
    assert np.all(np.abs(x.mean(0) - mean) < 6 * se + 1e-6), (x.mean(0), mean)
    assert np.allclose(x.var(0), var, rtol=0.15, atol=1e-3), (x.var(0), var)
    if d.support.is_discrete or name != "MixtureSameFamily":
        assert bool(d.support.check(s).all())
    assert s.requires_grad is False


def test_reproducible_with_manual_seed():
    outs = []
    for _ in range(2):
        ember.manual_seed(123)
        outs.append([D.Normal(0.0, 1.0).sample((3,)), D.Gamma(2.0, 1.0).sample((3,)),
                     D.Categorical(logits=ember.zeros(4)).sample((5,)),
                     D.Poisson(3.0).sample((3,))])
    for a, b in zip(*outs):
        assert np.array_equal(a.numpy(), b.numpy())
    g = ember.Generator().manual_seed(5)  # the generator functions stay independent
    assert g.initial_seed() == 5


def test_rsample_gradients_normal_and_affine():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([2.0, 0.5], requires_grad=True)
    ember.manual_seed(1)
    x = D.Normal(loc, scale).rsample((1000,))
    x.sum().backward()
    assert np.allclose(loc.grad.numpy(), 1000)
    eps = (x.detach() - loc.detach()) / scale.detach()
    assert np.allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-4, atol=1e-3)
    for make in [lambda l, s: D.Laplace(l, s), lambda l, s: D.Cauchy(l, s),
                 lambda l, s: D.Uniform(l, l + s), lambda l, s: D.LogNormal(l, s),
                 lambda l, s: D.MultivariateNormal(l, scale_tril=s.diag_embed()),
                 lambda l, s: D.StudentT(3.0, l, s), lambda l, s: D.Gumbel(l, s),
                 lambda l, s: D.RelaxedBernoulli(0.5, logits=l),
                 lambda l, s: D.RelaxedOneHotCategorical(0.5, logits=l)]:
        loc.grad = None
        d = make(loc, scale)
        d.rsample((4,)).sum().backward()
        assert loc.grad is not None and np.all(np.isfinite(loc.grad.numpy()))


def test_gamma_implicit_gradient_matches_torch_formula():
    alpha = ember.tensor([0.3, 1.0, 2.5, 10.0], requires_grad=True)
    ember.manual_seed(3)
    x = D.Gamma(alpha, 1.0).rsample()
    x.sum().backward()
    expected = torch._standard_gamma_grad(torch.tensor(alpha.detach().numpy()),
                                          torch.tensor(x.detach().numpy()))
    np.testing.assert_allclose(alpha.grad.numpy(), expected.numpy(), rtol=2e-3, atol=1e-5)


@pytest.mark.parametrize("make,mean_fn", [
    (lambda a: D.Gamma(a, 2.0), lambda a: a / 2.0),
    (lambda a: D.Beta(a, ember.tensor(2.0)), lambda a: a / (a + 2.0)),
    (lambda a: D.Dirichlet(ember.stack([a, ember.tensor(1.0)])), lambda a: a / (a + 1.0)),
])
def test_pathwise_gradient_of_the_mean(make, mean_fn):
    # E[d x / d alpha] = d E[x] / d alpha: the implicit reparameterization is unbiased.
    ember.manual_seed(7)
    a = ember.tensor(1.5, requires_grad=True)
    x = make(a).rsample((40000,))
    x = x[..., 0] if x.dim() > 1 else x
    x.mean().backward()
    a2 = ember.tensor(1.5, requires_grad=True)
    mean_fn(a2).backward()
    assert abs(a.grad.item() - a2.grad.item()) < 0.02 * abs(a2.grad.item()) + 5e-3


def test_sample_float64_and_expand():
    d = D.Normal(ember.zeros(3, dtype=ember.float64), 1.0)
    assert d.sample((2,)).dtype == ember.float64
    assert D.Gamma(ember.ones(2, dtype=ember.float64), 1.0).sample().dtype == ember.float64
    e = D.Gamma(ember.ones(2), 1.0).expand((5, 2))
    assert tuple(e.rsample((3,)).shape) == (3, 5, 2)
    assert tuple(D.Beta(0.5, 0.5).sample((4,)).shape) == (4,)
    assert tuple(D.Dirichlet(ember.ones(3)).expand((2,)).sample().shape) == (2, 3)
