"""The compiled float32 GEMM (backends/gemm.py, csrc/gemm.c) against float64 NumPy."""
import numpy as np
import pytest

from ember.backends import gemm

KERNEL = gemm.kernel() is not None
needs_kernel = pytest.mark.skipif(not KERNEL, reason="native GEMM not built, or no AVX-512 here")


def _ref(a, b):
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


def _close(got, a, b):
    ref = _ref(a, b)
    scale = max(1.0, float(np.abs(ref).max()) if ref.size else 1.0)
    np.testing.assert_allclose(got, ref, rtol=0, atol=2e-5 * scale * max(1, a.shape[-1]) ** 0.5)


@pytest.fixture
def calls(monkeypatch):
    """Counts the kernel's calls (2-D and batched)."""
    if not KERNEL:
        pytest.skip("native GEMM not built, or no AVX-512 here")
    seen = {"mm": 0, "bmm": 0}
    fn, bfn = gemm._state["fn"], gemm._state["batched"]

    def count_mm(*args):
        seen["mm"] += 1
        return fn(*args)

    def count_bmm(*args):
        seen["bmm"] += 1
        return bfn(*args)

    monkeypatch.setitem(gemm._state, "fn", count_mm)
    monkeypatch.setitem(gemm._state, "batched", count_bmm)
    return seen


@needs_kernel
@pytest.mark.parametrize("m", [1, 7, 8, 9, 33])
@pytest.mark.parametrize("k", [1, 5, 255, 256, 257, 600])
@pytest.mark.parametrize("n", [16, 17, 31, 32, 33, 47, 48, 100])
def test_sgemm_edges(m, k, n):
    """Row, column (masked) and K-block remainders, both A layouts."""
    from ember.backends._native_gemm import sgemm_strided
    rng = np.random.default_rng(m * 1000 + k * 10 + n)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.full((m, n), np.nan, np.float32)
    sgemm_strided(a.reshape(-1), b.reshape(-1), c.reshape(-1), m, n, k, k, 1, n, n)
    _close(c, a, b)
    c[:] = np.nan
    at = np.ascontiguousarray(a.T)   # A read through its transpose: unit row stride
    sgemm_strided(at.reshape(-1), b.reshape(-1), c.reshape(-1), m, n, k, 1, m, n, n)
    _close(c, a, b)


@needs_kernel
def test_sgemm_empty_k_gives_zeros():
    from ember.backends._native_gemm import sgemm_strided
    c = np.full((9, 40), np.nan, np.float32)
    sgemm_strided(np.empty(1, np.float32), np.empty(1, np.float32), c.reshape(-1), 9, 40, 0,
                  1, 1, 40, 40)
    assert (c == 0).all()


@needs_kernel
@pytest.mark.parametrize("ints", [
    (8, 8, 9, 8, 1, 8, 8),        # k past the end of A and B
    (8, 8, 8, 9, 1, 8, 8),        # A's row stride
    (8, 9, 8, 8, 1, 8, 8),        # n past B and C
    (8, 8, 8, 8, 1, 8, 9),        # C's row stride
    (2 ** 62, 8, 8, 2 ** 62, 1, 8, 8),   # the extent overflows
    (-1, 8, 8, 8, 1, 8, 8),
    (8, 8, 8, 8, -1, 8, 8),
])
def test_sgemm_strided_refuses_ints_reaching_past_its_buffers(ints):
    """The C boundary checks sizes and strides against the buffers: no read or write outside."""
    from ember.backends._native_gemm import sgemm_strided
    a, b = np.ones(64, np.float32), np.ones(64, np.float32)
    c = np.full(64, 7.0, np.float32)
    with pytest.raises(ValueError):
        sgemm_strided(a, b, c, *ints)
    assert (c == 7.0).all()


@needs_kernel
def test_sgemm_refuses_non_contiguous_or_read_only_buffers():
    from ember.backends._native_gemm import sgemm_strided
    a = np.ones(128, np.float32)
    c = np.zeros(64, np.float32)
    with pytest.raises(ValueError):
        sgemm_strided(a[::2], a, c, 8, 8, 8, 8, 1, 8, 8)
    c.flags.writeable = False
    with pytest.raises((ValueError, BufferError)):
        sgemm_strided(a, a, c, 8, 8, 8, 8, 1, 8, 8)
    with pytest.raises(TypeError):
        sgemm_strided(a.astype(np.float64), a, c, 8, 8, 8, 8, 1, 8, 8)


@needs_kernel
@pytest.mark.parametrize("a_shape,c_shape,trans,step", [
    ((2, 4, 5), (2, 4, 16), True, 1),     # transposed A has the wrong K
    ((1, 4, 5), (2, 4, 16), False, 1),    # the second batch entry has no A
    ((2, 4, 5), (2, 4, 16), False, 2),
    ((2, 4, 5), (2, 4, 16), False, -1),
    ((2, 4, 5), (1, 4, 16), False, 1),    # C holds fewer entries than B
])
def test_sgemm_batched_refuses_mismatched_shapes(a_shape, c_shape, trans, step):
    from ember.backends._native_gemm import sgemm_batched
    c = np.full(c_shape, 7.0, np.float32)
    with pytest.raises(ValueError):
        sgemm_batched(np.ones(a_shape, np.float32), np.ones((2, 5, 16), np.float32), c, trans,
                      step)
    assert (c == 7.0).all()


@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("b_layout", ["C", "T", "strided"])
def test_mm_layouts(layout, b_layout):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((40, 70), dtype=np.float32)
    b = rng.standard_normal((70, 50), dtype=np.float32)
    if layout == "F":
        a = np.asfortranarray(a)
    elif layout == "strided":
        a = rng.standard_normal((40, 140), dtype=np.float32)[:, ::2]
    if b_layout == "T":
        b = np.ascontiguousarray(b.T).T
    elif b_layout == "strided":
        b = rng.standard_normal((70, 100), dtype=np.float32)[:, ::2]
    _close(gemm.mm(a, b), a, b)


def test_mm_takes_the_kernel_for_float32(calls):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((64, 128), dtype=np.float32)
    w = rng.standard_normal((96, 128), dtype=np.float32)
    _close(gemm.mm(a, w.T), a, w.T)       # x @ W.T: B copied once, then the kernel
    _close(gemm.mm(a.T.copy().T, w.T), a, w.T)
    assert calls["mm"] == 2


def test_mm_reads_and_writes_row_strided_views(calls):
    """Slices of wider arrays: A, B and the result with row strides larger than a row."""
    rng = np.random.default_rng(7)
    big_a = rng.standard_normal((40, 100), dtype=np.float32)
    big_b = rng.standard_normal((70, 90), dtype=np.float32)
    big_c = np.full((40, 64), np.nan, np.float32)
    a, b, out = big_a[:, 10:80], big_b[:, 5:55], big_c[:, 7:57]
    assert gemm.mm(a, b, out=out) is out
    _close(out, a, b)
    assert np.isnan(big_c[:, :7]).all() and np.isnan(big_c[:, 57:]).all()  # nothing outside
    at = np.ascontiguousarray(big_a.T)[10:80].T   # column-major A with a leading offset
    _close(gemm.mm(at, b), at, b)
    assert calls["mm"] == 2


def test_mm_falls_back_where_the_kernel_does_not_apply(calls):
    rng = np.random.default_rng(3)
    a64 = rng.standard_normal((32, 64))
    b64 = rng.standard_normal((64, 48))
    np.testing.assert_array_equal(gemm.mm(a64, b64), a64 @ b64)          # float64
    a = a64.astype(np.float32)
    narrow = b64[:, :10].astype(np.float32)
    np.testing.assert_array_equal(gemm.mm(a, narrow), a @ narrow)        # < 16 columns
    tiny = rng.standard_normal((2, 3), dtype=np.float32)
    np.testing.assert_array_equal(gemm.mm(tiny, tiny.T), tiny @ tiny.T)  # too little work
    assert calls["mm"] == 0


def test_mm_out_overlapping_an_input_is_computed_correctly(calls):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((48, 48), dtype=np.float32)
    b = rng.standard_normal((48, 48), dtype=np.float32)
    expect = a @ b
    res = gemm.mm(a, b, out=a)      # out is a: the kernel would read what it overwrites
    assert res is a
    np.testing.assert_allclose(a, expect, rtol=1e-5, atol=1e-4)
    assert calls["mm"] == 0
    out = np.empty((48, 48), np.float32)
    assert gemm.mm(b, b, out=out) is out
    assert calls["mm"] == 1
    _close(out, b, b)


def test_mm_propagates_nan_and_inf(calls):
    a = np.ones((16, 64), np.float32)
    b = np.ones((64, 32), np.float32)
    a[3, 5] = np.nan
    b[7, 20] = np.inf
    c = gemm.mm(a, b)
    assert calls["mm"] == 1
    assert np.isnan(c[3]).all()
    assert np.isinf(c[np.arange(16) != 3, 20]).all()
    assert np.isfinite(np.delete(np.delete(c, 3, 0), 20, 1)).all()


@pytest.mark.parametrize("shared", [True, False])
@pytest.mark.parametrize("trans", [False, True])
def test_bmm(calls, shared, trans):
    rng = np.random.default_rng(5)
    a = rng.standard_normal(((20, 33) if shared else (3, 20, 33)), dtype=np.float32)
    if trans:
        a = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        a = np.swapaxes(a, -1, -2)
    b = rng.standard_normal((3, 33, 70), dtype=np.float32)
    got = gemm.bmm(a, b)
    assert calls["bmm"] == 1
    for i in range(3):
        _close(got[i], a if shared else a[i], b[i])


def test_disabled_kernel_serves_numpy(monkeypatch, calls):
    monkeypatch.setattr(gemm, "ENABLED", False)
    rng = np.random.default_rng(6)
    a = rng.standard_normal((64, 64), dtype=np.float32)
    np.testing.assert_array_equal(gemm.mm(a, a), a @ a)
    assert calls["mm"] == 0
