"""Sampling of the newer distributions: shapes, dtypes, support, empirical moments against
the closed forms (fixed seeds, tolerant bounds: Ember's random streams are not PyTorch's),
and reparameterized gradients."""
import math

import numpy as np
import pytest
import torch

import ember

D = ember.distributions
N = 20000


def _t(x, dtype=ember.float32):
    return ember.tensor(x, dtype=dtype)


CASES = [
    ("ContinuousBernoulli", lambda: D.ContinuousBernoulli(_t([0.1, 0.4995, 0.8]))),
    ("FisherSnedecor", lambda: D.FisherSnedecor(_t([3.0, 8.0]), _t([12.0, 20.0]))),
    ("GeneralizedPareto", lambda: D.GeneralizedPareto(_t([0.0, 1.0, -1.0]), _t([1.0, 2.0, 0.5]),
                                                      _t([0.0, 0.2, -0.4]))),
    ("InverseGamma", lambda: D.InverseGamma(_t([6.0, 9.0]), _t([1.0, 3.0]))),
    ("Kumaraswamy", lambda: D.Kumaraswamy(_t([0.5, 2.0]), _t([2.0, 3.0]))),
    ("Pareto", lambda: D.Pareto(_t([1.0, 0.5]), _t([6.0, 9.0]))),
    ("Weibull", lambda: D.Weibull(_t([1.0, 2.0]), _t([0.8, 3.0]))),
    ("NegativeBinomial", lambda: D.NegativeBinomial(_t([3.0, 10.0]), _t([0.3, 0.6]))),
    ("Wishart", lambda: D.Wishart(_t(5.0), _t([[2.0, 0.5], [0.5, 1.0]]))),
]


@pytest.mark.parametrize("name,make", CASES, ids=[c[0] for c in CASES])
def test_shapes_and_moments(name, make):
    ember.manual_seed(0)
    d = make()
    s = d.sample((N,))
    assert tuple(s.shape) == (N,) + tuple(d.batch_shape) + tuple(d.event_shape)
    assert s.dtype == ember.float32 and s.requires_grad is False
    assert bool(d.support.check(s).all())
    x = s.double().numpy()
    mean, var = d.mean.double().numpy(), d.variance.double().numpy()
    se = np.sqrt(var / N)
    assert np.all(np.abs(x.mean(0) - mean) < 6 * se + 1e-6), (x.mean(0), mean)
    assert np.allclose(x.var(0), var, rtol=0.15, atol=1e-3), (x.var(0), var)


def test_sample_float64_and_expand():
    for d in [D.ContinuousBernoulli(_t([0.3], ember.float64)),
              D.Weibull(_t([1.0], ember.float64), 2.0), D.VonMises(_t([0.0], ember.float64), 2.0),
              D.LKJCholesky(3, _t([1.0], ember.float64)),
              D.Wishart(3.0, ember.eye(2, dtype=ember.float64))]:
        assert d.sample((2,)).dtype == ember.float64
        e = d.expand((4,) + tuple(d.batch_shape)[1:] if d.batch_shape else (4,))
        assert tuple(e.sample((3,)).shape) == (3, 4) + tuple(d.event_shape)


def test_von_mises_circular_moments():
    ember.manual_seed(1)
    loc = _t([0.5, -2.5, 3.0])
    conc = _t([0.5, 2.0, 20.0])
    d = D.VonMises(loc, conc)
    s = d.sample((N,)).double().numpy()
    assert tuple(s.shape) == (N, 3) and np.all((s >= -math.pi) & (s < math.pi))
    # E[cos(x - loc)] = I1(k) / I0(k) = 1 - circular variance; E[sin(x - loc)] = 0
    c = np.cos(s - loc.numpy()).mean(0)
    sn = np.sin(s - loc.numpy()).mean(0)
    np.testing.assert_allclose(c, 1 - d.variance.double().numpy(), atol=0.02)
    np.testing.assert_allclose(sn, 0, atol=0.02)
    tiny = D.VonMises(_t(0.0), _t(1e-6)).sample((N,)).numpy()  # near uniform on the circle
    assert abs(tiny.mean()) < 0.05 and abs(tiny.var() - math.pi ** 2 / 3) < 0.1


@pytest.mark.parametrize("dim,eta", [(2, 1.0), (3, 0.5), (4, 3.0)])
def test_lkj_cholesky_marginals(dim, eta):
    ember.manual_seed(2)
    d = D.LKJCholesky(dim, _t(eta))
    L = d.sample((N,))
    assert tuple(L.shape) == (N, dim, dim) and bool(d.support.check(L).all())
    C = (L @ L.mT).double().numpy()
    np.testing.assert_allclose(np.diagonal(C, axis1=-2, axis2=-1), 1, atol=1e-5)
    # each off-diagonal correlation r has (r + 1) / 2 ~ Beta(b, b), b = eta - 1 + dim / 2
    r = C[:, 1, 0]
    assert abs(r.mean()) < 0.03
    np.testing.assert_allclose(r.var(), 1 / (2 * eta + dim - 1), rtol=0.08)


def test_logistic_normal_sample_on_simplex():
    ember.manual_seed(3)
    d = D.LogisticNormal(_t([[0.0, 1.0, -1.0]]), _t([0.5, 1.0, 2.0]))
    s = d.rsample((1000,))
    assert tuple(s.shape) == (1000, 1, 4)
    assert bool(d.support.check(s).all())
    np.testing.assert_allclose(s.sum(-1).numpy(), 1, atol=1e-5)


@pytest.mark.parametrize("build", [
    lambda lib, a, b: lib.distributions.Weibull(a.exp(), b.exp() + 0.5),
    lambda lib, a, b: lib.distributions.Pareto(a.exp(), b.exp()),
    lambda lib, a, b: lib.distributions.Kumaraswamy(a.exp(), b.exp()),
    lambda lib, a, b: lib.distributions.InverseGamma(a.exp(), b.exp()),
    lambda lib, a, b: lib.distributions.LogisticNormal(a, b.exp()),
], ids=["weibull", "pareto", "kumaraswamy", "inverse_gamma", "logistic_normal"])
def test_rsample_path_matches_torch_for_the_same_base_noise(build):
    """rsample pushes a base sample through the transforms: feed both libraries the same
    base sample and compare the result and its gradients with respect to the parameters."""
    from oracle import check

    def f(lib, a, b):
        rng = np.random.default_rng(0)  # the same base sample for both libraries
        d = build(lib, a, b)
        base = lib.tensor(np.abs(rng.standard_normal(tuple(d.base_dist.batch_shape)
                                                     + tuple(d.base_dist.event_shape)))
                          .astype(np.float32) * 0.5 + 0.1)
        if isinstance(d, lib.distributions.Kumaraswamy):
            base = base.clamp(max=0.95)  # a uniform base sample
        y = base
        for t in d.transforms:
            y = t(y)
        return y
    check(f, [(2, 3), (2, 3)], rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("make", [
    lambda p: D.ContinuousBernoulli(p),
    lambda p: D.GeneralizedPareto(p, p.exp(), p * 0.3),
], ids=["continuous_bernoulli", "generalized_pareto"])
def test_rsample_is_icdf_of_uniform_noise(make):
    p = _t([0.2, 0.7, 0.45], ember.float64).requires_grad_()
    d = make(p)
    ember.manual_seed(4)
    x = d.rsample((5,))
    ember.manual_seed(4)
    u = ember.rand((5, 3), dtype=ember.float64)
    np.testing.assert_allclose(x.detach().numpy(), d.icdf(u).detach().numpy())
    x.sum().backward()
    g = p.grad.numpy().copy()
    p.grad = None
    make(p).icdf(u).sum().backward()
    np.testing.assert_allclose(g, p.grad.numpy())


def test_pathwise_gradients_of_means():
    # E[d x / d theta] = d E[x] / d theta: the reparameterizations are unbiased
    ember.manual_seed(5)
    df2 = _t(9.0).requires_grad_()
    D.FisherSnedecor(_t(4.0), df2).rsample((40000,)).mean().backward()
    assert abs(df2.grad.item() - (-2 / 7 ** 2)) < 0.01

    rate = _t(2.0).requires_grad_()
    conc = _t(5.0).requires_grad_()
    D.InverseGamma(conc, rate).rsample((40000,)).mean().backward()
    assert abs(rate.grad.item() - 1 / 4) < 0.01
    assert abs(conc.grad.item() - (-2 / 16)) < 0.01

    tril = _t([[1.5, 0.0], [0.4, 0.8]]).requires_grad_()
    w = D.Wishart(_t(4.0), scale_tril=tril).rsample((20000,)).mean(0)
    G = _t([[1.0, 0.5], [-0.3, 2.0]])
    (w * G).sum().backward()
    # E[W] = df L L^T, so d <E[W], G> / dL = df (G + G^T) L
    expected = (4.0 * (G + G.mT) @ tril.detach()).numpy()
    np.testing.assert_allclose(tril.grad.numpy(), expected, rtol=0.05, atol=0.05)


def test_wishart_resamples_singular_draws_with_a_warning(monkeypatch):
    d = D.Wishart(_t(2.0), ember.eye(2))
    calls = []
    real = D.Wishart._bartlett_sampling

    def bartlett(self, sample_shape):
        calls.append(1)
        s = real(self, sample_shape)
        return s * 0 if len(calls) == 1 else s  # the first draw is singular
    monkeypatch.setattr(D.Wishart, "_bartlett_sampling", bartlett)
    with pytest.warns(UserWarning, match="Singular sample detected"):
        s = d.rsample((3,))
    assert len(calls) == 2 and bool(d.support.check(s).all())


def test_wishart_valid_draw_does_not_warn():
    # PyTorch 2.x warns "Singular sample detected." on every rsample (it tests the support
    # check the wrong way round); Ember warns only when a draw is singular.
    import warnings
    ember.manual_seed(6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        D.Wishart(_t(4.0), ember.eye(3)).rsample((10,))


def test_negative_binomial_sample_is_integer_valued_with_torch_moments():
    ember.manual_seed(7)
    d = D.NegativeBinomial(_t([2.5]), logits=_t([0.3]))
    s = d.sample((N,)).numpy()
    assert np.all(s == np.round(s)) and np.all(s >= 0)
    t = torch.distributions.NegativeBinomial(torch.tensor([2.5]), logits=torch.tensor([0.3]))
    assert abs(s.mean() - t.mean.item()) < 6 * math.sqrt(t.variance.item() / N)
