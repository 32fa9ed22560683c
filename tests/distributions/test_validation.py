"""Argument and sample validation: PyTorch's ValueError types and messages."""
import pytest

from oracle import check, check_error

import ember


@pytest.mark.parametrize("make", [
    lambda lib: lib.distributions.Normal(0.0, -1.0),
    lambda lib: lib.distributions.Normal(lib.tensor([0.0, float("nan")]), 1.0),
    lambda lib: lib.distributions.Uniform(1.0, 0.0),
    lambda lib: lib.distributions.Bernoulli(probs=lib.tensor(1.5)),
    lambda lib: lib.distributions.Bernoulli(),
    lambda lib: lib.distributions.Categorical(probs=lib.tensor([0.5, -0.1, 0.6])),
    lambda lib: lib.distributions.Categorical(probs=lib.tensor([0.5, 0.5]),
                                              logits=lib.tensor([0.0, 0.0])),
    lambda lib: lib.distributions.Dirichlet(lib.tensor(1.0)),
    lambda lib: lib.distributions.Gamma(lib.tensor([1.0]), lib.tensor([0.0])),
    lambda lib: lib.distributions.Beta(-1.0, 1.0),
    lambda lib: lib.distributions.Poisson(-1.0),
    lambda lib: lib.distributions.Exponential(0.0),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), -lib.eye(2)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2),
                                                     scale_tril=lib.ones(2, 2)),
    lambda lib: lib.distributions.Geometric(lib.tensor([0.0, 0.5])),
    lambda lib: lib.distributions.Independent(lib.distributions.Normal(0.0, 1.0), 1),
    lambda lib: lib.distributions.Binomial(lib.tensor(2.5), lib.tensor(0.5)),
])
def test_bad_parameters(make):
    check_error(make, ValueError)


def test_messages_match_torch():
    import torch
    for make in [lambda lib: lib.distributions.Normal(0.0, -1.0),
                 lambda lib: lib.distributions.Normal(lib.zeros(2), 1.0).log_prob(lib.zeros(3)),
                 lambda lib: lib.distributions.Normal(0.0, 1.0).log_prob(1.0),
                 lambda lib: lib.distributions.Uniform(1.0, 0.0),
                 lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(lib.ones(2)),
                 lambda lib: lib.distributions.Categorical()]:
        with pytest.raises(ValueError) as te:
            make(torch)
        with pytest.raises(ValueError) as ee:
            make(ember)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("call", [
    lambda lib: lib.distributions.Bernoulli(0.3).log_prob(lib.tensor(0.5)),
    lambda lib: lib.distributions.Exponential(1.0).log_prob(lib.tensor(-1.0)),
    lambda lib: lib.distributions.Beta(1.0, 1.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor(3)),
    lambda lib: lib.distributions.Poisson(1.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.2, 0.2])),
    lambda lib: lib.distributions.Uniform(0.0, 1.0).log_prob(lib.tensor(2.0)),
    lambda lib: lib.distributions.OneHotCategorical(lib.ones(3)).log_prob(lib.ones(3)),
    lambda lib: lib.distributions.Binomial(3, lib.tensor(0.5)).log_prob(lib.tensor(4.0)),
    lambda lib: lib.distributions.MultivariateNormal(lib.zeros(2), lib.eye(2)).log_prob(
        lib.zeros(3)),
])
def test_bad_samples(call):
    check_error(call, ValueError)


def test_validate_args_off():
    def f(lib):
        D = lib.distributions
        d = D.Exponential(1.0, validate_args=False)
        u = D.Uniform(0.0, 1.0, validate_args=False)
        return d.log_prob(lib.tensor(-1.0)), u.log_prob(lib.tensor(2.0))
    check(f, [])
    D = ember.distributions
    D.Distribution.set_default_validate_args(False)
    try:
        D.Normal(0.0, -1.0)  # no error with validation off
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)


def test_not_implemented_paths():
    check_error(lambda lib: lib.distributions.Normal(0.0, 1.0).enumerate_support(),
                NotImplementedError)
    check_error(lambda lib: lib.distributions.Gamma(1.0, 1.0).icdf(lib.tensor(0.5)),
                NotImplementedError)
    check_error(lambda lib: lib.distributions.Categorical(logits=lib.zeros(3)).rsample(),
                NotImplementedError)
    check_error(lambda lib: lib.distributions.Binomial(
        lib.tensor([2.0, 3.0]), lib.tensor(0.5)).enumerate_support(), NotImplementedError)
