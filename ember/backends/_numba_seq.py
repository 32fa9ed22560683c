"""numba kernels for the sequence models' elementwise work (imported only when numba is wanted).

GELU forward and backward in one pass over memory each. The erf inside is the same float32
rational form as ``special.erf_chunk`` (Eigen's / XLA's), written as scalar arithmetic so LLVM
vectorises it; the backward's ``exp`` comes from NumPy (SIMD) because numba's own ``exp`` is a
scalar libm call without SVML. Also the LSTM cell of one time step and layer norm over rows.
Arrays arrive flat, C-contiguous, float32; the kernels are serial (see _jit).
"""
import numba as nb
import numpy as np

U = np.uint64
f32 = np.float32
# Serial kernels: they are memory-bound (a parallel split gains little on 2 cores), and
# numba's default OpenMP pool keeps spinning after a parallel region, taking the cores from
# OpenBLAS's threads in the GEMMs that follow.
_jit = dict(cache=True, nogil=True, fastmath={"contract"}, error_model="numpy")
CHUNK = 16384

P0, P1, P2, P3, P4, P5, P6 = (f32(-2.72614225801306e-10), f32(2.77068142495902e-08),
                              f32(-2.10102402082508e-06), f32(-5.69250639462346e-05),
                              f32(-7.34990630326855e-04), f32(-2.95459980854025e-03),
                              f32(-1.60960333262415e-02))
Q0, Q1, Q2, Q3, Q4 = (f32(-1.45660718464996e-05), f32(-2.13374055278905e-04),
                      f32(-1.68282697438203e-03), f32(-7.37332916720468e-03),
                      f32(-1.42647390514189e-02))
LIM = f32(4.0)
NLIM = f32(-4.0)
HALF = f32(0.5)
ONE = f32(1.0)
RSQRT2 = f32(0.7071067811865476)
RSQRT2PI = f32(0.3989422804014327)


@nb.njit(inline="always")
def _erf(x):
    x = min(max(x, NLIM), LIM)
    x2 = x * x
    p = ((((((P0 * x2 + P1) * x2 + P2) * x2 + P3) * x2 + P4) * x2 + P5) * x2 + P6) * x
    q = (((Q0 * x2 + Q1) * x2 + Q2) * x2 + Q3) * x2 + Q4
    return min(max(p / q, -ONE), ONE)  # the rational form overshoots 1 by up to 4e-7


@nb.njit(**_jit)
def gelu_fwd(x, out):
    """out = 0.5 * x * (1 + erf(x / sqrt 2))."""
    n = x.size
    for c in range((n + CHUNK - 1) // CHUNK):
        for k in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            i = U(k)
            v = x[i]
            out[i] = HALF * v * (ONE + _erf(v * RSQRT2))


@nb.njit(**_jit)
def gelu_bwd(x, g, eo):
    """eo = g * (0.5 * (1 + erf(x / sqrt 2)) + x * eo / sqrt(2 pi)); eo holds exp(-x^2 / 2)
    on entry (one in/out array: a separate aliasing output would stop vectorisation)."""
    n = x.size
    for c in range((n + CHUNK - 1) // CHUNK):
        for k in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            i = U(k)
            v = x[i]
            eo[i] = g[i] * (HALF * (ONE + _erf(v * RSQRT2)) + v * eo[i] * RSQRT2PI)


# ---------------------------------------------------------------- LSTM cell, one time step
# tanh(x) as the float32 rational form Eigen uses (max error 4e-7 absolute), so the loops
# vectorise: numba's math.tanh is a scalar libm call without SVML.
T1, T3, T5, T7, T9, T11, T13 = (f32(4.89352455891786e-03), f32(6.37261928875436e-04),
                                f32(1.48572235717979e-05), f32(5.12229709037114e-08),
                                f32(-8.60467152213735e-11), f32(2.00018790482477e-13),
                                f32(-2.76076847742355e-16))
D0, D2, D4, D6 = (f32(4.89352518554385e-03), f32(2.26843463243900e-03),
                  f32(1.18534705686654e-04), f32(1.19825839466702e-06))
TLIM = f32(7.90531110763549805)
NTLIM = f32(-7.90531110763549805)
_cell = dict(cache=True, nogil=True, fastmath={"contract"}, error_model="numpy")


@nb.njit(inline="always")
def _tanh(x):
    x = min(max(x, NTLIM), TLIM)
    x2 = x * x
    p = ((((((T13 * x2 + T11) * x2 + T9) * x2 + T7) * x2 + T5) * x2 + T3) * x2 + T1) * x
    q = ((D6 * x2 + D4) * x2 + D2) * x2 + D0
    return p / q


@nb.njit(**_cell)
def lstm_cell_fwd(g, pr, sc, cp, c, tc, h, rows, hid):
    """One LSTM step on flat (rows, 4H) / (rows, H) float32 arrays.

    g: h_prev @ W_hh^T with the i, f, o columns pre-halved; overwritten by the gate values
    [i, f, g, o]. pr: that step's input projection (halved likewise). sc: 0.5 on the i, f, o
    columns, 1 on g (sigmoid(z) = 0.5 + 0.5 tanh(z / 2)). Writes c, tanh(c), h = o tanh(c).
    """
    for k in range(rows * 4 * hid):     # all four gates in one vectorised sweep
        kk = U(k)
        s = sc[kk]
        g[kk] = _tanh(g[kk] + pr[kk]) * s + (ONE - s)
    for b in range(rows):
        base = U(b * 4 * hid)
        hb = U(b * hid)
        for j in range(hid):
            k = base + U(j)
            m = hb + U(j)
            cn = g[k + U(hid)] * cp[m] + g[k] * g[k + U(2 * hid)]
            c[m] = cn
            t = _tanh(cn)
            tc[m] = t
            h[m] = g[k + U(3 * hid)] * t


@nb.njit(**_cell)
def lstm_cell_bwd(g, tc, cp, dh, go, dc, dg, rows, hid):
    """Backward of one LSTM step: dg (rows, 4H) pre-activation gate gradients from the gate
    values g, tanh(c) tc, c_prev cp and the incoming dh + go (hidden) and dc (cell, updated in
    place to the gradient for c_prev)."""
    for b in range(rows):
        base = U(b * 4 * hid)
        hb = U(b * hid)
        for j in range(hid):
            k = base + U(j)
            m = hb + U(j)
            o = g[k + U(3 * hid)]
            t = tc[m]
            dhv = dh[m] + go[m]
            dcv = dc[m] + dhv * o * (ONE - t * t)
            i = g[k]
            f = g[k + U(hid)]
            gg = g[k + U(2 * hid)]
            dg[k] = dcv * gg * (i - i * i)
            dg[k + U(hid)] = dcv * cp[m] * (f - f * f)
            dg[k + U(2 * hid)] = dcv * i * (ONE - gg * gg)
            dg[k + U(3 * hid)] = dhv * t * (o - o * o)
            dc[m] = dcv * f


# ---------------------------------------------------------------- layer norm over rows
# Row statistics accumulate in float64 (reassociated, i.e. vectorised: the order is harmless
# at that precision); everything else is float32. Rows go in chunks of ROWS (the column sums
# of backward are kept per chunk).
_red = dict(cache=True, nogil=True, fastmath={"reassoc", "contract"}, error_model="numpy")
ROWS = 64


@nb.njit(**_red)
def layer_norm_fwd(x, w, b, y, xhat, rstd, m, n, eps, center, affine, has_bias):
    """Rows of x (m, n): xhat = (x - mean) * rstd, y = xhat * w + b (flat float32 arrays)."""
    for c in range((m + ROWS - 1) // ROWS):
        for r in range(c * ROWS, min(m, (c + 1) * ROWS)):
            base = U(r * n)
            mu = 0.0
            if center:
                for j in range(n):
                    mu += x[base + U(j)]
                mu /= n
            mu32 = f32(mu)
            var = 0.0
            for j in range(n):
                d = f32(x[base + U(j)] - mu32)
                var += d * d
            rs = f32(1.0 / np.sqrt(var / n + eps))
            rstd[U(r)] = rs
            for j in range(n):
                k = base + U(j)
                v = (x[k] - mu32) * rs
                xhat[k] = v
                if affine:
                    v = v * w[U(j)]
                if has_bias:
                    v = v + b[U(j)]
                y[k] = v


@nb.njit(**_red)
def layer_norm_bwd(g, xhat, rstd, w, dx, part_w, part_b, m, n, center, affine, need_dx):
    """dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)), gh = g * w; per-chunk column
    sums of g * xhat and g in part_w / part_b (chunks, n), summed by the caller."""
    chunks = (m + ROWS - 1) // ROWS
    for c in range(chunks):
        pw = part_w[c]
        pb = part_b[c]
        for j in range(n):
            pw[U(j)] = 0
            pb[U(j)] = 0
        for r in range(c * ROWS, min(m, (c + 1) * ROWS)):
            base = U(r * n)
            s1 = 0.0
            s2 = 0.0
            for j in range(n):
                k = base + U(j)
                gv = g[k]
                xv = xhat[k]
                pw[U(j)] += gv * xv
                pb[U(j)] += gv
                gh = gv * w[U(j)] if affine else gv
                s1 += gh
                s2 += gh * xv
            if need_dx:
                a = f32(s1 / n) if center else f32(0.0)
                bb = f32(s2 / n)
                rs = rstd[U(r)]
                for j in range(n):
                    k = base + U(j)
                    gh = g[k] * w[U(j)] if affine else g[k]
                    dx[k] = rs * (gh - a - xhat[k] * bb)
