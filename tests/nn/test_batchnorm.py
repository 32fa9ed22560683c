"""Batch/instance norm functional forms against the torch oracle (modules: test_vision_misc)."""
import numpy as np

from oracle import check, check_error, gradcheck, torch, ember


def test_batchnorm_functional_and_gradcheck():
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True),
          [(4, 3, 5), (3,), (3,)])
    F = ember.nn.functional
    gradcheck(lambda lib, x, w, b: F.batch_norm(x, None, None, w, b, training=True),
              [(3, 2, 4), (2,), (2,)])
    rm, rv = ember.zeros(2, dtype=ember.float64), ember.ones(2, dtype=ember.float64)
    gradcheck(lambda lib, x, w, b: F.batch_norm(x, rm, rv, w, b, training=False),
              [(3, 2, 4), (2,), (2,)])

    def fn(lib, x, w):
        y = lib.nn.functional.batch_norm(x, None, None, w, None, training=True)
        (g,) = lib.autograd.grad((y ** 3).sum(), x, create_graph=True)
        return (g ** 2).sum()
    check(fn, [(4, 2, 3), (2,)], dtype="float64")


def test_instance_norm_functional_running_stats():
    rm_t, rv_t = torch.zeros(3), torch.ones(3)
    rm_e, rv_e = ember.zeros(3), ember.ones(3)
    check(lambda lib, x: lib.nn.functional.instance_norm(
        x, rm_t if lib is torch else rm_e, rv_t if lib is torch else rv_e, momentum=0.3),
        [(2, 3, 4, 5)])
    np.testing.assert_allclose(rm_e.numpy(), rm_t.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv_e.numpy(), rv_t.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_noncontig_eval_float64():
    rm = np.random.default_rng(0).standard_normal(3)
    rv = np.random.default_rng(1).uniform(0.5, 2, 3)
    check(lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, lib.tensor(rm), lib.tensor(rv), w, b, training=False),
        [(4, 3, 5, 2), (3,), (3,)], noncontig=True, dtype="float64")


def test_batch_norm_errors():
    check_error(lambda lib: lib.nn.functional.batch_norm(lib.randn(1, 3), None, None,
                                                         training=True))
    check_error(lambda lib: lib.nn.functional.instance_norm(lib.randn(2, 3, 1)))
