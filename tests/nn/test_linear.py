import math

import numpy as np
import pytest

from nn_module_oracle import module_check
from oracle import check, check_error, gradcheck

import ember
import torch


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_oracle(shape, bias):
    module_check(lambda lib: lib.nn.Linear(4, 3, bias=bias), [shape])


def test_linear_float64():
    module_check(lambda lib: lib.nn.Linear(4, 3), [(5, 4)], dtype="float64")


def test_bilinear_oracle():
    module_check(lambda lib: lib.nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)])
    module_check(lambda lib: lib.nn.Bilinear(3, 4, 2, bias=False), [(2, 5, 3), (2, 5, 4)])


def test_identity_flatten_unflatten():
    module_check(lambda lib: lib.nn.Identity(3, foo=1), [(2, 3)])
    module_check(lambda lib: lib.nn.Flatten(), [(2, 3, 4, 5)])
    module_check(lambda lib: lib.nn.Flatten(0, 1), [(2, 3, 4)])
    module_check(lambda lib: lib.nn.Unflatten(1, (2, 5)), [(3, 10)])


def test_functional_linear_bilinear():
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(3, 4), (2, 4), (2,)],
          noncontig=True)
    check(lambda lib, x, w: lib.nn.functional.linear(x, w), [(2, 3, 4), (2, 4)])
    check(lambda lib, x, y, w, b: lib.nn.functional.bilinear(x, y, w, b),
          [(5, 3), (5, 4), (2, 3, 4), (2,)])
    gradcheck(lambda lib, x, y, w, b: lib.nn.functional.bilinear(x, y, w, b),
              [(5, 3), (5, 4), (2, 3, 4), (2,)])


def test_linear_default_init_distribution():
    ember.manual_seed(0)
    m = ember.nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(in), 1/sqrt(in))
    w = m.weight.detach().numpy()
    assert w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    b = m.bias.detach().numpy()
    assert np.abs(b).max() <= bound


def test_linear_shape_error_names_module():
    m = ember.nn.Linear(784, 512)
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=784, out_features=512.*784.*"
                                           r"got 100"):
        m(ember.randn(64, 100))
    check_error(lambda lib: lib.nn.functional.linear(lib.ones(2, 3), lib.ones(4, 5)))


def test_lazy_linear():
    m = ember.nn.LazyLinear(3)
    assert "in_features=0" in repr(m)
    y = m(ember.randn(2, 5))
    assert type(m) is ember.nn.Linear and m.in_features == 5 and tuple(y.shape) == (2, 3)
    assert tuple(m.weight.shape) == (3, 5)
