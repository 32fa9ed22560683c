"""Linear algebra against torch: products, einsum, decompositions, norms, distances."""
import numpy as np
import pytest

from oracle import check, check_error, gradcheck, rand_array

import ember


def spd(n, batch=(), seed=0):
    a = rand_array(batch + (n, n), "float64", seed=seed)
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(np.float32)


def wellcond(shape, seed=0):
    a = rand_array(shape, "float32", seed=seed)
    n = min(shape[-2:])
    a[..., range(n), range(n)] += 4.0
    return a


# ---------------------------------------------------------------- products
@pytest.mark.parametrize("shapes", [[(3, 4), (4, 5)], [(4,), (4,)], [(4,), (4, 3)], [(3, 4), (4,)],
                                    [(2, 3, 4), (4, 5)], [(2, 3, 4), (2, 4, 5)],
                                    [(2, 1, 3, 4), (3, 4, 2)], [(4,), (2, 4, 3)],
                                    [(2, 3, 4), (4,)], [(0, 4), (4, 3)], [(3, 0), (0, 2)]])
def test_matmul(shapes):
    check(lambda lib, a, b: a @ b, shapes)


@pytest.mark.parametrize("noncontig", [False, True])
def test_matmul_noncontig(noncontig):
    check(lambda lib, a, b: lib.matmul(a, b.mT), [(2, 3, 4), (5, 4)], noncontig=noncontig)


def test_matmul_dtypes():
    check(lambda lib, a, b: a @ b, [(3, 4), (4, 2)], dtype="float64")
    check(lambda lib, a, b: a @ b, [(3, 4), (4, 2)], dtype="int64")


def test_matmul_fold_no_copy_result_layout():
    a = ember.randn(2, 3, 4)
    b = ember.randn(4, 5)
    r = a @ b
    assert r.is_contiguous() and tuple(r.shape) == (2, 3, 5)


@pytest.mark.parametrize("op,shapes", [("mm", [(3, 4), (4, 2)]), ("bmm", [(2, 3, 4), (2, 4, 5)]),
                                       ("mv", [(3, 4), (4,)]), ("dot", [(5,), (5,)]),
                                       ("outer", [(3,), (4,)]), ("inner", [(2, 4), (3, 4)]),
                                       ("kron", [(2, 3), (3, 2)]), ("kron", [(2,), (3, 2)])])
def test_products(op, shapes):
    check(lambda lib, a, b: getattr(lib, op)(a, b), shapes)
    gradcheck(lambda lib, a, b: getattr(lib, op)(a, b), shapes)


def test_addmm_baddbmm():
    check(lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0), [(3,), (2, 4), (4, 3)])
    check(lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=0.5, alpha=2.0),
          [(2, 3, 5), (2, 3, 4), (2, 4, 5)])
    check(lambda lib, c, a, b: c.clone().addmm_(a, b), [(2, 3), (2, 4), (4, 3)])
    gradcheck(lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2.0),
              [(2, 3), (2, 4), (4, 3)])


@pytest.mark.parametrize("dims,shapes", [(2, [(2, 3, 4), (3, 4, 5)]), (([1, 0], [0, 1]),
                                                                      [(3, 4, 2), (4, 3)]),
                                         (0, [(2,), (3,)])])
def test_tensordot(dims, shapes):
    check(lambda lib, a, b: lib.tensordot(a, b, dims=dims), shapes)
    gradcheck(lambda lib, a, b: lib.tensordot(a, b, dims=dims), shapes)


def test_product_errors():
    check_error(lambda lib: lib.mm(lib.ones(2, 3), lib.ones(2, 3)), RuntimeError, "2x3 and 2x3")
    check_error(lambda lib: lib.matmul(lib.ones(2, 3), lib.ones(4, 3, dtype=lib.float64)),
                RuntimeError)
    check_error(lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 2, 3)), RuntimeError)
    check_error(lambda lib: lib.dot(lib.ones(2), lib.ones(3)), RuntimeError)
    check_error(lambda lib: lib.mv(lib.ones(2, 3), lib.ones(2)), RuntimeError)
    check_error(lambda lib: lib.matmul(lib.tensor(1.0), lib.ones(2)), RuntimeError)
    check_error(lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 3), dims=([1], [0])),
                RuntimeError)


# ---------------------------------------------------------------- einsum
@pytest.mark.parametrize("eq,shapes", [
    ("ij,jk->ik", [(3, 4), (4, 5)]), ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]), ("ii->i", [(4, 4)]), ("ii", [(4, 4)]), ("ij->ji", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]), ("i,i->", [(5,), (5,)]), ("bhqd,bhkd->bhqk", [(2, 2, 3, 4),
                                                                             (2, 2, 5, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("i,i", [(1,), (4,)]), ("bij->b", [(2, 3, 4)]), ("ijk,ikl->ijl", [(2, 3, 4), (2, 4, 3)]),
    ("a...,a...->...", [(3, 2, 2), (3, 2, 2)]), ("iij->j", [(3, 3, 2)]),
    ("ij,ij->ij", [(3, 4), (3, 4)]), ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 2)]),
])
def test_einsum(eq, shapes):
    check(lambda lib, *xs: lib.einsum(eq, *xs), shapes)


def test_einsum_forms_and_grad():
    check(lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), [(3, 4), (4, 5)])
    check(lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]), [(3, 4), (4, 5)])
    check(lambda lib, a, b: lib.einsum("bij,bjk->bik", a, b), [(2, 3, 4), (2, 4, 5)],
          noncontig=True)
    gradcheck(lambda lib, a, b, c: lib.einsum("ij,jk,kl->il", a, b, c),
              [(2, 3), (3, 4), (4, 2)])
    gradcheck(lambda lib, a: lib.einsum("iij->j", a), [(3, 3, 2)])


def test_einsum_errors():
    check_error(lambda lib: lib.einsum("ij,jk", lib.ones(2, 3), lib.ones(4, 5)), RuntimeError)
    check_error(lambda lib: lib.einsum("ij,jk,kl", lib.ones(2, 3)), RuntimeError)
    check_error(lambda lib: lib.einsum("ijk", lib.ones(2, 3)), RuntimeError)
    check_error(lambda lib: lib.einsum("ij->iz", lib.ones(2, 3)), RuntimeError)


# ---------------------------------------------------------------- trace / diag / cross
def test_trace_diag():
    check(lambda lib, a: lib.trace(a), [(3, 4)])
    check(lambda lib, a: lib.trace(a), [(3, 3)], dtype="int64")
    for k in (0, 1, -2):
        check(lambda lib, a: lib.diag(a, k), [(4,)])
        check(lambda lib, a: lib.diag(a, k), [(3, 4)])
    check(lambda lib, a: lib.diag_embed(a), [(2, 3)])
    check(lambda lib, a: lib.diag_embed(a, 1, 0, 2), [(2, 3)])
    check(lambda lib, a: lib.diag_embed(a, -1, 2, 0), [(2, 3)])
    check(lambda lib, a: lib.diagonal(a, 1, 0, 2), [(3, 2, 4)], noncontig=True)
    gradcheck(lambda lib, a: lib.diag_embed(a, 1), [(2, 3)])
    check_error(lambda lib: lib.trace(lib.ones(3)), RuntimeError)
    check_error(lambda lib: lib.diag(lib.ones(2, 2, 2)), RuntimeError)


def test_cross():
    check(lambda lib, a, b: lib.linalg.cross(a, b), [(4, 3), (4, 3)])
    check(lambda lib, a, b: lib.linalg.cross(a, b), [(4, 3), (1, 3)])
    check(lambda lib, a, b: lib.cross(a, b, dim=0), [(3, 2), (3, 2)])
    gradcheck(lambda lib, a, b: lib.linalg.cross(a, b), [(2, 3), (2, 3)])
    check_error(lambda lib: lib.linalg.cross(lib.ones(2), lib.ones(2)), RuntimeError)


# ---------------------------------------------------------------- decompositions
@pytest.mark.parametrize("batch", [(), (2,)])
def test_inv_det_slogdet(batch):
    a = wellcond(batch + (3, 3))
    check(lambda lib, x: lib.linalg.inv(x), [a], rtol=1e-3, atol=1e-4)
    check(lambda lib, x: lib.inverse(x), [a], rtol=1e-3, atol=1e-4)
    check(lambda lib, x: lib.linalg.det(x), [a], rtol=1e-3, atol=1e-4)
    check(lambda lib, x: lib.det(x), [a], rtol=1e-3, atol=1e-4)
    check(lambda lib, x: lib.linalg.slogdet(x), [a], rtol=1e-3, atol=1e-4)
    check(lambda lib, x: lib.logdet(x @ x.mT), [a], rtol=1e-3, atol=1e-4)
    a64 = a.astype(np.float64)
    gradcheck(lambda lib, x: lib.linalg.inv(x), [a64])
    gradcheck(lambda lib, x: lib.linalg.det(x), [a64])
    gradcheck(lambda lib, x: lib.linalg.slogdet(x)[1], [a64])


def test_det_singular_grad():
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 0.0]], np.float64)
    # torch returns a zero gradient at singular matrices; ember the cofactor matrix (exact).
    gradcheck(lambda lib, x: lib.linalg.det(x), [a])


def test_inv_errors():
    check_error(lambda lib: lib.linalg.inv(lib.zeros(3, 3)), RuntimeError, "singular")
    check_error(lambda lib: lib.linalg.inv(lib.ones(2, 3)), RuntimeError, "square")
    check_error(lambda lib: lib.linalg.inv(lib.tensor([[1, 2], [3, 4]])), RuntimeError, "Long")
    check_error(lambda lib: lib.linalg.det(lib.ones(3)), RuntimeError)
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


@pytest.mark.parametrize("bshape,left", [((3, 2), True), ((3,), True), ((2, 3, 2), True),
                                         ((2, 3), False), ((2, 3), True)])
def test_solve(bshape, left):
    a = wellcond((2, 3, 3)) if len(bshape) == 3 or bshape == (2, 3) and left else \
        wellcond((3, 3))
    check(lambda lib, x, b: lib.linalg.solve(x, b, left=left), [a, bshape], rtol=1e-3, atol=1e-4)
    gradcheck(lambda lib, x, b: lib.linalg.solve(x, b, left=left),
              [a.astype(np.float64), bshape])


def test_solve_errors():
    check_error(lambda lib: lib.linalg.solve(lib.zeros(2, 2), lib.ones(2)), RuntimeError)
    check_error(lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3)), RuntimeError)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(upper):
    a = spd(4, (2,))
    check(lambda lib, x: lib.linalg.cholesky(x, upper=upper), [a], rtol=1e-3, atol=1e-4)
    gradcheck(lambda lib, x: lib.linalg.cholesky(x + x.mT, upper=upper),
              [spd(3).astype(np.float64) / 2])
    check_error(lambda lib: lib.linalg.cholesky(-lib.eye(3)), RuntimeError, "positive-definite")


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 3, 5)])
def test_qr(shape):
    a = wellcond(shape)
    check(lambda lib, x: lib.linalg.qr(x), [a], rtol=1e-3, atol=1e-4)
    gradcheck(lambda lib, x: lib.linalg.qr(x), [a.astype(np.float64)])
    check(lambda lib, x: lib.linalg.qr(x, mode="r")[1], [a], rtol=1e-3, atol=1e-4, grad=False)
    check_error(lambda lib: lib.linalg.qr(lib.ones(4, 3, requires_grad=True), mode="complete")[0]
                .sum().backward(), RuntimeError)


def _svd_invariant(lib, x, full=False):
    U, S, Vh = lib.linalg.svd(x, full_matrices=full)
    k = S.shape[-1]
    # sign-invariant functions of U and V
    return S, U[..., :k] ** 2, (U[..., :k] @ Vh[..., :k, :]) * 2, Vh[..., :k, :] ** 4 * 0.5


@pytest.mark.parametrize("shape,full", [((4, 3), False), ((3, 5), False), ((3, 3), True),
                                        ((4, 3), True), ((2, 3, 4), False)])
def test_svd(shape, full):
    a = rand_array(shape, "float64", seed=3)
    check(lambda lib, x: _svd_invariant(lib, x, full), [a])
    gradcheck(lambda lib, x: _svd_invariant(lib, x, full), [a])
    check(lambda lib, x: lib.linalg.svdvals(x), [a])
    gradcheck(lambda lib, x: lib.linalg.svdvals(x), [a])
    check(lambda lib, x: lib.svd(x)[1], [a], grad=False)


def test_eigh():
    a = rand_array((3, 3), "float64", seed=4)
    sym = lambda lib, x: (x + x.mT)  # noqa: E731

    def fn(lib, x):
        w, v = lib.linalg.eigh(sym(lib, x))
        return w, v.abs(), (v * v[..., :1, :].sign())
    check(fn, [a])
    gradcheck(fn, [a])
    check(lambda lib, x: lib.linalg.eigvalsh(sym(lib, x)), [a])


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3)])
def test_pinv(shape):
    a = rand_array(shape, "float64", seed=5)
    check(lambda lib, x: lib.linalg.pinv(x), [a])
    gradcheck(lambda lib, x: lib.linalg.pinv(x), [a])
    check(lambda lib, x: lib.pinverse(x), [a.astype(np.float32)], rtol=1e-3, atol=1e-4)


def test_matrix_power_rank():
    a = wellcond((3, 3))
    check(lambda lib, x: lib.linalg.matrix_power(x, 3), [a], rtol=1e-3, atol=1e-3)
    check(lambda lib, x: lib.linalg.matrix_power(x, -2), [a], rtol=1e-3, atol=1e-3)
    check(lambda lib, x: lib.linalg.matrix_rank(x), [np.ones((3, 3), np.float32)], grad=False)


# ---------------------------------------------------------------- norms
@pytest.mark.parametrize("ord", [2, 1, float("inf"), float("-inf"), 0, 3, 0.5])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, True), ((0, 2), False)])
def test_vector_norm(ord, dim, keepdim):
    check(lambda lib, x: lib.linalg.vector_norm(x, ord, dim, keepdim), [(2, 3, 4)])
    if ord not in (0,):
        gradcheck(lambda lib, x: lib.linalg.vector_norm(x, ord, dim, keepdim), [(2, 3, 2)])


def test_vector_norm_zero_grad_and_dtype():
    check(lambda lib, x: lib.linalg.vector_norm(x * 0), [(3,)])
    check(lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float64), [(3, 2)])
    check(lambda lib, x: lib.linalg.vector_norm(x), [(2, 3)], noncontig=True)
    check_error(lambda lib: lib.linalg.vector_norm(lib.tensor([1, 2])), RuntimeError)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")])
def test_matrix_norm(ord):
    a = rand_array((2, 3, 4), "float64", seed=6)
    check(lambda lib, x: lib.linalg.matrix_norm(x, ord), [a])
    check(lambda lib, x: lib.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True), [a])
    gradcheck(lambda lib, x: lib.linalg.matrix_norm(x, ord), [a])


def test_norm_variants():
    check(lambda lib, x: lib.linalg.norm(x), [(2, 3, 4)])
    check(lambda lib, x: lib.linalg.norm(x, 2), [(3, 4)])
    check(lambda lib, x: lib.linalg.norm(x, 1, dim=1), [(3, 4)])
    check(lambda lib, x: lib.linalg.norm(x, "fro", dim=(0, 1)), [(3, 4)])
    check(lambda lib, x: lib.norm(x), [(3, 4)])
    check(lambda lib, x: lib.norm(x, dim=1, keepdim=True), [(3, 4)])
    check(lambda lib, x: lib.norm(x, p=1, dim=(0, 1)), [(3, 4)])
    check(lambda lib, x: lib.norm(x, p="nuc"), [(3, 4)])
    check(lambda lib, x: x.norm(3), [(3, 4)])
    check_error(lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), 2), RuntimeError)
    check_error(lambda lib: lib.linalg.matrix_norm(lib.ones(2, 2), 3), RuntimeError)


@pytest.mark.parametrize("p", [2.0, 1.0, 0.0, float("inf"), 3.0])
@pytest.mark.parametrize("shapes", [[(4, 3), (5, 3)], [(2, 30, 3), (2, 4, 3)]])
def test_cdist(p, shapes):
    check(lambda lib, a, b: lib.cdist(a, b, p=p), shapes, rtol=1e-4, atol=1e-4)
    if p != 0:
        gradcheck(lambda lib, a, b: lib.cdist(a, b, p=p), [(3, 2), (4, 2)])


def test_cdist_zero_distance_grad_and_errors():
    x = rand_array((3, 2), "float32")
    check(lambda lib, a, b: lib.cdist(a, b), [x, x.copy()])
    check_error(lambda lib: lib.cdist(lib.ones(3, 2), lib.ones(3, 4)), RuntimeError)
    check_error(lambda lib: lib.cdist(lib.ones(3), lib.ones(3, 3)), RuntimeError)
