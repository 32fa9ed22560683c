"""The newer distributions' API against PyTorch: argument and sample validation (error
types and messages), constraints, the ``torch.distributions.<module>`` submodules (also
through ``python -m ember run``), biject_to / transform_to for cat and stack, and float32
staying float32."""
import os
import pkgutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from oracle import check

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BAD_PARAMS = [
    lambda lib: lib.distributions.ContinuousBernoulli(),
    lambda lib: lib.distributions.ContinuousBernoulli(lib.tensor([0.3]), validate_args=False,
                                                      logits=lib.tensor([0.1])),
    lambda lib: lib.distributions.ContinuousBernoulli(lib.tensor([1.5]), validate_args=False),
    lambda lib: lib.distributions.ContinuousBernoulli(lib.tensor([1.5]), validate_args=True),
    lambda lib: lib.distributions.FisherSnedecor(lib.tensor([-1.0]), lib.tensor([1.0])),
    lambda lib: lib.distributions.GeneralizedPareto(0.0, -1.0, 0.5),
    lambda lib: lib.distributions.InverseGamma(lib.tensor([-1.0]), lib.tensor([1.0])),
    lambda lib: lib.distributions.Kumaraswamy(lib.tensor([1.0]), lib.tensor([0.0])),
    lambda lib: lib.distributions.LKJCholesky(1, 1.0),
    lambda lib: lib.distributions.LKJCholesky(3, lib.tensor([-1.0])),
    lambda lib: lib.distributions.LogisticNormal(lib.zeros(2), -lib.ones(2)),
    lambda lib: lib.distributions.NegativeBinomial(lib.tensor([-1.0]), probs=lib.tensor([0.5])),
    lambda lib: lib.distributions.NegativeBinomial(lib.tensor([2.0]), probs=lib.tensor([1.0])),
    lambda lib: lib.distributions.NegativeBinomial(lib.tensor([2.0])),
    lambda lib: lib.distributions.Pareto(lib.tensor([1.0]), lib.tensor([-2.0])),
    lambda lib: lib.distributions.VonMises(lib.tensor([0.0]), lib.tensor([-2.0])),
    lambda lib: lib.distributions.Weibull(lib.tensor([-1.0]), lib.tensor([2.0])),
    lambda lib: lib.distributions.Wishart(lib.tensor(1.0), lib.eye(3)),
    lambda lib: lib.distributions.Wishart(lib.tensor(3.0), lib.ones(2)),
    lambda lib: lib.distributions.Wishart(lib.tensor(3.0), -lib.eye(2)),
    lambda lib: lib.distributions.Wishart(lib.tensor(3.0), scale_tril=lib.ones(2, 2)),
]

BAD_SAMPLES = [
    lambda lib: lib.distributions.ContinuousBernoulli(0.3).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.FisherSnedecor(1.0, 2.0).log_prob(lib.tensor(-1.0)),
    lambda lib: lib.distributions.GeneralizedPareto(
        lib.tensor(1.0), lib.tensor(1.0), lib.tensor(-0.5)).log_prob(lib.tensor(3.5)),
    lambda lib: lib.distributions.InverseGamma(2.0, 1.0).log_prob(lib.tensor(-1.0)),
    lambda lib: lib.distributions.Kumaraswamy(2.0, 1.0).log_prob(lib.tensor(1.5)),
    lambda lib: lib.distributions.LKJCholesky(2, 1.0).log_prob(lib.eye(2) * 2),
    lambda lib: lib.distributions.LogisticNormal(lib.zeros(2), 1.0).log_prob(lib.ones(3)),
    lambda lib: lib.distributions.NegativeBinomial(3.0, logits=lib.tensor(0.0)).log_prob(
        lib.tensor(1.5)),
    lambda lib: lib.distributions.Pareto(lib.tensor(2.0), 1.0).log_prob(lib.tensor(1.0)),
    lambda lib: lib.distributions.Weibull(1.0, 2.0).log_prob(lib.tensor(-1.0)),
    lambda lib: lib.distributions.Wishart(lib.tensor(3.0), lib.eye(2)).log_prob(-lib.eye(2)),
    lambda lib: lib.distributions.Wishart(lib.tensor(3.0), lib.eye(2)).log_prob(lib.eye(3)),
]


@pytest.mark.parametrize("make", BAD_PARAMS + BAD_SAMPLES)
def test_errors_and_messages_match_torch(make):
    with pytest.raises(Exception) as te:
        make(torch)
    with pytest.raises(type(te.value)) as ee:
        make(ember)
    assert str(ee.value) == str(te.value)


def test_constraints_and_arg_constraints():
    def f(lib):
        D = lib.distributions
        out = []
        for d in [D.ContinuousBernoulli(0.3), D.FisherSnedecor(1.0, 2.0),
                  D.GeneralizedPareto(0.0, 1.0, 0.5), D.InverseGamma(2.0, 1.0),
                  D.Kumaraswamy(2.0, 1.0), D.LKJCholesky(3, 1.0),
                  D.LogisticNormal(lib.zeros(2), 1.0), D.NegativeBinomial(3.0, 0.5),
                  D.Pareto(2.0, 1.0), D.VonMises(0.0, 1.0), D.Weibull(1.0, 2.0),
                  D.Wishart(lib.tensor(3.0), lib.eye(2))]:
            out.append((type(d).__name__, d.has_rsample, d.has_enumerate_support,
                        sorted((k, repr(v)) for k, v in d.arg_constraints.items()),
                        repr(d.support), d.support.event_dim, repr(d)))
        return out
    check(f, [])


def test_lims_and_param_shape():
    def f(lib):
        D = lib.distributions
        d = D.ContinuousBernoulli(logits=lib.tensor([0.0, 0.01, 2.0]), lims=(0.4, 0.6))
        e = d.expand((2, 3))
        n = D.NegativeBinomial(lib.tensor([2.0]), logits=lib.zeros(2, 1))
        return (d.mean, d.variance, e.mean, d.param_shape, n.param_shape, n.batch_shape,
                n.expand((3, 2, 1)).mean)
    check(f, [])


@pytest.mark.parametrize("name,mod", [
    ("ContinuousBernoulli", "continuous_bernoulli"), ("FisherSnedecor", "fishersnedecor"),
    ("GeneralizedPareto", "generalized_pareto"), ("HalfCauchy", "half_cauchy"),
    ("HalfNormal", "half_normal"), ("InverseGamma", "inverse_gamma"),
    ("Kumaraswamy", "kumaraswamy"), ("LKJCholesky", "lkj_cholesky"),
    ("LogisticNormal", "logistic_normal"), ("NegativeBinomial", "negative_binomial"),
    ("Pareto", "pareto"), ("RelaxedBernoulli", "relaxed_bernoulli"),
    ("LogitRelaxedBernoulli", "relaxed_bernoulli"),
    ("RelaxedOneHotCategorical", "relaxed_categorical"),
    ("ExpRelaxedCategorical", "relaxed_categorical"), ("StudentT", "studentT"),
    ("VonMises", "von_mises"), ("Weibull", "weibull"), ("Wishart", "wishart"),
])
def test_submodules_hold_their_class(name, mod):
    import importlib
    m = importlib.import_module(f"ember.distributions.{mod}")
    assert getattr(m, name) is getattr(ember.distributions, name)
    assert name in m.__all__


def test_module_and_name_lists_equal_torch():
    ours = {m.name for m in pkgutil.iter_modules(ember.distributions.__path__)
            if not m.name.startswith("_")}
    theirs = {m.name for m in pkgutil.iter_modules(torch.distributions.__path__)}
    assert ours == theirs
    assert sorted(ember.distributions.__all__) == sorted(torch.distributions.__all__)
    assert ember.distributions.utils.euler_constant == torch.distributions.utils.euler_constant


def test_submodule_imports_through_the_runner(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent("""
        import torch
        from torch.distributions.weibull import Weibull
        from torch.distributions.studentT import StudentT
        from torch.distributions.relaxed_categorical import RelaxedOneHotCategorical
        from torch.distributions.half_cauchy import HalfCauchy
        import torch.distributions.wishart as wishart
        import torch.distributions.kl as kl
        from torch.distributions import ContinuousBernoulli, Pareto, Exponential
        assert Weibull is torch.distributions.Weibull
        assert wishart.Wishart is torch.distributions.Wishart
        torch.manual_seed(0)
        w = Weibull(torch.tensor([1.0]), torch.tensor([2.0]))
        x = w.rsample((4,))
        print(tuple(x.shape), type(kl.kl_divergence(Pareto(1.0, 2.0),
                                                    Exponential(1.0))).__name__)
        print(isinstance(HalfCauchy(1.0), torch.distributions.TransformedDistribution),
              StudentT(3.0).df.item(), RelaxedOneHotCategorical(0.5, logits=torch.zeros(3))
              .sample().shape[-1], ContinuousBernoulli(0.2).mean.item() > 0)
    """))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-m", "ember", "run", str(prog)], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split("\n")[:2] == ["(4, 1) Tensor", "True 3.0 3 True"]


def test_biject_to_and_transform_to_cat_and_stack():
    def f(lib, x):
        C = lib.distributions.constraints
        reg = lib.distributions
        cat = C.cat([C.positive, C.interval(0.0, 1.0), C.real], dim=-1, lengths=[2, 1, 1])
        stack = C.stack([C.positive, C.unit_interval], dim=0)
        out = []
        for r in (reg.biject_to, reg.transform_to):
            t = r(cat)
            y = t(x)
            out += [y, t.inv(y), t.log_abs_det_jacobian(x, y), cat.check(y)]
            s = r(stack)
            z = s(x[:2])
            out += [z, s.log_abs_det_jacobian(x[:2], z), stack.check(z)]
        return out
    check(f, [(2, 4)])


@pytest.mark.parametrize("make", [
    lambda: ember.distributions.ContinuousBernoulli(ember.tensor([0.2, 0.4995, 0.8])),
    lambda: ember.distributions.FisherSnedecor(ember.tensor([3.0]), ember.tensor([5.0])),
    lambda: ember.distributions.GeneralizedPareto(ember.tensor([0.0]), ember.tensor([1.0]),
                                                  ember.tensor([0.2])),
    lambda: ember.distributions.Kumaraswamy(ember.tensor([2.0]), ember.tensor([3.0])),
    lambda: ember.distributions.Weibull(ember.tensor([2.0]), ember.tensor([3.0])),
    lambda: ember.distributions.VonMises(ember.tensor([0.0]), ember.tensor([3.0])),
    lambda: ember.distributions.LKJCholesky(3, ember.tensor([2.0])),
    lambda: ember.distributions.Wishart(ember.tensor([4.0]), ember.eye(3)),
], ids=["cb", "fs", "gp", "kumaraswamy", "weibull", "von_mises", "lkj", "wishart"])
def test_float32_stays_float32(make, monkeypatch):
    d = make()
    x = d.sample((5,))
    made = []
    real_wrap = ember.Tensor._wrap

    def spy(data):
        made.append(np.dtype(data.dtype))
        return real_wrap(data)
    monkeypatch.setattr(ember.Tensor, "_wrap", staticmethod(spy))
    lp = d.log_prob(x)
    monkeypatch.undo()
    assert lp.dtype is ember.float32
    assert np.dtype(np.float64) not in made
