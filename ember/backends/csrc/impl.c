/* Memory-bound CPU kernels of the image models and optimizers (ember.backends._native_impl).
 *
 * Same contracts as the NumPy code in cpu_kernels.py / optim/_functional.py: arrays arrive
 * flat (C-contiguous float32 unless stated) with their shapes as ints. One pass over memory
 * each, serial: a thread pool's launch costs more than these loops at the sizes they see.
 */
#include "native.h"
#include <math.h>

/* Floats before p reaches a 64-byte boundary, at most n. NumPy only aligns arrays to 16 bytes
 * (large ones mostly sit 32 past a line), so each 512-bit access would straddle two cache
 * lines (SGD at 65k parameters measured a third slower): the streaming loops run this head
 * apart, which aligns every array sharing p's offset. */
static inline Py_ssize_t
head_to_line(const float *p, Py_ssize_t n)
{
    Py_ssize_t h = (Py_ssize_t)(((64 - ((uintptr_t)p & 63)) & 63) / 4);
    return h < n ? h : n;
}

/* The loop of an activation gradient (g, y -> out): run over the head up to out's first cache
 * line apart, then the rest, aligned (see head_to_line); compiled per instruction set. */
#define ACTIVATION_LOOP(name, run)                                                             \
    EMBER_CLONES static void name(const float *restrict g, const float *restrict y,            \
                                  float *restrict out, Py_ssize_t n)                           \
    {                                                                                          \
        Py_ssize_t h = head_to_line(out, n);                                                   \
        run(g, y, out, h);                                                                     \
        run(g + h, y + h, out + h, n - h);                                                     \
    }

/* out = f(g, y) elementwise, for the activation gradients below (f runs without the GIL). */
static PyObject *
activation_grad(const char *name, PyObject *const *args, Py_ssize_t nargs,
                void (*loop)(const float *, const float *, float *, Py_ssize_t))
{
    float *g, *y, *out;
    Py_ssize_t ng, ny, n;
    if (ember_nargs(name, nargs, 3) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[1], &y, &ny, EMBER_RO, "y") || ember_f32(args[2], &out, &n, EMBER_RW, "out"))
        return NULL;
    if (ng < n || ny < n)
        return PyErr_Format(PyExc_ValueError, "%s: inputs shorter than out", name);
    Py_BEGIN_ALLOW_THREADS
    loop(g, y, out, n);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------- relu_grad */

static inline void
relu_grad_run(const float *restrict g, const float *restrict y, float *restrict out, Py_ssize_t n)
{
    /* torch's threshold_backward: a NaN or inf gradient does not leak through a closed unit.
     * g is read unconditionally: a conditional read compiles to a masked load merging into
     * the previous iteration's register, which chains the iterations. */
    for (Py_ssize_t i = 0; i < n; i++) {
        float gi = g[i];
        out[i] = y[i] <= 0.0f ? 0.0f : gi;
    }
}

ACTIVATION_LOOP(relu_grad_loop, relu_grad_run)

static PyObject *
relu_grad(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return activation_grad("relu_grad", args, nargs, relu_grad_loop);
}

/* ------------------------------------------------------------- tanh_grad, sigmoid_grad */

/* Activation gradients from the saved output y: one pass instead of NumPy's three, in
 * torch's operation order (tanh's 1 - y * y contracts to one fused multiply-add, as in
 * torch's vectorized kernel). */
static inline void
tanh_grad_run(const float *restrict g, const float *restrict y, float *restrict out, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        float yi = y[i];
        out[i] = g[i] * (1.0f - yi * yi);
    }
}

static inline void
sigmoid_grad_run(const float *restrict g, const float *restrict y, float *restrict out,
                 Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        float yi = y[i];
        out[i] = g[i] * (1.0f - yi) * yi;
    }
}

ACTIVATION_LOOP(tanh_grad_loop, tanh_grad_run)

ACTIVATION_LOOP(sigmoid_grad_loop, sigmoid_grad_run)

static PyObject *
tanh_grad(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return activation_grad("tanh_grad", args, nargs, tanh_grad_loop);
}

static PyObject *
sigmoid_grad(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return activation_grad("sigmoid_grad", args, nargs, sigmoid_grad_loop);
}

/* ------------------------------------------------------------------------------ adam */

static inline void
adam_run(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
         Py_ssize_t n, float a1, float b2, float a2, float step_size, float bc2_sqrt, float eps)
{
    /* torch.optim.Adam, single-tensor path: m.lerp_(g, 1-b1); v.mul_(b2).addcmul_(g, g, 1-b2);
     * p -= step_size * m / (sqrt(v) / sqrt(bias_correction2) + eps). Four vectors per step
     * (as LLVM did for numba) overlap the divisions' latency. */
#pragma GCC unroll 4
    for (Py_ssize_t i = 0; i < n; i++) {
        float gk = g[i], mk = m[i];
        mk = mk + a1 * (gk - mk);
        float vk = v[i] * b2 + a2 * (gk * gk);
        m[i] = mk;
        v[i] = vk;
        p[i] -= step_size * (mk / (sqrtf(vk) / bc2_sqrt + eps));
    }
}

EMBER_CLONES static void
adam_loop(float *restrict p, const float *restrict g, float *restrict m, float *restrict v,
          Py_ssize_t n, float a1, float b2, float a2, float step_size, float bc2_sqrt, float eps)
{
    Py_ssize_t h = head_to_line(p, n);
    adam_run(p, g, m, v, h, a1, b2, a2, step_size, bc2_sqrt, eps);
    adam_run(p + h, g + h, m + h, v + h, n - h, a1, b2, a2, step_size, bc2_sqrt, eps);
}

static PyObject *
adam(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *p, *g, *m, *v;
    Py_ssize_t n, ng, nm, nv;
    double a1, b2, a2, step_size, bc2_sqrt, eps;
    if (ember_nargs("adam", nargs, 10) || ember_f32(args[0], &p, &n, EMBER_RW, "p") ||
        ember_f32(args[1], &g, &ng, EMBER_RO, "g") || ember_f32(args[2], &m, &nm, EMBER_RW, "m") ||
        ember_f32(args[3], &v, &nv, EMBER_RW, "v") || ember_double(args[4], &a1) ||
        ember_double(args[5], &b2) || ember_double(args[6], &a2) ||
        ember_double(args[7], &step_size) || ember_double(args[8], &bc2_sqrt) ||
        ember_double(args[9], &eps))
        return NULL;
    if (ng < n || nm < n || nv < n)
        return PyErr_Format(PyExc_ValueError, "adam: state shorter than the parameter");
    Py_BEGIN_ALLOW_THREADS
    adam_loop(p, g, m, v, n, (float)a1, (float)b2, (float)a2, (float)step_size, (float)bc2_sqrt,
              (float)eps);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ---------------------------------------------------------------------- sgd_momentum */

static inline void
sgd_momentum_run(float *restrict p, const float *restrict g, float *restrict buf, Py_ssize_t n,
                 float lr, float momentum, float damp1, float wd, int nesterov, int maximize)
{
    /* torch.optim.SGD with its buffer started: d = (-g if maximize else g) + wd * p;
     * buf = momentum * buf + (1 - dampening) * d; p -= lr * (d + momentum * buf if nesterov
     * else buf). Four vectors per step: a few % faster at 65k parameters. */
#pragma GCC unroll 4
    for (Py_ssize_t i = 0; i < n; i++) {
        float pk = p[i];
        float d = maximize ? -g[i] : g[i];
        d = d + wd * pk;
        float b = buf[i] * momentum + damp1 * d;
        buf[i] = b;
        float step = nesterov ? d + momentum * b : b;
        p[i] = pk - lr * step;
    }
}

EMBER_CLONES static void
sgd_momentum_loop(float *restrict p, const float *restrict g, float *restrict buf, Py_ssize_t n,
                  float lr, float momentum, float damp1, float wd, int nesterov, int maximize)
{
    Py_ssize_t h = head_to_line(p, n);
    sgd_momentum_run(p, g, buf, h, lr, momentum, damp1, wd, nesterov, maximize);
    sgd_momentum_run(p + h, g + h, buf + h, n - h, lr, momentum, damp1, wd, nesterov, maximize);
}

static PyObject *
sgd_momentum(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *p, *g, *buf;
    Py_ssize_t n, ng, nb;
    double lr, momentum, damp1, wd;
    int nesterov, maximize;
    if (ember_nargs("sgd_momentum", nargs, 9) || ember_f32(args[0], &p, &n, EMBER_RW, "p") ||
        ember_f32(args[1], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[2], &buf, &nb, EMBER_RW, "buf") || ember_double(args[3], &lr) ||
        ember_double(args[4], &momentum) || ember_double(args[5], &damp1) ||
        ember_double(args[6], &wd) || ember_bool(args[7], &nesterov) ||
        ember_bool(args[8], &maximize))
        return NULL;
    if (ng < n || nb < n)
        return PyErr_Format(PyExc_ValueError, "sgd_momentum: state shorter than the parameter");
    Py_BEGIN_ALLOW_THREADS
    sgd_momentum_loop(p, g, buf, n, (float)lr, (float)momentum, (float)damp1, (float)wd, nesterov,
                      maximize);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------------------- sgd */

static inline void
sgd_run(float *restrict p, const float *restrict g, Py_ssize_t n, float lr, float wd, int maximize)
{
    /* torch.optim.SGD without momentum: p -= lr * ((-g if maximize else g) + wd * p). */
    for (Py_ssize_t i = 0; i < n; i++) {
        float pk = p[i];
        float d = maximize ? -g[i] : g[i];
        p[i] = pk - lr * (d + wd * pk);
    }
}

EMBER_CLONES static void
sgd_loop(float *restrict p, const float *restrict g, Py_ssize_t n, float lr, float wd,
         int maximize)
{
    Py_ssize_t h = head_to_line(p, n);
    sgd_run(p, g, h, lr, wd, maximize);
    sgd_run(p + h, g + h, n - h, lr, wd, maximize);
}

static PyObject *
sgd(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *p, *g;
    Py_ssize_t n, ng;
    double lr, wd;
    int maximize;
    if (ember_nargs("sgd", nargs, 5) || ember_f32(args[0], &p, &n, EMBER_RW, "p") ||
        ember_f32(args[1], &g, &ng, EMBER_RO, "g") || ember_double(args[2], &lr) ||
        ember_double(args[3], &wd) || ember_bool(args[4], &maximize))
        return NULL;
    if (ng < n)
        return PyErr_Format(PyExc_ValueError, "sgd: gradient shorter than the parameter");
    Py_BEGIN_ALLOW_THREADS
    sgd_loop(p, g, n, (float)lr, (float)wd, maximize);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------- shape arguments */

/* args[0..n) as ints in [0, max]; a small max keeps the index arithmetic of a loop from
 * overflowing whatever the caller passes. */
static int
size_args(const char *name, PyObject *const *args, int n, Py_ssize_t max, Py_ssize_t *v)
{
    for (int i = 0; i < n; i++) {
        if (ember_ssize(args[i], &v[i]))
            return -1;
        if (v[i] < 0 || v[i] > max) {
            PyErr_Format(PyExc_ValueError, "%s: size %zd outside [0, %zd]", name, v[i], max);
            return -1;
        }
    }
    return 0;
}

static int
check_len(const char *name, const char *what, Py_ssize_t have, Py_ssize_t need)
{
    if (need >= 0 && have >= need)
        return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s shorter than its sizes imply", name, what);
    return -1;
}

/* ------------------------------------------------------------------ im2col / col2im */

/* A 2-D convolution's geometry over `planes` (N*C) planes, in the kernels' argument order.
 * Padding is implicit: window positions outside the plane read 0 / are dropped. */
typedef struct {
    Py_ssize_t planes, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw;
} geo2d;

static int
geo2d_args(const char *name, PyObject *const *args, geo2d *g)
{
    Py_ssize_t v[13];
    if (size_args(name, args, 13, INT32_MAX, v))
        return -1;
    *g = (geo2d){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]};
    if (g->sh < 1 || g->sw < 1 || g->dh < 1 || g->dw < 1) {
        PyErr_Format(PyExc_ValueError, "%s: strides and dilations must be >= 1", name);
        return -1;
    }
    return 0;
}

/* Output columns ox in [*lo, *hi) whose input column xo + ox * s lies inside [0, w). */
static inline void
span(Py_ssize_t xo, Py_ssize_t s, Py_ssize_t w, Py_ssize_t ow, Py_ssize_t *lo, Py_ssize_t *hi)
{
    Py_ssize_t a = xo >= 0 ? 0 : (s - 1 - xo) / s;
    Py_ssize_t b = w - 1 - xo < 0 ? 0 : (w - 1 - xo) / s + 1;
    a = a < ow ? a : ow;
    b = b < a ? a : b < ow ? b : ow;
    *lo = a;
    *hi = b;
}

EMBER_CLONES static void
im2col_loop(const float *restrict x, float *restrict out, geo2d g)
{
    for (Py_ssize_t p = 0; p < g.planes; p++) {
        const float *xp = x + p * g.h * g.w;
        for (Py_ssize_t i = 0; i < g.kh; i++)
            for (Py_ssize_t j = 0; j < g.kw; j++) {
                Py_ssize_t xo = j * g.dw - g.pw, lo, hi;
                span(xo, g.sw, g.w, g.ow, &lo, &hi);
                for (Py_ssize_t oy = 0; oy < g.oh; oy++, out += g.ow) {
                    Py_ssize_t iy = oy * g.sh - g.ph + i * g.dh;
                    if (iy < 0 || iy >= g.h) {
                        for (Py_ssize_t ox = 0; ox < g.ow; ox++)
                            out[ox] = 0.0f;
                        continue;
                    }
                    const float *row = xp + iy * g.w;
                    for (Py_ssize_t ox = 0; ox < lo; ox++)
                        out[ox] = 0.0f;
                    if (g.sw == 1)
                        for (Py_ssize_t ox = lo; ox < hi; ox++)
                            out[ox] = row[xo + ox];
                    else
                        for (Py_ssize_t ox = lo; ox < hi; ox++)
                            out[ox] = row[xo + ox * g.sw];
                    for (Py_ssize_t ox = hi; ox < g.ow; ox++)
                        out[ox] = 0.0f;
                }
            }
    }
}

EMBER_CLONES static void
col2im_loop(const float *restrict cols, float *restrict out, geo2d g)
{
    for (Py_ssize_t p = 0; p < g.planes; p++) {
        float *op = out + p * g.h * g.w;
        for (Py_ssize_t q = 0; q < g.h * g.w; q++)
            op[q] = 0.0f;
        for (Py_ssize_t i = 0; i < g.kh; i++)
            for (Py_ssize_t j = 0; j < g.kw; j++) {
                Py_ssize_t xo = j * g.dw - g.pw, lo, hi;
                span(xo, g.sw, g.w, g.ow, &lo, &hi);
                for (Py_ssize_t oy = 0; oy < g.oh; oy++, cols += g.ow) {
                    Py_ssize_t iy = oy * g.sh - g.ph + i * g.dh;
                    if (iy < 0 || iy >= g.h)
                        continue;
                    float *row = op + iy * g.w;
                    if (g.sw == 1)
                        for (Py_ssize_t ox = lo; ox < hi; ox++)
                            row[xo + ox] += cols[ox];
                    else
                        for (Py_ssize_t ox = lo; ox < hi; ox++)
                            row[xo + ox * g.sw] += cols[ox];
                }
            }
    }
}

/* Both take (src, dst, planes, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw); the columns are
 * (planes, kh, kw, oh, ow), the image (planes, h, w). */
static PyObject *
im2col_or_col2im(const char *name, PyObject *const *args, Py_ssize_t nargs, int to_cols)
{
    float *src, *dst;
    Py_ssize_t ns, nd;
    geo2d g;
    if (ember_nargs(name, nargs, 15) || ember_f32(args[0], &src, &ns, EMBER_RO, "source") ||
        ember_f32(args[1], &dst, &nd, EMBER_RW, "out") || geo2d_args(name, args + 2, &g))
        return NULL;
    Py_ssize_t image = size_mul(size_mul(g.planes, g.h), g.w);
    Py_ssize_t cols = size_mul(size_mul(size_mul(size_mul(g.planes, g.kh), g.kw), g.oh), g.ow);
    if (check_len(name, "source", ns, to_cols ? image : cols) ||
        check_len(name, "out", nd, to_cols ? cols : image))
        return NULL;
    if (cols == 0) /* no windows: skip the kernel offsets, however many they are */
        g.kh = 0;
    Py_BEGIN_ALLOW_THREADS
    if (to_cols)
        im2col_loop(src, dst, g);
    else
        col2im_loop(src, dst, g);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *
im2col2d(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return im2col_or_col2im("im2col2d", args, nargs, 1);
}

static PyObject *
col2im2d(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    return im2col_or_col2im("col2im2d", args, nargs, 0);
}

/* ------------------------------------------------------------------ 2x2 max pooling */

/* Pooled rows are short (7 to 16 outputs in the small CNNs), too short for a vector loop
 * over a row: GCC's scalar remainder branches on every compare (10x slower on random data).
 * So a row is covered by blocks of a constant width b (16, 8 or 4, the widest that fits),
 * each one vector step; the last block is shifted left to end at the row's end, recomputing
 * its overlap to the same values. */

/* One block: PyTorch's rule, branch-free: a later element wins when it is greater or NaN,
 * so ties keep the first and a NaN propagates. arg is the winner's offset i * 2 + j, kept as
 * int32 until the block ends so that the floats, not the bytes, set the vector width. */
static inline void
pool_block(const float *restrict r0, const float *restrict r1, float *restrict y,
           uint8_t *restrict arg, Py_ssize_t b)
{
    int32_t kk[16];
#pragma omp simd safelen(16)
    for (Py_ssize_t ox = 0; ox < b; ox++) {
        float best = r0[2 * ox], v = r0[2 * ox + 1];
        int32_t k = 0, t = (v > best) | (v != v);
        best = t ? v : best;
        k = t ? 1 : k;
        v = r1[2 * ox];
        t = (v > best) | (v != v);
        best = t ? v : best;
        k = t ? 2 : k;
        v = r1[2 * ox + 1];
        t = (v > best) | (v != v);
        best = t ? v : best;
        k = t ? 3 : k;
        y[ox] = best;
        kk[ox] = k;
    }
    for (Py_ssize_t ox = 0; ox < b; ox++)
        arg[ox] = (uint8_t)kk[ox];
}

static inline void
pool_row(const float *r0, const float *r1, float *y, uint8_t *arg, Py_ssize_t ow, Py_ssize_t b)
{
    for (Py_ssize_t ox = 0;; ox += b) {
        ox = ox + b <= ow ? ox : ow - b;
        pool_block(r0 + 2 * ox, r1 + 2 * ox, y + ox, arg + ox, b);
        if (ox + b == ow)
            break;
    }
}

static inline void
pool_rows(const float *x, float *y, uint8_t *arg, Py_ssize_t planes, Py_ssize_t h, Py_ssize_t w,
          Py_ssize_t oh, Py_ssize_t ow, Py_ssize_t b)
{
    for (Py_ssize_t p = 0; p < planes; p++)
        for (Py_ssize_t oy = 0; oy < oh; oy++) {
            const float *r0 = x + (p * h + 2 * oy) * w;
            Py_ssize_t o = (p * oh + oy) * ow;
            pool_row(r0, r0 + w, y + o, arg + o, ow, b);
        }
}

EMBER_CLONES static void
maxpool2x2_loop(const float *restrict x, float *restrict y, uint8_t *restrict arg,
                Py_ssize_t planes, Py_ssize_t h, Py_ssize_t w, Py_ssize_t oh, Py_ssize_t ow)
{
    /* one copy of the loops per block width, so that each block's width is a constant */
    if (ow >= 16)
        pool_rows(x, y, arg, planes, h, w, oh, ow, 16);
    else if (ow >= 8)
        pool_rows(x, y, arg, planes, h, w, oh, ow, 8);
    else if (ow >= 4)
        pool_rows(x, y, arg, planes, h, w, oh, ow, 4);
    else
        pool_rows(x, y, arg, planes, h, w, oh, ow, ow);
}

static PyObject *
maxpool2x2(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x, *y;
    uint8_t *arg;
    Py_ssize_t nx, ny, na, v[5];
    if (ember_nargs("maxpool2x2", nargs, 8) || ember_f32(args[0], &x, &nx, EMBER_RO, "x") ||
        ember_f32(args[1], &y, &ny, EMBER_RW, "y") ||
        ember_buffer(args[2], (void **)&arg, &na, 'B', 1, EMBER_RW, "arg") ||
        size_args("maxpool2x2", args + 3, 5, PY_SSIZE_T_MAX, v))
        return NULL;
    Py_ssize_t planes = v[0], h = v[1], w = v[2], oh = v[3], ow = v[4];
    if (oh > h / 2 || ow > w / 2)
        return PyErr_Format(PyExc_ValueError, "maxpool2x2: output larger than the input allows");
    Py_ssize_t out = size_mul(size_mul(planes, oh), ow);
    if (check_len("maxpool2x2", "x", nx, size_mul(size_mul(planes, h), w)) ||
        check_len("maxpool2x2", "y", ny, out) || check_len("maxpool2x2", "arg", na, out))
        return NULL;
    if (out == 0) /* nothing to write: skip the rows, however many they are */
        Py_RETURN_NONE;
    Py_BEGIN_ALLOW_THREADS
    maxpool2x2_loop(x, y, arg, planes, h, w, oh, ow);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* One block of the gradient: g routed to each window's winner, zeros elsewhere. Masking
 * the bits of g (not g * mask) keeps a NaN or inf gradient out of the other three places. */
static inline void
unpool_block(const float *restrict g, const uint8_t *restrict arg, float *restrict r0,
             float *restrict r1, Py_ssize_t b)
{
#pragma omp simd safelen(16)
    for (Py_ssize_t ox = 0; ox < b; ox++) {
        uint32_t gv, k = arg[ox], q[4];
        memcpy(&gv, &g[ox], 4);
        for (uint32_t j = 0; j < 4; j++)
            q[j] = gv & -(uint32_t)(k == j);
        memcpy(&r0[2 * ox], &q[0], 8);
        memcpy(&r1[2 * ox], &q[2], 8);
    }
}

static inline void
unpool_row(const float *g, const uint8_t *arg, float *r0, float *r1, Py_ssize_t ow, Py_ssize_t b)
{
    for (Py_ssize_t ox = 0;; ox += b) {
        ox = ox + b <= ow ? ox : ow - b;
        unpool_block(g + ox, arg + ox, r0 + 2 * ox, r1 + 2 * ox, b);
        if (ox + b == ow)
            break;
    }
}

static inline void
unpool_rows(const float *g, const uint8_t *arg, float *out, Py_ssize_t planes, Py_ssize_t h,
            Py_ssize_t w, Py_ssize_t oh, Py_ssize_t ow, Py_ssize_t b)
{
    /* An odd last row or column belongs to no window: zeros. */
    for (Py_ssize_t p = 0; p < planes; p++) {
        float *op = out + p * h * w;
        for (Py_ssize_t oy = 0; oy < oh; oy++) {
            Py_ssize_t o = (p * oh + oy) * ow;
            float *r0 = op + 2 * oy * w, *r1 = r0 + w;
            unpool_row(g + o, arg + o, r0, r1, ow, b);
            for (Py_ssize_t ix = 2 * ow; ix < w; ix++) {
                r0[ix] = 0.0f;
                r1[ix] = 0.0f;
            }
        }
        for (Py_ssize_t q = 2 * oh * w; q < h * w; q++)
            op[q] = 0.0f;
    }
}

EMBER_CLONES static void
maxpool2x2_grad_loop(const float *restrict g, const uint8_t *restrict arg, float *restrict out,
                     Py_ssize_t planes, Py_ssize_t h, Py_ssize_t w, Py_ssize_t oh, Py_ssize_t ow)
{
    /* Blocks of 8 measured slower than blocks of 4 here. */
    if (ow >= 16)
        unpool_rows(g, arg, out, planes, h, w, oh, ow, 16);
    else if (ow >= 4)
        unpool_rows(g, arg, out, planes, h, w, oh, ow, 4);
    else
        unpool_rows(g, arg, out, planes, h, w, oh, ow, ow);
}

static PyObject *
maxpool2x2_grad(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *out;
    uint8_t *arg;
    Py_ssize_t ng, na, no, v[5];
    if (ember_nargs("maxpool2x2_grad", nargs, 8) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_buffer(args[1], (void **)&arg, &na, 'B', 1, EMBER_RO, "arg") ||
        ember_f32(args[2], &out, &no, EMBER_RW, "out") ||
        size_args("maxpool2x2_grad", args + 3, 5, PY_SSIZE_T_MAX, v))
        return NULL;
    Py_ssize_t planes = v[0], h = v[1], w = v[2], oh = v[3], ow = v[4];
    if (oh > h / 2 || ow > w / 2)
        return PyErr_Format(PyExc_ValueError,
                            "maxpool2x2_grad: output larger than the input allows");
    Py_ssize_t n = size_mul(size_mul(planes, oh), ow), image = size_mul(size_mul(planes, h), w);
    if (check_len("maxpool2x2_grad", "g", ng, n) || check_len("maxpool2x2_grad", "arg", na, n) ||
        check_len("maxpool2x2_grad", "out", no, image))
        return NULL;
    if (image == 0) /* nothing to write: skip the rows, however many they are */
        Py_RETURN_NONE;
    Py_BEGIN_ALLOW_THREADS
    maxpool2x2_grad_loop(g, arg, out, planes, h, w, oh, ow);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ----------------------------------------------------------------------- batch norm */

/* The sizes n, c, l of a batch-norm kernel, checked against x (n, c, l). */
static int
bn_sizes(const char *name, PyObject *const *args, Py_ssize_t nx, Py_ssize_t *n, Py_ssize_t *c,
         Py_ssize_t *l)
{
    Py_ssize_t v[3];
    if (size_args(name, args, 3, PY_SSIZE_T_MAX, v))
        return -1;
    Py_ssize_t count = size_mul(size_mul(v[0], v[1]), v[2]);
    if (check_len(name, "x", nx, count))
        return -1;
    /* an empty x: visit no rows, however many the other sizes name */
    *n = count ? v[0] : 0;
    *c = v[1];
    *l = v[2];
    return 0;
}

/* The float64 sums run in LANES partial sums, one per position modulo LANES, carried across
 * all the rows of a channel and added up once at its end: the compiler keeps them in vector
 * registers (several independent accumulators), where a reduction per row would spend most
 * of a short row (64 floats at 8x8) folding its vector. */
#define LANES 32

/* A channel's rows lie c * l floats apart: each row starts on a page the hardware prefetcher
 * has not seen, so the sums fetch the next row of the channel while they read this one
 * (bn_grad_sums measured 10-25% faster). */
#if defined(__GNUC__)
#define PREFETCH_ROW(p, k)                                                                  \
    (__builtin_prefetch((p) + (k)), __builtin_prefetch((p) + (k) + LANES / 2))
#else
#define PREFETCH_ROW(p, k) ((void)0)
#endif

EMBER_CLONES static void
bn_stats_loop(const float *restrict x, Py_ssize_t n, Py_ssize_t c, Py_ssize_t l,
              double *restrict mean, double *restrict var)
{
    /* Two passes: the variance of the centred values, no cancellation. */
    double m = (double)n * (double)l;
    for (Py_ssize_t ch = 0; ch < c; ch++) {
        double acc[LANES] = {0}, s = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) {
            const float *xi = x + (i * c + ch) * l, *next = i + 1 < n ? xi + c * l : xi;
            Py_ssize_t k = 0;
            for (; k + LANES <= l; k += LANES) {
                PREFETCH_ROW(next, k);
                for (int j = 0; j < LANES; j++)
                    acc[j] += xi[k + j];
            }
            for (; k < l; k++)
                s += xi[k];
        }
        for (int j = 0; j < LANES; j++)
            s += acc[j];
        double mu = s / m, acc2[LANES] = {0}, s2 = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) {
            const float *xi = x + (i * c + ch) * l, *next = i + 1 < n ? xi + c * l : xi;
            Py_ssize_t k = 0;
            for (; k + LANES <= l; k += LANES) {
                PREFETCH_ROW(next, k);
                for (int j = 0; j < LANES; j++) {
                    double d = xi[k + j] - mu;
                    acc2[j] += d * d;
                }
            }
            for (; k < l; k++) {
                double d = xi[k] - mu;
                s2 += d * d;
            }
        }
        for (int j = 0; j < LANES; j++)
            s2 += acc2[j];
        mean[ch] = mu;
        var[ch] = s2 / m;
    }
}

static PyObject *
bn_stats(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x;
    double *mean, *var;
    Py_ssize_t nx, nm, nv, n, c, l;
    if (ember_nargs("bn_stats", nargs, 6) || ember_f32(args[0], &x, &nx, EMBER_RO, "x") ||
        bn_sizes("bn_stats", args + 1, nx, &n, &c, &l) ||
        ember_buffer(args[4], (void **)&mean, &nm, 'd', 8, EMBER_RW, "mean") ||
        ember_buffer(args[5], (void **)&var, &nv, 'd', 8, EMBER_RW, "var") ||
        check_len("bn_stats", "mean", nm, c) || check_len("bn_stats", "var", nv, c))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    bn_stats_loop(x, n, c, l, mean, var);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

EMBER_CLONES static void
bn_apply_loop(const float *restrict x, Py_ssize_t n, Py_ssize_t c, Py_ssize_t l,
              const float *restrict shift, const float *restrict scale,
              const float *restrict bias, float *restrict y)
{
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t ch = 0; ch < c; ch++) {
            float sh = shift[ch], sc = scale[ch], bi = bias[ch];
            Py_ssize_t b = (i * c + ch) * l;
            for (Py_ssize_t k = b; k < b + l; k++)
                y[k] = (x[k] - sh) * sc + bi;
        }
}

static PyObject *
bn_apply(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x, *shift, *scale, *bias, *y;
    Py_ssize_t nx, n1, n2, n3, ny, n, c, l;
    if (ember_nargs("bn_apply", nargs, 8) || ember_f32(args[0], &x, &nx, EMBER_RO, "x") ||
        bn_sizes("bn_apply", args + 1, nx, &n, &c, &l) ||
        ember_f32(args[4], &shift, &n1, EMBER_RO, "shift") ||
        ember_f32(args[5], &scale, &n2, EMBER_RO, "scale") ||
        ember_f32(args[6], &bias, &n3, EMBER_RO, "bias") ||
        ember_f32(args[7], &y, &ny, EMBER_RW, "y") || check_len("bn_apply", "shift", n1, c) ||
        check_len("bn_apply", "scale", n2, c) || check_len("bn_apply", "bias", n3, c) ||
        check_len("bn_apply", "y", ny, n * c * l))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    bn_apply_loop(x, n, c, l, shift, scale, bias, y);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

EMBER_CLONES static void
bn_grad_sums_loop(const float *restrict g, const float *restrict x, Py_ssize_t n, Py_ssize_t c,
                  Py_ssize_t l, const float *restrict mean, double *restrict sum_g,
                  double *restrict sum_gx)
{
    /* Products and sums in float64 (converting g once serves both sums). */
    for (Py_ssize_t ch = 0; ch < c; ch++) {
        double mu = mean[ch], a[LANES] = {0}, b[LANES] = {0}, s = 0.0, s2 = 0.0;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t o = (i * c + ch) * l, k = 0, next = i + 1 < n ? c * l : 0;
            const float *gi = g + o, *xi = x + o;
            for (; k + LANES <= l; k += LANES) {
                PREFETCH_ROW(gi + next, k);
                PREFETCH_ROW(xi + next, k);
                for (int j = 0; j < LANES; j++) {
                    double gk = gi[k + j];
                    a[j] += gk;
                    b[j] += gk * (xi[k + j] - mu);
                }
            }
            for (; k < l; k++) {
                double gk = gi[k];
                s += gk;
                s2 += gk * (xi[k] - mu);
            }
        }
        for (int j = 0; j < LANES; j++) {
            s += a[j];
            s2 += b[j];
        }
        sum_g[ch] = s;
        sum_gx[ch] = s2;
    }
}

static PyObject *
bn_grad_sums(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *x, *mean;
    double *sum_g, *sum_gx;
    Py_ssize_t ng, nx, nm, n1, n2, n, c, l;
    if (ember_nargs("bn_grad_sums", nargs, 8) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[1], &x, &nx, EMBER_RO, "x") ||
        bn_sizes("bn_grad_sums", args + 2, nx, &n, &c, &l) ||
        ember_f32(args[5], &mean, &nm, EMBER_RO, "mean") ||
        ember_buffer(args[6], (void **)&sum_g, &n1, 'd', 8, EMBER_RW, "sum_g") ||
        ember_buffer(args[7], (void **)&sum_gx, &n2, 'd', 8, EMBER_RW, "sum_gx") ||
        check_len("bn_grad_sums", "g", ng, n * c * l) || check_len("bn_grad_sums", "mean", nm, c) ||
        check_len("bn_grad_sums", "sum_g", n1, c) || check_len("bn_grad_sums", "sum_gx", n2, c))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    bn_grad_sums_loop(g, x, n, c, l, mean, sum_g, sum_gx);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

EMBER_CLONES static void
bn_grad_input_loop(const float *restrict g, const float *restrict x, Py_ssize_t n, Py_ssize_t c,
                   Py_ssize_t l, const float *restrict mean, const float *restrict k1,
                   const float *restrict k2, const float *restrict k3, float *restrict out)
{
    for (Py_ssize_t i = 0; i < n; i++)
        for (Py_ssize_t ch = 0; ch < c; ch++) {
            float mu = mean[ch], a = k1[ch], b = k2[ch], d = k3[ch];
            Py_ssize_t o = (i * c + ch) * l;
            for (Py_ssize_t k = o; k < o + l; k++)
                out[k] = g[k] * a - (x[k] - mu) * b - d;
        }
}

static PyObject *
bn_grad_input(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *x, *mean, *k1, *k2, *k3, *out;
    Py_ssize_t ng, nx, nm, n1, n2, n3, no, n, c, l;
    if (ember_nargs("bn_grad_input", nargs, 10) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[1], &x, &nx, EMBER_RO, "x") ||
        bn_sizes("bn_grad_input", args + 2, nx, &n, &c, &l) ||
        ember_f32(args[5], &mean, &nm, EMBER_RO, "mean") ||
        ember_f32(args[6], &k1, &n1, EMBER_RO, "k1") ||
        ember_f32(args[7], &k2, &n2, EMBER_RO, "k2") ||
        ember_f32(args[8], &k3, &n3, EMBER_RO, "k3") ||
        ember_f32(args[9], &out, &no, EMBER_RW, "out") ||
        check_len("bn_grad_input", "g", ng, n * c * l) ||
        check_len("bn_grad_input", "mean", nm, c) || check_len("bn_grad_input", "k1", n1, c) ||
        check_len("bn_grad_input", "k2", n2, c) || check_len("bn_grad_input", "k3", n3, c) ||
        check_len("bn_grad_input", "out", no, n * c * l))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    bn_grad_input_loop(g, x, n, c, l, mean, k1, k2, k3, out);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"relu_grad", (PyCFunction)(void (*)(void))relu_grad, METH_FASTCALL,
     "relu_grad(g, y, out): out = 0 where y <= 0, else g."},
    {"tanh_grad", (PyCFunction)(void (*)(void))tanh_grad, METH_FASTCALL,
     "tanh_grad(g, y, out): out = g * (1 - y * y), tanh's gradient from its output y."},
    {"sigmoid_grad", (PyCFunction)(void (*)(void))sigmoid_grad, METH_FASTCALL,
     "sigmoid_grad(g, y, out): out = g * (1 - y) * y, sigmoid's gradient from its output y."},
    {"adam", (PyCFunction)(void (*)(void))adam, METH_FASTCALL,
     "adam(p, g, m, v, a1, b2, a2, step_size, bc2_sqrt, eps): one Adam update in place."},
    {"sgd_momentum", (PyCFunction)(void (*)(void))sgd_momentum, METH_FASTCALL,
     "sgd_momentum(p, g, buf, lr, momentum, damp1, wd, nesterov, maximize): one SGD update\n"
     "with momentum in place (buffer already started)."},
    {"sgd", (PyCFunction)(void (*)(void))sgd, METH_FASTCALL,
     "sgd(p, g, lr, wd, maximize): one SGD update without momentum in place."},
    {"im2col2d", (PyCFunction)(void (*)(void))im2col2d, METH_FASTCALL,
     "im2col2d(x, out, planes, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw): out (planes,\n"
     "kh, kw, oh, ow) <- windows of x (planes, h, w) zero-padded by (ph, pw)."},
    {"col2im2d", (PyCFunction)(void (*)(void))col2im2d, METH_FASTCALL,
     "col2im2d(cols, out, planes, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw): out (planes,\n"
     "h, w) <- columns summed at their window positions (the adjoint of im2col2d)."},
    {"maxpool2x2", (PyCFunction)(void (*)(void))maxpool2x2, METH_FASTCALL,
     "maxpool2x2(x, y, arg, planes, h, w, oh, ow): 2x2 / stride 2 max pooling; arg (uint8)\n"
     "is the winner's offset i * 2 + j."},
    {"maxpool2x2_grad", (PyCFunction)(void (*)(void))maxpool2x2_grad, METH_FASTCALL,
     "maxpool2x2_grad(g, arg, out, planes, h, w, oh, ow): out (planes, h, w) <- g routed to\n"
     "each window's winner, zeros elsewhere."},
    {"bn_stats", (PyCFunction)(void (*)(void))bn_stats, METH_FASTCALL,
     "bn_stats(x, n, c, l, mean, var): per-channel mean and biased variance of x (n, c, l)\n"
     "into float64 arrays."},
    {"bn_apply", (PyCFunction)(void (*)(void))bn_apply, METH_FASTCALL,
     "bn_apply(x, n, c, l, shift, scale, bias, y): y = (x - shift[c]) * scale[c] + bias[c]."},
    {"bn_grad_sums", (PyCFunction)(void (*)(void))bn_grad_sums, METH_FASTCALL,
     "bn_grad_sums(g, x, n, c, l, mean, sum_g, sum_gx): per channel, sum of g and of\n"
     "g * (x - mean) into float64 arrays."},
    {"bn_grad_input", (PyCFunction)(void (*)(void))bn_grad_input, METH_FASTCALL,
     "bn_grad_input(g, x, n, c, l, mean, k1, k2, k3, out): out = g * k1[c] - (x - mean[c]) *\n"
     "k2[c] - k3[c], batch norm's input gradient."},
    {NULL, NULL, 0, NULL},
};

EMBER_MODULE(_native_impl, methods, "Image-model and optimizer kernels (float32, serial).")
