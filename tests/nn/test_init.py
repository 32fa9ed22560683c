import math
import warnings

import numpy as np
import pytest

from oracle import check_error

import ember
import torch

init = ember.nn.init


def test_calculate_gain_matches_torch():
    for nl, p in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None),
                  ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("selu", None)]:
        assert init.calculate_gain(nl, p) == pytest.approx(torch.nn.init.calculate_gain(nl, p))
    check_error(lambda lib: lib.nn.init.calculate_gain("foo"))
    check_error(lambda lib: lib.nn.init.calculate_gain("leaky_relu", "x"))


def _stats(fn, shape=(400, 300)):
    t = ember.empty(shape)
    out = fn(t)
    assert out is t and t.dtype == ember.float32
    return t.detach().numpy()


def test_distributions():
    ember.manual_seed(0)
    a = _stats(lambda t: init.uniform_(t, -2, 3))
    assert a.min() >= -2 and a.max() <= 3 and abs(a.mean() - 0.5) < 0.02
    a = _stats(lambda t: init.normal_(t, 1.0, 2.0))
    assert abs(a.mean() - 1) < 0.02 and abs(a.std() - 2) < 0.02
    a = _stats(lambda t: init.trunc_normal_(t, 0.0, 1.0, -1.0, 2.0))
    assert a.min() >= -1 and a.max() <= 2 and a.min() < -0.99
    a = _stats(lambda t: init.xavier_uniform_(t, gain=2.0))
    bound = 2.0 * math.sqrt(6 / 700)
    assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
    a = _stats(lambda t: init.xavier_normal_(t))
    assert abs(a.std() - math.sqrt(2 / 700)) < 0.01 * math.sqrt(2 / 700) * 5
    a = _stats(lambda t: init.kaiming_uniform_(t, nonlinearity="relu"))
    assert np.abs(a).max() <= math.sqrt(6 / 300)
    a = _stats(lambda t: init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"))
    assert abs(a.std() - math.sqrt(2 / 400)) < 0.02 * math.sqrt(2 / 400) * 5


def test_constant_eye_dirac_orthogonal_sparse():
    t = init.constant_(ember.empty(2, 3), 1.5)
    assert t.tolist() == [[1.5] * 3] * 2
    assert init.ones_(ember.empty(2)).tolist() == [1, 1]
    assert init.zeros_(ember.empty(2)).tolist() == [0, 0]
    assert np.array_equal(init.eye_(ember.empty(3, 4)).numpy(), np.eye(3, 4))
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 1, 3, 3), 1)]:
        e = init.dirac_(ember.empty(shape), groups).numpy()
        t = torch.nn.init.dirac_(torch.empty(shape), groups).numpy()
        assert np.array_equal(e, t)
    q = init.orthogonal_(ember.empty(5, 3), gain=2.0).numpy()
    np.testing.assert_allclose(q.T @ q, 4 * np.eye(3), atol=1e-5)
    q = init.orthogonal_(ember.empty(3, 2, 4)).numpy().reshape(3, 8)
    np.testing.assert_allclose(q @ q.T, np.eye(3), atol=1e-5)
    s = init.sparse_(ember.empty(10, 6), 0.3).numpy()
    assert ((s == 0).sum(0) == 3).all()


def test_init_runs_without_grad_on_parameters():
    p = ember.nn.Parameter(ember.empty(3, 4))
    init.kaiming_uniform_(p, a=math.sqrt(5))
    assert p.grad_fn is None and p.requires_grad


def test_init_errors_match_torch():
    check_error(lambda lib: lib.nn.init.eye_(lib.empty(2, 2, 2)))
    check_error(lambda lib: lib.nn.init.dirac_(lib.empty(2, 2)))
    check_error(lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)))
    check_error(lambda lib: lib.nn.init.kaiming_uniform_(lib.empty(3, 3), mode="foo"))
    check_error(lambda lib: lib.nn.init.orthogonal_(lib.empty(3)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert init.kaiming_uniform_(ember.empty(0, 3)).shape == (0, 3)


def test_every_layer_default_init_bounds():
    ember.manual_seed(1)
    b = ember.nn.Bilinear(20, 30, 40)
    bound = 1 / math.sqrt(20)
    w = b.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
