"""linalg additions (ops/linalg_extra.py) against torch."""
import numpy as np
import pytest
from oracle import assert_same, check, ember, gradcheck, torch

SPD = np.array([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]], dtype=np.float32)
M = np.array([[1., 2., 0.5], [3., 4., 1.], [0.3, 0.1, 2.]], dtype=np.float32)
RHS = np.array([[1., 0.], [2., 1.], [0.5, -1.]], dtype=np.float32)


@pytest.mark.parametrize("fn,inputs", [
    (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False), [M, RHS]),
    (lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True, unitriangular=True),
     [M, RHS]),
    (lambda lib, a, b: lib.linalg.solve_triangular(a, b.t(), upper=True, left=False), [M, RHS]),
    (lambda lib, a, b: lib.cholesky_solve(b, lib.linalg.cholesky(a)), [SPD, RHS]),
    (lambda lib, a: lib.cholesky_inverse(lib.linalg.cholesky(a)), [SPD]),
    (lambda lib, a: lib.linalg.matrix_exp(a * 0.3), [M]),
    (lambda lib, a: lib.matrix_exp(a * 3), [M]),
    (lambda lib, a: lib.linalg.cond(a), [M]),
    (lambda lib, a, b: lib.linalg.lstsq(a, b).solution, [np.vstack([M, M[:1] + 1]), RHS[[0, 1, 2, 0]]]),
    (lambda lib, a: lib.linalg.tensorinv(a.reshape(3, 3, 1), ind=1), [M]),
])
def test_linalg_extra_vs_torch(fn, inputs):
    check(fn, inputs, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fn,inputs", [
    (lambda lib, a: lib.linalg.cond(a, "fro"), [M]),
    (lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b), [M, RHS]),
])
def test_linalg_extra_forward_vs_torch(fn, inputs):
    # torch's own backward of these raises (it modifies a saved tensor); compare forward.
    check(fn, inputs, rtol=1e-4, atol=1e-5, grad=False)


def test_lu_family_values():
    for fn in [lambda lib: lib.linalg.lu_factor(lib.tensor(M)),
               lambda lib: lib.linalg.lu(lib.tensor(M)),
               lambda lib: lib.linalg.lu_factor(lib.tensor([[1., 2., 3.], [4., 5., 6.]])),
               lambda lib: lib.lu_unpack(*lib.linalg.lu_factor(lib.tensor(M))),
               lambda lib: lib.linalg.lstsq(lib.tensor(M), lib.tensor(RHS), driver="gelsd"),
               lambda lib: lib.linalg.eigvals(lib.tensor([[2., 0.], [0., 3.]])),
               lambda lib: lib.linalg.eigvals(lib.tensor([[0., 1.], [-1., 0.]]))]:
        assert_same(fn(ember), fn(torch), rtol=1e-4, atol=1e-5)
    P, L, U = ember.linalg.lu(ember.tensor(M))
    np.testing.assert_allclose((P @ L @ U).numpy(), M, rtol=1e-5, atol=1e-6)


def test_linalg_extra_gradcheck():
    gradcheck(lambda lib, a: lib.linalg.matrix_exp(a * 0.5), [(3, 3)])
    gradcheck(lambda lib, a, b: lib.linalg.solve_triangular(a + 3 * lib.eye(3), b, upper=True),
              [(3, 3), (3, 2)])
