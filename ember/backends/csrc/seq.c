/* Elementwise kernels of the sequence models (ember.backends._native_seq): exact GELU forward
 * and backward, one LSTM time step forward and backward, layer norm over rows.
 *
 * Arrays arrive flat, C-contiguous float32, with their shapes as ints; outputs must not
 * overlap inputs (the callers allocate them apart). Serial, like every native kernel: these
 * passes are memory-bound and a thread pool would take the cores from OpenBLAS.
 *
 * erf and tanh are float32 rational forms written as plain arithmetic so the loops vectorise:
 * without -ffast-math GCC calls scalar libm for tanhf / erff.
 */
#include "native.h"
#include <math.h>

/* Rows per chunk of layer_norm_bwd: its column sums are kept per chunk (part_w / part_b) and
 * summed by the caller, which sizes them from the module's ROWS. */
#define ROWS 64

/* The clamp bounds of erf and tanh, read once per call: as literal constants GCC folds the
 * saturated lanes' results (constants) and threads them into masked code, measured 2x slower
 * than the plain min / max it emits for bounds it cannot see. */
static volatile const struct {
    float one, erf, tanh;
} bounds = {1.0f, 4.0f, 7.90531110763549805f};

/* erf as the float32 rational form of Eigen / XLA (the same as special.erf_chunk); lim = 4,
 * one = 1 from bounds. NaN stays NaN. */
HOT_INLINE float
erf_f32(float x, float lim, float one)
{
    x = x < -lim ? -lim : x;
    x = x > lim ? lim : x;
    float x2 = x * x;
    float p = -2.72614225801306e-10f;
    p = p * x2 + 2.77068142495902e-08f;
    p = p * x2 + -2.10102402082508e-06f;
    p = p * x2 + -5.69250639462346e-05f;
    p = p * x2 + -7.34990630326855e-04f;
    p = p * x2 + -2.95459980854025e-03f;
    p = p * x2 + -1.60960333262415e-02f;
    p *= x;
    float q = -1.45660718464996e-05f;
    q = q * x2 + -2.13374055278905e-04f;
    q = q * x2 + -1.68282697438203e-03f;
    q = q * x2 + -7.37332916720468e-03f;
    q = q * x2 + -1.42647390514189e-02f;
    float r = p / q;
    r = r < -one ? -one : r;            /* the rational form overshoots 1 by up to 4e-7 */
    return r > one ? one : r;
}

/* tanh as the float32 rational form of Eigen (max error 4e-7 absolute); lim = 7.9053 from
 * bounds. NaN stays NaN. */
HOT_INLINE float
tanh_f32(float x, float lim)
{
    x = x < -lim ? -lim : x;
    x = x > lim ? lim : x;
    float x2 = x * x;
    float p = -2.76076847742355e-16f;
    p = p * x2 + 2.00018790482477e-13f;
    p = p * x2 + -8.60467152213735e-11f;
    p = p * x2 + 5.12229709037114e-08f;
    p = p * x2 + 1.48572235717979e-05f;
    p = p * x2 + 6.37261928875436e-04f;
    p = p * x2 + 4.89352455891786e-03f;
    p *= x;
    float q = 1.19825839466702e-06f;
    q = q * x2 + 1.18534705686654e-04f;
    q = q * x2 + 2.26843463243900e-03f;
    q = q * x2 + 4.89352518554385e-03f;
    return p / q;
}

#define RSQRT2 0.7071067811865476f
#define RSQRT2PI 0.3989422804014327f

/* ------------------------------------------------------------------------------ gelu */

EMBER_CLONES static void
gelu_fwd_loop(const float *restrict x, float *restrict out, Py_ssize_t n)
{
    float lim = bounds.erf, one = bounds.one;
    for (Py_ssize_t i = 0; i < n; i++) {
        float v = x[i];
        out[i] = 0.5f * v * (1.0f + erf_f32(v * RSQRT2, lim, one));
    }
}

static PyObject *
gelu_fwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x, *out;
    Py_ssize_t n, nout;
    if (ember_nargs("gelu_fwd", nargs, 2) || ember_f32(args[0], &x, &n, EMBER_RO, "x") ||
        ember_f32(args[1], &out, &nout, EMBER_RW, "out"))
        return NULL;
    if (nout < n)
        return PyErr_Format(PyExc_ValueError, "gelu_fwd: out shorter than x");
    Py_BEGIN_ALLOW_THREADS
    gelu_fwd_loop(x, out, n);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

EMBER_CLONES static void
gelu_bwd_loop(const float *restrict x, const float *restrict g, float *restrict eo, Py_ssize_t n)
{
    float lim = bounds.erf, one = bounds.one;
    for (Py_ssize_t i = 0; i < n; i++) {
        float v = x[i];
        eo[i] = g[i] * (0.5f * (1.0f + erf_f32(v * RSQRT2, lim, one)) + v * eo[i] * RSQRT2PI);
    }
}

static PyObject *
gelu_bwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x, *g, *eo;
    Py_ssize_t n, ng, neo;
    if (ember_nargs("gelu_bwd", nargs, 3) || ember_f32(args[0], &x, &n, EMBER_RO, "x") ||
        ember_f32(args[1], &g, &ng, EMBER_RO, "g") || ember_f32(args[2], &eo, &neo, EMBER_RW, "eo"))
        return NULL;
    if (ng < n || neo < n)
        return PyErr_Format(PyExc_ValueError, "gelu_bwd: g or eo shorter than x");
    Py_BEGIN_ALLOW_THREADS
    gelu_bwd_loop(x, g, eo, n);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ----------------------------------------------------------- LSTM cell, one time step */

EMBER_CLONES static void
lstm_fwd_loop(float *restrict g, const float *restrict pr, const float *restrict sc,
              const float *restrict cp, float *restrict c, float *restrict tc, float *restrict h,
              Py_ssize_t rows, Py_ssize_t hid)
{
    Py_ssize_t h4 = 4 * hid;
    float lim = bounds.tanh;
    for (Py_ssize_t b = 0; b < rows; b++) {      /* row by row: its gates stay in L1 */
        float *gb = g + b * h4;
        const float *pb = pr + b * h4, *sb = sc + b * h4;
        for (Py_ssize_t k = 0; k < h4; k++) {    /* all four gates in one sweep */
            float s = sb[k];
            gb[k] = tanh_f32(gb[k] + pb[k], lim) * s + (1.0f - s);
        }
        const float *cpb = cp + b * hid;
        float *cb = c + b * hid, *tb = tc + b * hid, *hb = h + b * hid;
        for (Py_ssize_t j = 0; j < hid; j++) {
            float cn = gb[hid + j] * cpb[j] + gb[j] * gb[2 * hid + j];
            float t = tanh_f32(cn, lim);
            cb[j] = cn;
            tb[j] = t;
            hb[j] = gb[3 * hid + j] * t;
        }
    }
}

static PyObject *
lstm_cell_fwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *pr, *sc, *cp, *c, *tc, *h;
    Py_ssize_t ng, npr, nsc, ncp, nc, ntc, nh, rows, hid;
    if (ember_nargs("lstm_cell_fwd", nargs, 9) || ember_f32(args[0], &g, &ng, EMBER_RW, "g") ||
        ember_f32(args[1], &pr, &npr, EMBER_RO, "pr") ||
        ember_f32(args[2], &sc, &nsc, EMBER_RO, "sc") ||
        ember_f32(args[3], &cp, &ncp, EMBER_RO, "cp") ||
        ember_f32(args[4], &c, &nc, EMBER_RW, "c") ||
        ember_f32(args[5], &tc, &ntc, EMBER_RW, "tc") ||
        ember_f32(args[6], &h, &nh, EMBER_RW, "h") || ember_ssize(args[7], &rows) ||
        ember_ssize(args[8], &hid))
        return NULL;
    Py_ssize_t nstate = size_mul(rows, hid), ngate = size_mul(nstate, 4);
    if (nstate < 0 || ngate < 0)
        return PyErr_Format(PyExc_ValueError, "lstm_cell_fwd: bad rows / hid");
    if (ng < ngate || npr < ngate || nsc < ngate || ncp < nstate || nc < nstate ||
        ntc < nstate || nh < nstate)
        return PyErr_Format(PyExc_ValueError,
                            "lstm_cell_fwd: arrays shorter than rows x 4 hid / rows x hid");
    Py_BEGIN_ALLOW_THREADS
    lstm_fwd_loop(g, pr, sc, cp, c, tc, h, rows, hid);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

EMBER_CLONES static void
lstm_bwd_loop(const float *restrict g, const float *restrict tc, const float *restrict cp,
              const float *restrict dh, const float *restrict go, float *restrict dc,
              float *restrict dg, Py_ssize_t rows, Py_ssize_t hid)
{
    for (Py_ssize_t b = 0; b < rows; b++) {
        const float *gb = g + b * 4 * hid;
        float *db = dg + b * 4 * hid;
        Py_ssize_t m0 = b * hid;
        for (Py_ssize_t j = 0; j < hid; j++) {
            Py_ssize_t m = m0 + j;
            float i = gb[j], f = gb[hid + j], gg = gb[2 * hid + j], o = gb[3 * hid + j];
            float t = tc[m];
            float dhv = dh[m] + go[m];
            float dcv = dc[m] + dhv * o * (1.0f - t * t);
            db[j] = dcv * gg * (i - i * i);
            db[hid + j] = dcv * cp[m] * (f - f * f);
            db[2 * hid + j] = dcv * i * (1.0f - gg * gg);
            db[3 * hid + j] = dhv * t * (o - o * o);
            dc[m] = dcv * f;
        }
    }
}

static PyObject *
lstm_cell_bwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *tc, *cp, *dh, *go, *dc, *dg;
    Py_ssize_t ng, ntc, ncp, ndh, ngo, ndc, ndg, rows, hid;
    if (ember_nargs("lstm_cell_bwd", nargs, 9) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[1], &tc, &ntc, EMBER_RO, "tc") ||
        ember_f32(args[2], &cp, &ncp, EMBER_RO, "cp") ||
        ember_f32(args[3], &dh, &ndh, EMBER_RO, "dh") ||
        ember_f32(args[4], &go, &ngo, EMBER_RO, "go") ||
        ember_f32(args[5], &dc, &ndc, EMBER_RW, "dc") ||
        ember_f32(args[6], &dg, &ndg, EMBER_RW, "dg") || ember_ssize(args[7], &rows) ||
        ember_ssize(args[8], &hid))
        return NULL;
    Py_ssize_t nstate = size_mul(rows, hid), ngate = size_mul(nstate, 4);
    if (nstate < 0 || ngate < 0)
        return PyErr_Format(PyExc_ValueError, "lstm_cell_bwd: bad rows / hid");
    if (ng < ngate || ndg < ngate || ntc < nstate || ncp < nstate || ndh < nstate ||
        ngo < nstate || ndc < nstate)
        return PyErr_Format(PyExc_ValueError,
                            "lstm_cell_bwd: arrays shorter than rows x 4 hid / rows x hid");
    Py_BEGIN_ALLOW_THREADS
    lstm_bwd_loop(g, tc, cp, dh, go, dc, dg, rows, hid);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------- layer norm over rows */
/* Row sums accumulate in float64; everything else is float32. At a row length of 128 (the GPT
 * benchmark) the kernels are bound by each row's chain of sums, divisions and square root, so
 * both keep that chain short (see each). */

HOT_INLINE void
ln_fwd_rows(const float *restrict x, const float *restrict w, const float *restrict b,
            float *restrict y, float *restrict xhat, float *restrict rstd, Py_ssize_t m,
            Py_ssize_t n, double eps, int center, int affine, int has_bias)
{
    for (Py_ssize_t r = 0; r < m; r++) {
        const float *xr = x + r * n;
        float *yr = y + r * n, *hr = xhat + r * n;
        /* Mean and variance from one pass over d = x - x[0]: sum d and sum d^2 (a pass for the
         * mean, then one for the variance, measured 1.5x slower; here the omp simd reduction
         * measured faster than the backward's partial sums). The shift by a sample of the
         * row keeps the subtraction below from cancelling: (mean - x[0])^2 <= (n - 1) var, so
         * mean(d^2) <= n var and the variance keeps a relative accuracy of ~n^2 * 1e-16 (nor
         * can rounding take it below 0 for rows shorter than ~1e7). */
        double k = center && n > 0 ? xr[0] : 0.0, s1 = 0.0, s2 = 0.0;
#pragma omp simd reduction(+:s1, s2)
        for (Py_ssize_t j = 0; j < n; j++) {
            double d = xr[j] - k;
            s1 += d;
            s2 += d * d;
        }
        double dm = center ? s1 / (double)n : 0.0;
        float mu = (float)(k + dm);
        float rs = (float)(1.0 / sqrt(s2 / (double)n - dm * dm + eps));
        rstd[r] = rs;
        /* the flags are loop-invariant: GCC unswitches this into four vector loops */
        for (Py_ssize_t j = 0; j < n; j++) {
            float v = (xr[j] - mu) * rs;
            hr[j] = v;
            if (affine)
                v = v * w[j];
            if (has_bias)
                v = v + b[j];
            yr[j] = v;
        }
    }
}

EMBER_CLONES static void
ln_fwd_loop(const float *restrict x, const float *restrict w, const float *restrict b,
            float *restrict y, float *restrict xhat, float *restrict rstd, Py_ssize_t m,
            Py_ssize_t n, double eps, int center, int affine, int has_bias)
{
    /* one copy per value of center: a test of it in the row's chain measured 5% slower */
    if (center)
        ln_fwd_rows(x, w, b, y, xhat, rstd, m, n, eps, 1, affine, has_bias);
    else
        ln_fwd_rows(x, w, b, y, xhat, rstd, m, n, eps, 0, affine, has_bias);
}

static PyObject *
layer_norm_fwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x, *w, *b, *y, *xhat, *rstd;
    Py_ssize_t nx, nw, nbias, ny, nxh, nrs, m, n;
    double eps;
    int center, affine, has_bias;
    if (ember_nargs("layer_norm_fwd", nargs, 12) || ember_f32(args[0], &x, &nx, EMBER_RO, "x") ||
        ember_f32(args[1], &w, &nw, EMBER_RO, "w") ||
        ember_f32(args[2], &b, &nbias, EMBER_RO, "b") ||
        ember_f32(args[3], &y, &ny, EMBER_RW, "y") ||
        ember_f32(args[4], &xhat, &nxh, EMBER_RW, "xhat") ||
        ember_f32(args[5], &rstd, &nrs, EMBER_RW, "rstd") || ember_ssize(args[6], &m) ||
        ember_ssize(args[7], &n) || ember_double(args[8], &eps) || ember_bool(args[9], &center) ||
        ember_bool(args[10], &affine) || ember_bool(args[11], &has_bias))
        return NULL;
    Py_ssize_t mn = size_mul(m, n);
    if (mn < 0)
        return PyErr_Format(PyExc_ValueError, "layer_norm_fwd: bad m / n");
    if (nx < mn || ny < mn || nxh < mn || nrs < m || (affine && nw < n) ||
        (has_bias && nbias < n))
        return PyErr_Format(PyExc_ValueError, "layer_norm_fwd: arrays shorter than (m, n)");
    Py_BEGIN_ALLOW_THREADS
    ln_fwd_loop(x, w, b, y, xhat, rstd, m, n, eps, center, affine, has_bias);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* The total of 16 partial sums, added pairwise: GCC keeps them in registers. (The row sums
 * below are such partial sums rather than omp simd reductions, whose 16 lanes GCC adds one
 * after the other through memory: that tail took a third of layer_norm_bwd.) */
HOT_INLINE double
total16(double *a)
{
    for (int k = 0; k < 8; k++)
        a[k] += a[k + 8];
    for (int k = 0; k < 4; k++)
        a[k] += a[k + 4];
    return (a[0] + a[2]) + (a[1] + a[3]);
}

/* dx of one row from its sums s1 of g w and s2 of g w xhat */
HOT_INLINE void
ln_dx_row(const float *restrict gr, const float *restrict hr, const float *restrict w,
          float *restrict dr, Py_ssize_t n, double s1, double s2, float rs, int center,
          int affine)
{
    float a = center ? (float)(s1 / (double)n) : 0.0f;
    float bb = (float)(s2 / (double)n);
    for (Py_ssize_t j = 0; j < n; j++) {
        float gh = affine ? gr[j] * w[j] : gr[j];
        dr[j] = rs * (gh - a - hr[j] * bb);
    }
}

/* Rows r and, with `two`, r + 1 of layer_norm_bwd: a pair shares one read-modify-write of the
 * column sums pw / pb (adding row r's terms first, as row by row would) and runs its four row
 * sums side by side (measured 10% faster than single rows). */
HOT_INLINE void
ln_bwd_rows(const float *restrict g, const float *restrict xhat, const float *restrict rstd,
            const float *restrict w, float *restrict dx, float *restrict pw,
            float *restrict pb, Py_ssize_t r, Py_ssize_t n, int center, int affine,
            int need_dx, int two)
{
    const float *g0 = g + r * n, *h0 = xhat + r * n;
    const float *g1 = two ? g0 + n : g0, *h1 = two ? h0 + n : h0;
    double a0[16] = {0.0}, b0[16] = {0.0}, a1[16] = {0.0}, b1[16] = {0.0};
    Py_ssize_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int k = 0; k < 16; k++) {
            float ga = g0[j + k], xa = h0[j + k], gb = g1[j + k], xb = h1[j + k];
            float gha = affine ? ga * w[j + k] : ga, ghb = affine ? gb * w[j + k] : gb;
            pw[j + k] = two ? pw[j + k] + ga * xa + gb * xb : pw[j + k] + ga * xa;
            pb[j + k] = two ? pb[j + k] + ga + gb : pb[j + k] + ga;
            a0[k] += gha;
            b0[k] += (double)gha * xa;
            if (two) {
                a1[k] += ghb;
                b1[k] += (double)ghb * xb;
            }
        }
    double s10 = total16(a0), s20 = total16(b0);
    double s11 = two ? total16(a1) : 0.0, s21 = two ? total16(b1) : 0.0;
    for (; j < n; j++) {
        float ga = g0[j], xa = h0[j], gb = g1[j], xb = h1[j];
        float gha = affine ? ga * w[j] : ga, ghb = affine ? gb * w[j] : gb;
        pw[j] = two ? pw[j] + ga * xa + gb * xb : pw[j] + ga * xa;
        pb[j] = two ? pb[j] + ga + gb : pb[j] + ga;
        s10 += gha;
        s20 += (double)gha * xa;
        if (two) {
            s11 += ghb;
            s21 += (double)ghb * xb;
        }
    }
    if (!need_dx)
        return;
    ln_dx_row(g0, h0, w, dx + r * n, n, s10, s20, rstd[r], center, affine);
    if (two)
        ln_dx_row(g1, h1, w, dx + (r + 1) * n, n, s11, s21, rstd[r + 1], center, affine);
}

/* Rows r0..r1 of one chunk, two at a time */
HOT_INLINE void
ln_bwd_chunk(const float *restrict g, const float *restrict xhat, const float *restrict rstd,
             const float *restrict w, float *restrict dx, float *restrict pw,
             float *restrict pb, Py_ssize_t r0, Py_ssize_t r1, Py_ssize_t n, int center,
             int affine, int need_dx)
{
    Py_ssize_t r = r0;
    for (; r + 1 < r1; r += 2)
        ln_bwd_rows(g, xhat, rstd, w, dx, pw, pb, r, n, center, affine, need_dx, 1);
    if (r < r1)
        ln_bwd_rows(g, xhat, rstd, w, dx, pw, pb, r, n, center, affine, need_dx, 0);
}

EMBER_CLONES static void
ln_bwd_loop(const float *restrict g, const float *restrict xhat, const float *restrict rstd,
            const float *restrict w, float *restrict dx, float *restrict part_w,
            float *restrict part_b, Py_ssize_t m, Py_ssize_t n, int center, int affine,
            int need_dx)
{
    /* at least one chunk, so that no rows still give zero column sums */
    Py_ssize_t chunks = m > 0 ? (m + ROWS - 1) / ROWS : 1;
    for (Py_ssize_t c = 0; c < chunks; c++) {
        float *pw = part_w + c * n, *pb = part_b + c * n;
        memset(pw, 0, (size_t)n * sizeof(float));
        memset(pb, 0, (size_t)n * sizeof(float));
        Py_ssize_t r0 = c * ROWS, r1 = (c + 1) * ROWS < m ? (c + 1) * ROWS : m;
        /* one copy per value of affine: GCC does not unswitch the pair loop (20% slower) */
        if (affine)
            ln_bwd_chunk(g, xhat, rstd, w, dx, pw, pb, r0, r1, n, center, 1, need_dx);
        else
            ln_bwd_chunk(g, xhat, rstd, w, dx, pw, pb, r0, r1, n, center, 0, need_dx);
    }
}

static PyObject *
layer_norm_bwd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *xhat, *rstd, *w, *dx, *pw, *pb;
    Py_ssize_t ng, nxh, nrs, nw, ndx, npw, npb, m, n;
    int center, affine, need_dx;
    if (ember_nargs("layer_norm_bwd", nargs, 12) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[1], &xhat, &nxh, EMBER_RO, "xhat") ||
        ember_f32(args[2], &rstd, &nrs, EMBER_RO, "rstd") ||
        ember_f32(args[3], &w, &nw, EMBER_RO, "w") ||
        ember_f32(args[4], &dx, &ndx, EMBER_RW, "dx") ||
        ember_f32(args[5], &pw, &npw, EMBER_RW, "part_w") ||
        ember_f32(args[6], &pb, &npb, EMBER_RW, "part_b") || ember_ssize(args[7], &m) ||
        ember_ssize(args[8], &n) || ember_bool(args[9], &center) ||
        ember_bool(args[10], &affine) || ember_bool(args[11], &need_dx))
        return NULL;
    Py_ssize_t mn = size_mul(m, n);
    if (mn < 0)
        return PyErr_Format(PyExc_ValueError, "layer_norm_bwd: bad m / n");
    Py_ssize_t npart = size_mul(m > 0 ? (m - 1) / ROWS + 1 : 1, n);
    if (ng < mn || nxh < mn || nrs < m || (affine && nw < n) || (need_dx && ndx < mn) ||
        npw < npart || npb < npart)
        return PyErr_Format(PyExc_ValueError,
                            "layer_norm_bwd: arrays shorter than (m, n) / (chunks, n)");
    Py_BEGIN_ALLOW_THREADS
    ln_bwd_loop(g, xhat, rstd, w, dx, pw, pb, m, n, center, affine, need_dx);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"gelu_fwd", (PyCFunction)(void (*)(void))gelu_fwd, METH_FASTCALL,
     "gelu_fwd(x, out): out = 0.5 x (1 + erf(x / sqrt 2))."},
    {"gelu_bwd", (PyCFunction)(void (*)(void))gelu_bwd, METH_FASTCALL,
     "gelu_bwd(x, g, eo): eo = g (0.5 (1 + erf(x / sqrt 2)) + x eo / sqrt(2 pi)), eo holding\n"
     "exp(-x^2 / 2) on entry."},
    {"lstm_cell_fwd", (PyCFunction)(void (*)(void))lstm_cell_fwd, METH_FASTCALL,
     "lstm_cell_fwd(g, pr, sc, cp, c, tc, h, rows, hid): one LSTM step on (rows, 4 hid) /\n"
     "(rows, hid) arrays. g holds h_prev @ W_hh^T with the i, f, o columns pre-halved and is\n"
     "overwritten by the gate values [i, f, g, o]; pr is the step's input projection (halved\n"
     "likewise); sc is 0.5 on the i, f, o columns and 1 on g (sigmoid(z) = 0.5 + 0.5 tanh(z/2)).\n"
     "Writes c, tc = tanh(c) and h = o tanh(c)."},
    {"lstm_cell_bwd", (PyCFunction)(void (*)(void))lstm_cell_bwd, METH_FASTCALL,
     "lstm_cell_bwd(g, tc, cp, dh, go, dc, dg, rows, hid): dg (rows, 4 hid), the gradients of\n"
     "the gate pre-activations, from the gate values g, tanh(c) tc, c_prev cp and the incoming\n"
     "dh + go (hidden) and dc (cell; updated in place to the gradient of c_prev)."},
    {"layer_norm_fwd", (PyCFunction)(void (*)(void))layer_norm_fwd, METH_FASTCALL,
     "layer_norm_fwd(x, w, b, y, xhat, rstd, m, n, eps, center, affine, has_bias): rows of x\n"
     "(m, n): xhat = (x - mean) rstd, y = xhat w + b (w, b read only when flagged)."},
    {"layer_norm_bwd", (PyCFunction)(void (*)(void))layer_norm_bwd, METH_FASTCALL,
     "layer_norm_bwd(g, xhat, rstd, w, dx, part_w, part_b, m, n, center, affine, need_dx):\n"
     "dx = rstd (gh - mean(gh) - xhat mean(gh xhat)), gh = g w; the column sums of g xhat and\n"
     "g per chunk of ROWS rows in part_w / part_b (max(1, chunks), n), summed by the caller."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef seq_def = {PyModuleDef_HEAD_INIT, "_native_seq",
                                     "Sequence-model kernels (float32, serial).", -1, methods};

/* Not EMBER_MODULE: the module also exports ROWS. */
PyMODINIT_FUNC
PyInit__native_seq(void)
{
    PyObject *mod = PyModule_Create(&seq_def);
    if (mod && PyModule_AddIntConstant(mod, "ROWS", ROWS) < 0)
        Py_CLEAR(mod);
    return mod;
}
