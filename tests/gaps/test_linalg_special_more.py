"""torch.special orthogonal polynomials, Householder products (geqrf / orgqr / ormqr),
LDL factor / solve, randomized low-rank SVD / PCA and segment_reduce, against torch."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, rand_array, torch

import ember

POLYS = ["chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
         "chebyshev_polynomial_w", "shifted_chebyshev_polynomial_t",
         "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
         "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
         "laguerre_polynomial_l", "legendre_polynomial_p"]


# ---------------------------------------------------------------- orthogonal polynomials
@pytest.mark.parametrize("name", POLYS)
def test_polynomials(name):
    shifted = name.startswith("shifted")
    lo, hi = (-0.2, 1.2) if shifted else (-1.3, 1.3)
    rng = np.random.default_rng(0)
    ends = [0.0, 1.0] if shifted else [-1.0, 1.0, 0.0]
    x32 = np.concatenate([rng.uniform(lo, hi, 40), ends]).astype(np.float32)
    x64 = x32.astype(np.float64)
    f = lambda lib: getattr(lib.special, name)  # noqa: E731
    # every branch: negative, low degrees (recurrence), high degrees (trigonometric forms)
    for n in (-2, 0, 1, 2, 3, 6, 7, 9, 14):
        check(lambda lib, x: f(lib)(x, n), [x64], grad=False, rtol=1e-9, atol=1e-9)
        check(lambda lib, x: f(lib)(x, n), [x32], grad=False, rtol=2e-4, atol=2e-4)
    # tensor degrees, broadcasting, non-integer degrees (truncated)
    degs = np.array([0, 1, 2, 3, 5, 8, 11, -1], np.int64)
    check(lambda lib, x, n: f(lib)(x.reshape(-1, 1), n), [x64[:6], degs], grad=False,
          rtol=1e-9, atol=1e-9)
    check(lambda lib, x: f(lib)(x, lib.tensor([2.7, 3.2, 0.5, 4.9])), [x64[:4]], grad=False,
          rtol=1e-9, atol=1e-9)
    check(lambda lib, x: f(lib)(x, 3), [(2, 3)], grad=False, noncontig=True, rtol=2e-4,
          atol=2e-4)
    # scalar x with tensor n; integer inputs give the default float dtype
    check(lambda lib, n: f(lib)(0.3, n), [degs[:5]], grad=False, rtol=1e-5)
    check(lambda lib, x: f(lib)(x, 2), [np.array([0, 1, 2], np.int64)], grad=False)
    check(lambda lib, x: f(lib)(x, lib.tensor(3.0, dtype=lib.float64)), [x32[:3]], grad=False,
          rtol=1e-5)


def test_polynomials_no_grad_and_dtypes():
    for lib in (torch, ember):
        x = lib.tensor([0.1, 0.2], requires_grad=True)
        y = lib.special.chebyshev_polynomial_t(x, 3)
        assert not y.requires_grad and y.dtype == lib.float32
        out = lib.empty(2)
        assert lib.special.legendre_polynomial_p(x.detach(), 2, out=out) is out
        z = lib.special.hermite_polynomial_h(lib.tensor([1, 2], dtype=lib.int32),
                                             lib.tensor([2, 3], dtype=lib.int32))
        assert z.dtype == lib.float32 and z.tolist() == [2.0, 40.0]
    check(lambda lib, x: lib.special.laguerre_polynomial_l(x, lib.tensor([1.0, 2.0],
                                                                         dtype=lib.float64)),
          [np.array([0.5, 1.5], np.float32)], grad=False)


# ---------------------------------------------------------------- Householder products
@pytest.mark.parametrize("shape", [(5, 3), (4, 4), (2, 6, 3)])
def test_geqrf_and_householder_product(shape):
    check(lambda lib, a: lib.geqrf(a), [shape], grad=False, dtype="float64")
    check(lambda lib, a: a.geqrf(), [shape], grad=False, atol=1e-5)
    # Q from geqrf's own output equals linalg.qr's Q
    a = rand_array(shape, "float64")
    h, tau = ember.geqrf(ember.tensor(a))
    q = ember.linalg.householder_product(h, tau)
    np.testing.assert_allclose(q.numpy(), np.linalg.qr(a)[0], atol=1e-10)
    k = shape[-1] - 1
    tshape = shape[:-2] + (k,)
    check(lambda lib, a, t: lib.linalg.householder_product(a, t), [shape, tshape],
          atol=1e-5, grad_atol=1e-4)
    check(lambda lib, a, t: lib.orgqr(a, t), [shape, tshape], dtype="float64", rtol=1e-7,
          atol=1e-9)
    check(lambda lib, a, t: a.orgqr(t), [shape, tshape], noncontig=True, atol=1e-5,
          grad_atol=1e-4)
    gradcheck(lambda lib, a, t: lib.linalg.householder_product(a, t), [shape, tshape])


@pytest.mark.parametrize("left,transpose", [(True, False), (True, True), (False, False),
                                            (False, True)])
def test_ormqr(left, transpose):
    a = rand_array((5, 3), "float64", seed=4)
    h, tau = (torch.tensor(t.numpy()) for t in torch.geqrf(torch.tensor(a)))
    other = (5, 2) if left else (2, 5)
    check(lambda lib, h, t, c: lib.ormqr(h, t, c, left, transpose),
          [h.numpy(), tau.numpy(), other], dtype="float64", rtol=1e-7, atol=1e-9)
    check(lambda lib, h, t, c: h[:, :2].ormqr(t[:2], c, left=left, transpose=transpose),
          [h.numpy().astype(np.float32), tau.numpy().astype(np.float32), other], atol=1e-5,
          grad_atol=1e-4)
    gradcheck(lambda lib, h, t, c: lib.ormqr(h, t, c, left, transpose), [(5, 3), (3,), other])


def test_householder_errors():
    check_error(lambda lib: lib.linalg.householder_product(lib.ones(2, 3), lib.ones(2)),
                RuntimeError, "greater than or equal to input.shape\\[-1\\]")
    check_error(lambda lib: lib.linalg.householder_product(lib.ones(3, 2), lib.ones(3)),
                RuntimeError, "tau.shape\\[-1\\]")
    check_error(lambda lib: lib.linalg.householder_product(lib.ones(3, 2),
                                                           lib.ones(2, dtype=lib.float64)),
                RuntimeError, "tau dtype Double does not match input dtype Float")
    check_error(lambda lib: lib.linalg.householder_product(lib.ones(2, 3, 2), lib.ones(3, 2)),
                RuntimeError, "batch dimensions")
    check_error(lambda lib: lib.geqrf(lib.ones(3)), RuntimeError, "at least 2 dimensions")
    check_error(lambda lib: lib.geqrf(lib.ones(3, 3, dtype=lib.int64)), NotImplementedError)
    check_error(lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(3, 2)),
                RuntimeError, "other.shape\\[-2\\]")
    check_error(lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(2), lib.ones(4, 2)),
                RuntimeError, "tau.shape\\[-1\\] must be equal to min")
    check_error(lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3), lib.ones(4)),
                RuntimeError, "other must have at least 2 dimensions")
    check_error(lambda lib: lib.ormqr(lib.ones(4, 3), lib.ones(3),
                                      lib.ones(4, 2, dtype=lib.float64)), RuntimeError,
                "same dtype")
    for lib in (torch, ember):
        h, t = lib.geqrf(lib.ones(3, 3, requires_grad=True))
        with pytest.raises(RuntimeError, match="geqrf"):
            h.sum().backward()


# ---------------------------------------------------------------- LDL
def _sym(n, batch=(), seed=0, zero_diag=False, dtype="float64"):
    a = rand_array(batch + (n, n), dtype, seed=seed)
    a = a + np.swapaxes(a, -1, -2)
    if zero_diag:  # forces 2x2 pivots
        idx = np.arange(n)
        a[..., idx, idx] = 0
    return a


@pytest.mark.parametrize("n,batch,zero_diag", [(1, (), False), (4, (), False), (5, (), True),
                                               (6, (3,), True), (3, (2, 2), False)])
def test_ldl_factor_and_solve(n, batch, zero_diag):
    a = _sym(n, batch, seed=n, zero_diag=zero_diag)
    check(lambda lib, a: lib.linalg.ldl_factor(a), [a], grad=False, rtol=1e-9, atol=1e-10)
    check(lambda lib, a: lib.linalg.ldl_factor_ex(a), [a], grad=False, rtol=1e-9, atol=1e-10)
    a32 = a.astype(np.float32)
    check(lambda lib, a: lib.linalg.ldl_factor(a), [a32], grad=False, atol=1e-4)
    # only the lower triangle is read
    junk = np.triu(rand_array(a.shape, "float64", seed=9), 1)
    check(lambda lib, a: lib.linalg.ldl_factor(a), [np.tril(a) + junk], grad=False,
          rtol=1e-9, atol=1e-10)
    b = rand_array(batch + (n, 2), "float64", seed=11)
    check(lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b), [a, b],
          grad=False, rtol=1e-7, atol=1e-9)
    check(lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b),
          [a32, b.astype(np.float32)], grad=False, rtol=1e-3, atol=1e-4)
    # the solution solves the system
    LD, piv = ember.linalg.ldl_factor(ember.tensor(a))
    x = ember.linalg.ldl_solve(LD, piv, ember.tensor(b))
    np.testing.assert_allclose(a @ x.numpy(), b, atol=1e-9)


def test_ldl_pivots_match_lapack_on_many_matrices():
    rng = np.random.default_rng(0)
    for i in range(40):
        n = int(rng.integers(2, 8))
        a = rng.standard_normal((n, n))
        a = a + a.T
        if i % 2:
            a[np.diag_indices(n)] *= 0.01
        t = torch.linalg.ldl_factor(torch.tensor(a))
        e = ember.linalg.ldl_factor(ember.tensor(a))
        assert_same(e, t, rtol=1e-9, atol=1e-10)


def test_ldl_broadcast_solve_and_errors():
    a = _sym(3, seed=2)
    b = rand_array((2, 3, 2), "float64", seed=3)
    check(lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a), b), [a, b],
          grad=False, rtol=1e-7, atol=1e-9)
    check_error(lambda lib: lib.linalg.ldl_factor(lib.ones(2, 3)), RuntimeError,
                "square matrices")
    check_error(lambda lib: lib.linalg.ldl_factor(lib.ones(3, 3, dtype=lib.int64)),
                RuntimeError, "floating point")
    check_error(lambda lib: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(lib.eye(3)),
                                                 lib.ones(4, 2)), RuntimeError,
                "Incompatible matrix sizes")
    e = ember.linalg.ldl_factor_ex(ember.zeros(3, 3))
    assert e.info.item() == 1 and e.info.dtype is ember.int32
    with pytest.raises(RuntimeError):
        ember.linalg.ldl_factor(ember.zeros(3, 3))
    for lib in (torch, ember):
        A = lib.tensor(a, requires_grad=True)
        LD, piv = lib.linalg.ldl_factor(A)
        assert LD.requires_grad and piv.dtype == lib.int32 and not piv.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is "
                                               "not implemented"):
            LD.sum().backward()
        B = lib.ones(3, 1, dtype=lib.float64, requires_grad=True)
        with pytest.raises(RuntimeError, match="linalg_ldl_solve"):
            lib.linalg.ldl_solve(LD.detach(), piv, B).sum().backward()


# ---------------------------------------------------------------- randomized low rank
def _low_rank(m, n, r, batch=(), seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(batch + (m, r)) @ rng.standard_normal(batch + (r, n)))


@pytest.mark.parametrize("m,n,batch", [(20, 8, ()), (7, 15, ()), (12, 10, (2,))])
def test_svd_lowrank(m, n, batch):
    a = _low_rank(m, n, 3, batch)
    ember.manual_seed(0)
    for dtype, tol in (("float64", 1e-9), ("float32", 1e-4)):
        A = ember.tensor(a.astype(dtype))
        U, S, V = ember.svd_lowrank(A, q=5)
        assert tuple(U.shape) == batch + (m, 5) and tuple(V.shape) == batch + (n, 5)
        assert tuple(S.shape) == batch + (5,) and U.dtype == A.dtype
        rec = U.numpy() @ (S.numpy()[..., :, None] * np.swapaxes(V.numpy(), -1, -2))
        np.testing.assert_allclose(rec, a, atol=tol * np.abs(a).max() * 10)
        np.testing.assert_allclose(S.numpy()[..., :3],
                                   np.linalg.svd(a, compute_uv=False)[..., :3], rtol=tol * 10)
        gram = np.swapaxes(U.numpy(), -1, -2) @ U.numpy()
        np.testing.assert_allclose(gram, np.broadcast_to(np.eye(5), gram.shape), atol=tol * 10)
    # shapes equal torch's, also when q exceeds a side
    for q in (2, 6, 9):
        ts = [tuple(t.shape) for t in torch.svd_lowrank(torch.tensor(a), q=q)]
        es = [tuple(t.shape) for t in ember.svd_lowrank(ember.tensor(a), q=q)]
        assert ts == es


def test_svd_lowrank_with_mean_and_gradient():
    a = _low_rank(15, 6, 2, seed=1)
    M = rand_array((1, 6), "float64", seed=2)
    ember.manual_seed(1)
    U, S, V = ember.svd_lowrank(ember.tensor(a + M), q=4, M=ember.tensor(M))
    rec = U.numpy() @ np.diag(S.numpy()) @ V.numpy().T
    np.testing.assert_allclose(rec, a, atol=1e-9)
    # singular values of a full-rank input captured exactly are differentiable like svdvals
    b = rand_array((6, 4), "float64", seed=5)
    Be = ember.tensor(b, requires_grad=True)
    ember.svd_lowrank(Be, q=4, niter=3)[1].sum().backward()
    Bt = torch.tensor(b, requires_grad=True)
    torch.linalg.svdvals(Bt).sum().backward()
    np.testing.assert_allclose(Be.grad.numpy(), Bt.grad.numpy(), atol=1e-8)


def test_pca_lowrank():
    rng = np.random.default_rng(3)
    data = rng.standard_normal((50, 3)) @ rng.standard_normal((3, 6)) + 5.0
    ember.manual_seed(2)
    U, S, V = ember.pca_lowrank(ember.tensor(data), q=3)
    centered = data - data.mean(0)
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(centered, compute_uv=False)[:3],
                               rtol=1e-9)
    np.testing.assert_allclose(U.numpy() @ np.diag(S.numpy()) @ V.numpy().T, centered,
                               atol=1e-9)
    U, S, V = ember.pca_lowrank(ember.tensor(data), center=False)
    assert tuple(S.shape) == (6,)
    assert tuple(ember.pca_lowrank(ember.randn(2, 5, 7))[1].shape) == (2, 5)
    check_error(lambda lib: lib.pca_lowrank(lib.ones(5, 4), q=7), ValueError,
                "q\\(=7\\) must be non-negative integer")
    check_error(lambda lib: lib.pca_lowrank(lib.ones(5, 4), q=-1), ValueError)
    check_error(lambda lib: lib.pca_lowrank(lib.ones(5, 4), niter=-1), ValueError, "niter")


# ---------------------------------------------------------------- segment_reduce
REDUCES = ["sum", "mean", "max", "min", "prod", "amax", "amin"]


@pytest.mark.parametrize("reduce", REDUCES)
def test_segment_reduce_lengths(reduce):
    L = np.array([2, 0, 3, 1], np.int64)
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n), [(6,), L])
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n, initial=0.5), [(6,), L])
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n), [(6, 3), L],
          noncontig=True)
    L2 = np.array([[2, 4], [0, 6]], np.int64)
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n, axis=1), [(2, 6, 2), L2])
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n),
          [(6,), L.astype(np.int32)], dtype="float64")


@pytest.mark.parametrize("reduce", ["sum", "mean", "max", "min", "prod"])
def test_segment_reduce_offsets_ties_zeros(reduce):
    off = np.array([0, 2, 2, 5, 6], np.int64)
    check(lambda lib, d, o: lib.segment_reduce(d, reduce, offsets=o), [(6, 2), off])
    check(lambda lib, d, o: lib.segment_reduce(d, reduce, offsets=o, initial=-1.0),
          [(6,), off])
    ties = np.array([1., 5., 5., 2., 0., 3.], np.float32)
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n),
          [ties, np.array([4, 2], np.int64)])
    zeros = np.array([1., 0., 5., 0., 0., 3., 2.], np.float32)
    check(lambda lib, d, n: lib.segment_reduce(d, reduce, lengths=n),
          [zeros, np.array([3, 2, 2], np.int64)])


def test_segment_reduce_gradcheck_and_errors():
    for reduce in ("sum", "mean", "max", "prod"):
        gradcheck(lambda lib, d: lib.segment_reduce(d, reduce, lengths=lib.tensor([2, 1, 3])),
                  [(6, 2)])
    d = lambda lib: lib.ones(6)  # noqa: E731
    check_error(lambda lib: lib.segment_reduce(d(lib), "sum", lengths=lib.tensor([2, 2])),
                RuntimeError, "sum to data.size")
    check_error(lambda lib: lib.segment_reduce(d(lib), "foo", lengths=lib.tensor([6])),
                RuntimeError, "reduce argument must be either sum, prod, mean, amax or amin")
    check_error(lambda lib: lib.segment_reduce(d(lib), "sum"), RuntimeError,
                "Either lengths or offsets must be defined")
    check_error(lambda lib: lib.segment_reduce(d(lib), "sum", lengths=lib.tensor([6]),
                                               axis=1), IndexError)
    check_error(lambda lib: lib.segment_reduce(d(lib).long(), "sum", lengths=lib.tensor([6])),
                NotImplementedError)
    check_error(lambda lib: lib.segment_reduce(d(lib), "sum", lengths=lib.tensor([2, -1, 5])),
                RuntimeError, "negative")
    for lib in (torch, ember):
        out = lib.segment_reduce(d(lib).requires_grad_(), "sum", lengths=lib.tensor([6]))
        assert type(out.grad_fn).__name__ == "SegmentReduceBackward0"
