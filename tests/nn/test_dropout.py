import numpy as np
import pytest

from nn_module_oracle import module_check
from oracle import check, check_error

import ember
import torch

F = ember.nn.functional


@pytest.mark.parametrize("name", ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d",
                                  "AlphaDropout", "FeatureAlphaDropout"])
def test_eval_is_identity_and_repr(name):
    shape = {"Dropout1d": (2, 3, 4), "Dropout3d": (2, 3, 2, 2, 2)}.get(name, (2, 3, 4, 4))
    module_check(lambda lib: getattr(lib.nn, name)(0.3), [shape], train=False)
    module_check(lambda lib: getattr(lib.nn, name)(0.3, inplace=True), [shape], train=False,
                 grad=False)


def test_dropout_train_statistics_and_grad():
    ember.manual_seed(0)
    x = ember.ones(200, 500, requires_grad=True)
    y = F.dropout(x, 0.3)
    a = y.detach().numpy()
    vals = np.unique(a)
    np.testing.assert_allclose(vals, [0.0, 1 / 0.7], rtol=1e-6)
    assert abs((a == 0).mean() - 0.3) < 0.01
    assert a.dtype == np.float32
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), a)  # grad = mask / (1 - p)


def test_channel_dropout_zeroes_whole_channels():
    ember.manual_seed(0)
    for fn, shape, n_spatial in [(F.dropout1d, (4, 8, 5), 1), (F.dropout1d, (8, 5), 1),
                                 (F.dropout2d, (4, 8, 3, 3), 2),
                                 (F.dropout3d, (4, 8, 2, 2, 2), 3),
                                 (F.dropout3d, (8, 2, 2, 2), 3)]:
        y = fn(ember.ones(shape), 0.5).numpy()
        per_channel = y.reshape(-1, int(np.prod(shape[-n_spatial:])))
        assert all(len(np.unique(r)) == 1 for r in per_channel)
        assert set(np.unique(y)) == {0.0, 2.0}


def test_alpha_dropout_keeps_mean_and_std():
    ember.manual_seed(0)
    x = ember.randn(400, 500)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    y = F.feature_alpha_dropout(ember.randn(50, 400, 5), 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.05 and abs(y.std() - 1) < 0.05


def test_train_eval_switch_and_inplace():
    m = ember.nn.Dropout(0.5)
    x = ember.ones(1000)
    assert float((m(x) == 0).float().mean()) > 0.3
    m.eval()
    assert m(x) is x
    m.train()
    z = ember.ones(100)
    out = ember.nn.Dropout(0.5, inplace=True)(z)
    assert out is z and float((z == 0).float().mean()) > 0.2
    assert float(F.dropout(ember.ones(10), 1.0).abs().sum()) == 0
    assert F.dropout(x, 0.0) is x


def test_dropout_errors():
    check_error(lambda lib: lib.nn.Dropout(1.5))
    check_error(lambda lib: lib.nn.functional.dropout(lib.ones(2), -0.1))
    check_error(lambda lib: lib.nn.functional.dropout1d(lib.ones(2, 3, 4, 5)))
