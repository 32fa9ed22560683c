"""Distributions against PyTorch: log_prob (with gradients wrt parameters and value),
entropy, moments, cdf/icdf, for the same parameters."""
import numpy as np
import pytest

from oracle import check, gradcheck


def _ints(shape, high, seed=0):
    return np.random.default_rng(seed).integers(0, high + 1, size=shape).astype(np.float32)


def _onehot(shape, k, seed=0):
    idx = np.random.default_rng(seed).integers(0, k, size=shape)
    return np.eye(k, dtype=np.float32)[idx]


def _tril(lib, m):
    return m.tril(-1) + m.diagonal(dim1=-2, dim2=-1).exp().diag_embed()


def _spd(lib, m):
    return m @ m.mT + lib.eye(m.shape[-1], dtype=m.dtype)


# name -> (builder(lib, D, *tensors) -> (dist, value), input shapes/arrays, methods)
S = (2, 3)
MOM = ("mean", "variance", "stddev", "entropy")
SPECS = {
    "normal": (lambda lib, D, a, b, x: (D.Normal(a, b.exp()), x), [S, S, S],
               MOM + ("cdf", "icdf", "mode")),
    "normal_scalar_param": (lambda lib, D, a, x: (D.Normal(a, 2.0), x), [S, S], MOM),
    "lognormal": (lambda lib, D, a, b, x: (D.LogNormal(a, b.exp() * 0.5), x.exp()), [S, S, S],
                  MOM + ("mode", "cdf")),
    "laplace": (lambda lib, D, a, b, x: (D.Laplace(a, b.exp()), x), [S, S, S],
                MOM + ("cdf", "icdf", "mode")),
    "cauchy": (lambda lib, D, a, b, x: (D.Cauchy(a, b.exp()), x), [S, S, S],
               ("entropy", "cdf", "icdf", "mode", "mean", "variance")),
    "gumbel": (lambda lib, D, a, b, x: (D.Gumbel(a, b.exp()), x), [S, S, S], MOM + ("mode",)),
    "student_t": (lambda lib, D, c, a, b, x: (D.StudentT(c.exp() * 3 + 0.5, a, b.exp()), x),
                  [S, S, S, S], ("entropy", "mode", "mean", "variance")),
    "uniform": (lambda lib, D, a, b, x: (D.Uniform(a - 3, a + b.exp()),
                                         a - 3 + x.sigmoid() * (b.exp() + 3)),
                [S, S, S], MOM + ("cdf", "icdf")),
    "exponential": (lambda lib, D, a, x: (D.Exponential(a.exp()), x.exp()), [S, S],
                    MOM + ("cdf", "icdf", "mode")),
    "gamma": (lambda lib, D, a, b, x: (D.Gamma(a.exp(), b.exp()), x.exp()), [S, S, S],
              MOM + ("mode",)),
    "chi2": (lambda lib, D, a, x: (D.Chi2(a.exp() + 0.5), x.exp()), [S, S], MOM),
    "beta": (lambda lib, D, a, b, x: (D.Beta(a.exp(), b.exp()), x.sigmoid()), [S, S, S],
             MOM + ("mode",)),
    "half_normal": (lambda lib, D, b, x: (D.HalfNormal(b.exp()), x.abs()), [S, S],
                    MOM + ("cdf", "icdf")),
    "half_cauchy": (lambda lib, D, b, x: (D.HalfCauchy(b.exp()), x.abs()), [S, S],
                    ("entropy", "cdf", "icdf")),
    "dirichlet": (lambda lib, D, a, x: (D.Dirichlet(a.exp()), x.softmax(-1)), [(3, 4), (3, 4)],
                  MOM + ("mode",)),
    "poisson": (lambda lib, D, a, k: (D.Poisson(a.exp()), k), [S, _ints(S, 6)],
                ("mean", "variance", "mode")),
    "bernoulli_probs": (lambda lib, D, a, k: (D.Bernoulli(probs=a.sigmoid()), k),
                        [S, _ints(S, 1)], MOM),
    "bernoulli_logits": (lambda lib, D, a, k: (D.Bernoulli(logits=a), k), [S, _ints(S, 1)],
                         MOM),
    "geometric": (lambda lib, D, a, k: (D.Geometric(probs=a.sigmoid()), k), [S, _ints(S, 5)],
                  MOM),
    "geometric_logits": (lambda lib, D, a, k: (D.Geometric(logits=a), k), [S, _ints(S, 5)],
                         ("mean", "variance")),
    "binomial": (lambda lib, D, a, k: (D.Binomial(5, logits=a), k), [S, _ints(S, 5)],
                 MOM + ("mode",)),
    "binomial_probs": (lambda lib, D, a, k: (D.Binomial(lib.tensor([[3.], [7.]]),
                                                        probs=a.sigmoid()), k.clamp(max=3)),
                       [S, _ints(S, 5)], ("mean", "variance", "mode")),
    "categorical": (lambda lib, D, a, k: (D.Categorical(logits=a), k.long()),
                    [(2, 3, 5), _ints(S, 4)], ("entropy", "mode")),
    "categorical_probs": (lambda lib, D, a, k: (D.Categorical(probs=a.exp()), k.long()),
                          [(2, 3, 5), _ints(S, 4)], ("entropy",)),
    "one_hot": (lambda lib, D, a, v: (D.OneHotCategorical(logits=a), v),
                [(2, 3, 5), _onehot(S, 5)], MOM + ("mode",)),
    "multinomial": (lambda lib, D, a, v: (D.Multinomial(6, logits=a), v * 6),
                    [(3, 4), _onehot((3,), 4)], ("mean", "variance", "entropy")),
    "mvn_tril": (lambda lib, D, m, l, x: (D.MultivariateNormal(m, scale_tril=_tril(lib, l)), x),
                 [(2, 3), (2, 3, 3), (4, 2, 3)], ("mean", "variance", "entropy")),
    "mvn_cov": (lambda lib, D, m, l, x: (D.MultivariateNormal(m, _spd(lib, l)), x),
                [(3,), (2, 3, 3), (2, 3)], ("variance", "entropy")),
    "mvn_precision": (lambda lib, D, m, l, x: (D.MultivariateNormal(
        m, precision_matrix=_spd(lib, l)), x), [(3,), (3, 3), (2, 3)], ("variance", "entropy")),
    "lowrank_mvn": (lambda lib, D, m, w, d, x: (D.LowRankMultivariateNormal(m, w, d.exp()), x),
                    [(2, 4), (2, 4, 2), (4,), (3, 2, 4)], ("variance", "entropy")),
    "independent": (lambda lib, D, a, b, x: (D.Independent(D.Normal(a, b.exp()), 1), x),
                    [S, S, S], MOM),
    "transformed": (lambda lib, D, a, b, x: (D.TransformedDistribution(
        D.Normal(a, b.exp()), [D.AffineTransform(1.0, 2.0), D.SigmoidTransform()]),
        x.sigmoid()), [S, S, S], ("cdf",)),
    "tanh_normal": (lambda lib, D, a, b, x: (D.TransformedDistribution(
        D.Normal(a, b.exp()), D.TanhTransform()), x.tanh() * 0.9), [S, S, S], ()),
    "mixture": (lambda lib, D, w, a, b, x: (D.MixtureSameFamily(
        D.Categorical(logits=w), D.Normal(a, b.exp())), x),
        [(2, 4), (2, 4), (2, 4), (5, 2)], ("mean", "variance", "cdf")),
    "mixture_mvn": (lambda lib, D, w, a, x: (D.MixtureSameFamily(
        D.Categorical(logits=w), D.Independent(D.Normal(a, 1.0), 1)), x),
        [(3,), (3, 2), (4, 2)], ("mean", "variance")),
    "relaxed_bernoulli": (lambda lib, D, a, x: (D.RelaxedBernoulli(lib.tensor(0.7), logits=a),
                                                x.sigmoid()), [S, S], ()),
    "relaxed_one_hot": (lambda lib, D, a, x: (D.RelaxedOneHotCategorical(
        lib.tensor(0.5), logits=a), x.softmax(-1)), [(2, 4), (2, 4)], ()),
}


def _evaluate(lib, spec, methods, *tensors):
    d, value = spec(lib, lib.distributions, *tensors)
    if d.support.is_discrete:
        value = value.detach()  # no gradient with respect to a discrete value
    out = [d.log_prob(value)]
    for m in methods:
        if m == "cdf":
            out.append(d.cdf(value))
        elif m == "icdf":
            out.append(d.icdf(d.cdf(value).clamp(0.05, 0.95)))
        elif m == "entropy":
            out.append(d.entropy())
        else:
            out.append(getattr(d, m))
    return tuple(out)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_against_torch(name):
    spec, inputs, methods = SPECS[name]
    check(lambda lib, *ts: _evaluate(lib, spec, methods, *ts), inputs, rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("name", ["normal", "gamma", "beta", "dirichlet", "mvn_tril",
                                  "student_t", "lowrank_mvn", "mixture", "binomial"])
def test_float64(name):
    spec, inputs, methods = SPECS[name]
    check(lambda lib, *ts: _evaluate(lib, spec, methods, *ts), inputs, dtype="float64",
          rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ["normal", "gamma", "mvn_tril", "dirichlet", "laplace"])
def test_gradcheck(name):
    spec, inputs, _ = SPECS[name]
    gradcheck(lambda lib, *ts: spec(lib, lib.distributions, *ts)[0].log_prob(
        spec(lib, lib.distributions, *ts)[1]), inputs)


def test_noncontiguous_params():
    spec, inputs, methods = SPECS["normal"]
    check(lambda lib, *ts: _evaluate(lib, spec, methods, *ts), inputs, noncontig=True)


def test_enumerate_support():
    def f(lib):
        D = lib.distributions
        b = D.Bernoulli(lib.tensor([0.2, 0.7]))
        c = D.Categorical(logits=lib.zeros(2, 3))
        oh = D.OneHotCategorical(logits=lib.zeros(2, 3))
        bi = D.Binomial(4, lib.tensor([0.2, 0.7]))
        return (b.enumerate_support(), b.enumerate_support(expand=False),
                c.enumerate_support(), oh.enumerate_support(), bi.enumerate_support(),
                b.log_prob(b.enumerate_support()))
    check(f, [])


def test_gamma_cdf_and_beta_entropy():
    check(lambda lib, a, b, x: lib.distributions.Gamma(a.exp(), b.exp()).cdf(x.exp()),
          [S, S, S], grad=False)
    check(lambda lib, a, x: lib.distributions.Gamma(lib.tensor(2.0), a.exp()).cdf(x.exp()),
          [S, S], rtol=1e-4)


def test_perplexity_and_repr():
    def f(lib):
        D = lib.distributions
        d = D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0]))
        return d.perplexity(), repr(d), repr(D.Normal(0.0, 1.0)), repr(D.Categorical(
            logits=lib.zeros(3))), repr(D.constraints.interval(0, 1)), repr(d.support), \
            repr(D.Independent(d, 1)), repr(D.Bernoulli(0.3).support)
    check(f, [])


def test_shapes_and_expand():
    def f(lib):
        D = lib.distributions
        res = []
        for d in [D.Normal(lib.zeros(3), 1.0), D.Dirichlet(lib.ones(2, 4)),
                  D.MultivariateNormal(lib.zeros(2), lib.eye(2)),
                  D.Categorical(logits=lib.zeros(2, 5)), D.Bernoulli(logits=lib.zeros(1)),
                  D.Independent(D.Normal(lib.zeros(2, 3), 1.0), 1),
                  D.LogNormal(lib.zeros(1), 1.0), D.Gumbel(lib.zeros(1), 1.0),
                  D.Beta(lib.ones(1), lib.ones(1)), D.StudentT(lib.ones(1)),
                  D.Multinomial(3, lib.ones(4)), D.Binomial(3, lib.ones(1) * 0.5)]:
            res.append((tuple(d.batch_shape), tuple(d.event_shape),
                        tuple(d.sample((2,)).shape)))
            e = d.expand((4,) + tuple(d.batch_shape))
            res.append((tuple(e.batch_shape), tuple(e.sample().shape), d.has_rsample))
        return res
    check(f, [])
