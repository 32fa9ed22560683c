/* float32 matrix product with an AVX-512 register-tiled core (ember.backends._native_gemm).
 *
 * Served through backends/gemm.py, which decides when it pays. The core is an 8x32
 * micro-kernel: 16 accumulators of 16 floats stay in registers while the k loop broadcasts
 * 8 values of A and loads two vectors of B per step, one fused multiply-add each. No
 * packing: the products it serves (recurrent steps, sequence-wide weight gradients,
 * convolution tiles) are small enough that B stays in L1/L2.
 *
 * The module is built without -mavx512f so that it loads on any CPU: only the functions
 * marked GEMM_TARGET use AVX-512, and the entry points run them after supported() says so.
 */
#include "native.h"

#if defined(__GNUC__) && defined(__x86_64__)
#define GEMM_X86 1
#include <immintrin.h>
#define GEMM_TARGET __attribute__((target("avx512f,fma")))
#else
#define GEMM_X86 0
#endif

#define W 16   /* floats per AVX-512 register */
#define MR 8   /* rows of C per micro-kernel call */
#define NR 32  /* columns of C per micro-kernel call (two registers) */
#define KC 256 /* K block: a 256 x 32 panel of B (32 KiB) stays in L1 across the rows of A */

/* A(i, k) = a[i * a_rs + k * a_ks]; B and C have unit column stride. */
typedef struct {
    const float *a;
    Py_ssize_t a_rs, a_ks;
    const float *b;
    Py_ssize_t b_rs;
    float *c;
    Py_ssize_t c_rs;
} operands;

static int
cpu_ok(void)
{
#if GEMM_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

#if GEMM_X86

/* An (mr <= MR) x (nv * W) tile of C over k in [0, kc). Rows past mr re-read row mr - 1 of
 * A (never out of bounds) and are not stored. `masked`: one register wide, only the lanes
 * of `mask` are read from B and written to C. Always inlined with constant nv / masked, so
 * that the accumulator arrays become registers. */
static inline __attribute__((always_inline)) GEMM_TARGET void
tile(const float *a, Py_ssize_t a_rs, Py_ssize_t a_ks, const float *b, Py_ssize_t b_rs,
     float *c, Py_ssize_t c_rs, Py_ssize_t kc, Py_ssize_t mr, int accum, int nv, int masked,
     __mmask16 mask)
{
    Py_ssize_t off[MR];
    __m512 acc[MR][2];
    for (int r = 0; r < MR; r++) {
        off[r] = (r < mr ? r : mr - 1) * a_rs;
        acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    }
    for (Py_ssize_t k = 0; k < kc; k++, a += a_ks, b += b_rs) {
        __m512 b0 = masked ? _mm512_maskz_loadu_ps(mask, b) : _mm512_loadu_ps(b);
        __m512 b1 = nv == 2 ? _mm512_loadu_ps(b + W) : b0;
        for (int r = 0; r < MR; r++) {
            __m512 s = _mm512_set1_ps(a[off[r]]);
            acc[r][0] = _mm512_fmadd_ps(s, b0, acc[r][0]);
            if (nv == 2)
                acc[r][1] = _mm512_fmadd_ps(s, b1, acc[r][1]);
        }
    }
    for (int r = 0; r < MR && r < mr; r++) {
        float *cr = c + r * c_rs;
        for (int v = 0; v < nv; v++) {
            __m512 x = acc[r][v];
            if (masked) {
                if (accum)
                    x = _mm512_add_ps(_mm512_maskz_loadu_ps(mask, cr), x);
                _mm512_mask_storeu_ps(cr, mask, x);
            } else {
                if (accum)
                    x = _mm512_add_ps(_mm512_loadu_ps(cr + v * W), x);
                _mm512_storeu_ps(cr + v * W, x);
            }
        }
    }
}

/* C (m, n) = A (m, k) @ B (k, n), K blocked by KC, columns outer so that the B panel stays
 * in L1 over all rows of A. */
static GEMM_TARGET void
gemm(operands o, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k)
{
    if (k == 0) {
        for (Py_ssize_t i = 0; i < m; i++)
            memset(o.c + i * o.c_rs, 0, n * sizeof(float));
        return;
    }
    Py_ssize_t full = n - n % NR;
    Py_ssize_t half = n - full >= W ? full + W : full;
    __mmask16 tail = (__mmask16)((1u << (n - half)) - 1);
    for (Py_ssize_t k0 = 0; k0 < k; k0 += KC) {
        Py_ssize_t kc = k - k0 < KC ? k - k0 : KC;
        int accum = k0 > 0;
        const float *a0 = o.a + k0 * o.a_ks, *b0 = o.b + k0 * o.b_rs;
        for (Py_ssize_t j0 = 0; j0 < full; j0 += NR)
            for (Py_ssize_t i0 = 0; i0 < m; i0 += MR)
                tile(a0 + i0 * o.a_rs, o.a_rs, o.a_ks, b0 + j0, o.b_rs, o.c + i0 * o.c_rs + j0,
                     o.c_rs, kc, m - i0 < MR ? m - i0 : MR, accum, 2, 0, 0);
        for (Py_ssize_t i0 = 0; i0 < m; i0 += MR) {
            const float *ai = a0 + i0 * o.a_rs;
            float *ci = o.c + i0 * o.c_rs;
            Py_ssize_t mr = m - i0 < MR ? m - i0 : MR;
            if (half > full)
                tile(ai, o.a_rs, o.a_ks, b0 + full, o.b_rs, ci + full, o.c_rs, kc, mr, accum,
                     1, 0, 0);
            if (half < n)
                tile(ai, o.a_rs, o.a_ks, b0 + half, o.b_rs, ci + half, o.c_rs, kc, mr, accum,
                     1, 1, tail);
        }
    }
}

#endif

/* ------------------------------------------------------------------ argument checks */

/* A C-contiguous float32 buffer. It stays held (release with PyBuffer_Release) while the
 * GIL is dropped, so that its exporter cannot free or resize the memory meanwhile. */
static int
get_f32(PyObject *obj, Py_buffer *view, int writable, const char *what)
{
    int flags = PyBUF_STRIDES | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, view, flags) < 0)
        return -1;
    const char *f = view->format;
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    if (view->itemsize != 4 || strcmp(f, "f")) {
        PyErr_Format(PyExc_TypeError, "%s: expected a float32 array", what);
    } else if (!PyBuffer_IsContiguous(view, 'C')) {
        PyErr_Format(PyExc_ValueError, "%s: expected a contiguous array", what);
    } else {
        return 0;
    }
    PyBuffer_Release(view);
    return -1;
}

/* Gets the buffers of args[0..2] (A and B read, C written); releases all on failure. */
static int
get_operands(PyObject *const *args, Py_buffer views[3])
{
    static const char *what[3] = {"a", "b", "c"};
    for (int i = 0; i < 3; i++) {
        if (get_f32(args[i], &views[i], i == 2 ? EMBER_RW : EMBER_RO, what[i]) < 0) {
            while (i--)
                PyBuffer_Release(&views[i]);
            return -1;
        }
    }
    return 0;
}

static void
release(Py_buffer views[3])
{
    for (int i = 0; i < 3; i++)
        PyBuffer_Release(&views[i]);
}

/* Whether every index i * rs + j * cs (i < rows, j < cols, strides >= 0) lies in [0, len),
 * decided without overflow: callers pass any ints. */
static int
fits(Py_ssize_t len, Py_ssize_t rows, Py_ssize_t rs, Py_ssize_t cols, Py_ssize_t cs)
{
    if (rows == 0 || cols == 0)
        return 1;
    if (len == 0 || (rs > 0 && rows - 1 > (len - 1) / rs))
        return 0;
    Py_ssize_t rest = len - 1 - (rows - 1) * rs;
    return cs == 0 || cols - 1 <= rest / cs;
}

static int
check_cpu(void)
{
    static int ok = -1;
    if (ok < 0)
        ok = cpu_ok();
    if (!ok)
        PyErr_SetString(PyExc_RuntimeError,
                        "_native_gemm: needs an x86-64 CPU with AVX-512F and FMA");
    return ok;
}

static void
run(operands o, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, Py_ssize_t batch, Py_ssize_t a_step,
    Py_ssize_t b_step, Py_ssize_t c_step)
{
#if GEMM_X86
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < batch; i++) {
        operands oi = {o.a + i * a_step, o.a_rs, o.a_ks, o.b + i * b_step, o.b_rs,
                       o.c + i * c_step, o.c_rs};
        gemm(oi, m, n, k);
    }
    Py_END_ALLOW_THREADS
#endif
}

/* -------------------------------------------------------------------- entry points */

static PyObject *
sgemm_strided(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t m, n, k, a_rs, a_ks, b_rs, c_rs;
    Py_buffer v[3];
    if (ember_nargs("sgemm_strided", nargs, 10) || !check_cpu() || ember_ssize(args[3], &m) ||
        ember_ssize(args[4], &n) || ember_ssize(args[5], &k) || ember_ssize(args[6], &a_rs) ||
        ember_ssize(args[7], &a_ks) || ember_ssize(args[8], &b_rs) ||
        ember_ssize(args[9], &c_rs))
        return NULL;
    if (m < 0 || n < 0 || k < 0 || a_rs < 0 || a_ks < 0 || b_rs < 0 || c_rs < 0)
        return PyErr_Format(PyExc_ValueError, "sgemm_strided: negative size or stride");
    if (get_operands(args, v))
        return NULL;
    Py_ssize_t k_a = n ? k : 0, k_b = m ? k : 0; /* A and B are read only when C has elements */
    if (!fits(v[0].len / 4, m, a_rs, k_a, a_ks) || !fits(v[1].len / 4, k_b, b_rs, n, 1) ||
        !fits(v[2].len / 4, m, c_rs, n, 1)) {
        release(v);
        return PyErr_Format(PyExc_ValueError, "sgemm_strided: sizes and strides reach past "
                            "the end of an operand");
    }
    operands o = {v[0].buf, a_rs, a_ks, v[1].buf, b_rs, v[2].buf, c_rs};
    run(o, m, n, k, 1, 0, 0, 0);
    release(v);
    Py_RETURN_NONE;
}

static PyObject *
sgemm_batched(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int transa;
    Py_ssize_t a_step;
    Py_buffer v[3];
    if (ember_nargs("sgemm_batched", nargs, 5) || !check_cpu() || ember_bool(args[3], &transa) ||
        ember_ssize(args[4], &a_step))
        return NULL;
    if (get_operands(args, v))
        return NULL;
    if (v[0].ndim != 3 || v[1].ndim != 3 || v[2].ndim != 3) {
        release(v);
        return PyErr_Format(PyExc_ValueError, "sgemm_batched: expected 3-D arrays");
    }
    const Py_ssize_t *as = v[0].shape, *bs = v[1].shape, *cs = v[2].shape;
    Py_ssize_t batch = bs[0], m = as[transa ? 2 : 1], k = as[transa ? 1 : 2], n = bs[2];
    /* the last batch entry reads a[(batch - 1) * a_step] */
    int a_ok = a_step >= 0 && (batch == 0 || (as[0] > 0 && (batch == 1 ||
                                                            a_step <= (as[0] - 1) / (batch - 1))));
    if (!a_ok || bs[1] != k || cs[0] != batch || cs[1] != m || cs[2] != n) {
        release(v);
        return PyErr_Format(PyExc_ValueError, "sgemm_batched: shapes a %zdx%zdx%zd, b "
                            "%zdx%zdx%zd, c %zdx%zdx%zd do not match (transa %d, a_step %zd)",
                            as[0], as[1], as[2], bs[0], bs[1], bs[2], cs[0], cs[1], cs[2],
                            transa, a_step);
    }
    operands o = {v[0].buf, transa ? 1 : k, transa ? m : 1, v[1].buf, n, v[2].buf, n};
    run(o, m, n, k, batch, batch > 1 ? a_step * m * k : 0, k * n, m * n);
    release(v);
    Py_RETURN_NONE;
}

static PyObject *
supported(PyObject *self, PyObject *unused)
{
    return PyBool_FromLong(cpu_ok());
}

static PyMethodDef methods[] = {
    {"sgemm_strided", (PyCFunction)(void (*)(void))sgemm_strided, METH_FASTCALL,
     "sgemm_strided(a, b, c, m, n, k, a_rs, a_ks, b_rs, c_rs): C (m, n) = A (m, k) @ B (k, n) "
     "on flat float32 arrays, A(i, k) = a[i * a_rs + k * a_ks], B(k, j) = b[k * b_rs + j], "
     "C(i, j) = c[i * c_rs + j]."},
    {"sgemm_batched", (PyCFunction)(void (*)(void))sgemm_batched, METH_FASTCALL,
     "sgemm_batched(a, b, c, transa, a_step): c[i] = op(a[i * a_step]) @ b[i] for C-contiguous "
     "float32 3-D arrays; op transposes when transa. a_step 0 shares a[0] (convolution "
     "weights)."},
    {"supported", supported, METH_NOARGS,
     "supported(): whether this CPU runs the kernel (AVX-512F and FMA)."},
    {NULL, NULL, 0, NULL},
};

EMBER_MODULE(_native_gemm, methods, "float32 matrix product, AVX-512 register-tiled core.")
