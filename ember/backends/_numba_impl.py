"""The numba kernels behind numba_kernels.py (imported only when numba is wanted).

Conventions, shared with cpu_kernels.py's NumPy code:
- arrays arrive flat (``ravel`` of C-contiguous float32 arrays) with their shapes as ints;
  indices are computed as uint64: numba's negative-index wraparound check on signed indices
  blocks vectorisation (measured 2-3x slower);
- a column buffer is per sample, ``(N, C, kh, kw, oh, ow)``; padding is implicit (positions
  outside the input read 0 / are dropped);
- max pooling records the winning kernel offset ``i * kw + j`` (uint8) at each output.
Loops marked ``prange`` run over independent planes (or chunks): no two iterations write
one element, so they could be split across threads; they run serial (see ``_jit``).
"""
import numba as nb
import numpy as np

U = np.uint64


# Compiled serial with NumPy's error model. Python's error model checks every float division
# for zero, which blocks vectorisation; with it these loops measured 2-8x slower serial, which
# is why they were once built parallel=True (the parfor lowering uses NumPy's model). But a
# parallel kernel pays ~90 us per call to launch, even on one thread: more than a whole
# Adam update of 65k parameters (13 us serial). ``prange`` is plain ``range`` here; the loops
# keep it to mark that their iterations are independent.
_jit = dict(cache=True, nogil=True, error_model="numpy")


@nb.njit(inline="always")
def _span(xo, s, w, ow):
    """Output columns ox in [lo, hi) whose input column ox * s + xo lies inside [0, w)."""
    lo = 0 if xo >= 0 else (-xo + s - 1) // s
    if w - 1 - xo < 0:
        return ow, ow
    hi = (w - 1 - xo) // s + 1
    lo = min(lo, ow)
    hi = min(max(hi, lo), ow)
    return lo, hi


@nb.njit(**_jit)
def im2col2d(x, out, planes, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw):
    """out (planes, kh, kw, oh, ow) <- windows of x (planes, h, w) zero-padded by (ph, pw)."""
    kl = kh * kw * oh * ow
    for p in nb.prange(planes):
        xb = p * h * w
        o = p * kl
        for i in range(kh):
            for j in range(kw):
                xo = j * dw - pw
                lo, hi = _span(xo, sw, w, ow)
                for oy in range(oh):
                    iy = oy * sh - ph + i * dh
                    if iy < 0 or iy >= h:
                        for ox in range(ow):
                            out[U(o + ox)] = 0
                    else:
                        s = xb + iy * w + xo
                        for ox in range(lo):
                            out[U(o + ox)] = 0
                        if sw == 1:
                            for ox in range(lo, hi):
                                out[U(o + ox)] = x[U(s + ox)]
                        else:
                            for ox in range(lo, hi):
                                out[U(o + ox)] = x[U(s + ox * sw)]
                        for ox in range(hi, ow):
                            out[U(o + ox)] = 0
                    o += ow


@nb.njit(**_jit)
def col2im2d(cols, out, planes, h, w, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw):
    """out (planes, h, w) <- columns (planes, kh, kw, oh, ow) summed at their window
    positions (padding dropped): the adjoint of im2col2d."""
    kl = kh * kw * oh * ow
    for p in nb.prange(planes):
        xb = p * h * w
        for q in range(xb, xb + h * w):
            out[U(q)] = 0
        o = p * kl
        for i in range(kh):
            for j in range(kw):
                xo = j * dw - pw
                lo, hi = _span(xo, sw, w, ow)
                for oy in range(oh):
                    iy = oy * sh - ph + i * dh
                    if 0 <= iy < h:
                        s = xb + iy * w + xo
                        if sw == 1:
                            for ox in range(lo, hi):
                                out[U(s + ox)] += cols[U(o + ox)]
                        else:
                            for ox in range(lo, hi):
                                out[U(s + ox * sw)] += cols[U(o + ox)]
                    o += ow


@nb.njit(**_jit)
def maxpool2x2(x, y, arg, planes, h, w, oh, ow):
    """2x2 windows, stride 2, no padding (the common case): y, arg (planes, oh, ow).

    PyTorch's rule, branch-free: a later element wins when it is greater or NaN, so ties keep
    the first and a NaN propagates."""
    for p in nb.prange(planes):
        xb = p * h * w
        yb = p * oh * ow
        for oy in range(oh):
            r0 = xb + 2 * oy * w
            r1 = r0 + w
            o = yb + oy * ow
            for ox in range(ow):
                best = x[U(r0 + 2 * ox)]
                k = 0
                v = x[U(r0 + 2 * ox + 1)]
                t = (v > best) | (v != v)
                best = v if t else best
                k = 1 if t else k
                v = x[U(r1 + 2 * ox)]
                t = (v > best) | (v != v)
                best = v if t else best
                k = 2 if t else k
                v = x[U(r1 + 2 * ox + 1)]
                t = (v > best) | (v != v)
                best = v if t else best
                k = 3 if t else k
                y[U(o + ox)] = best
                arg[U(o + ox)] = k


@nb.njit(**_jit)
def maxpool2x2_grad(g, arg, out, planes, h, w, oh, ow):
    """out (planes, h, w) <- g routed to each 2x2 window's winner (zeros elsewhere).

    Written row by row over input columns (contiguous stores; 4x faster than four strided
    stores per window)."""
    z = np.float32(0)
    for p in nb.prange(planes):
        xb = p * h * w
        gb = p * oh * ow
        for q in range(xb + 2 * oh * w, xb + h * w):   # odd height: last row unused
            out[U(q)] = 0
        for oy in range(oh):
            r0 = xb + 2 * oy * w
            r1 = r0 + w
            o = gb + oy * ow
            for ix in range(2 * ow):
                q = U(o + (ix >> 1))
                gv = g[q]
                k = arg[q]
                j = ix & 1
                out[U(r0 + ix)] = gv if k == j else z
                out[U(r1 + ix)] = gv if k == j + 2 else z
            if 2 * ow < w:   # odd width: last column unused
                out[U(r0 + w - 1)] = 0
                out[U(r1 + w - 1)] = 0


@nb.njit(**_jit)
def adam(p, g, m, v, a1, b2, a2, step_size, bc2_sqrt, eps):
    """One Adam update of flat float32 arrays, as torch.optim.Adam (single-tensor path):
    m.lerp_(g, a1); v.mul_(b2).addcmul_(g, g, a2); p -= step_size * m / (sqrt(v)/bc2 + eps)."""
    for k in range(p.size):
        i = U(k)
        gk = g[i]
        mk = m[i]
        mk = mk + a1 * (gk - mk)
        vk = v[i] * b2 + a2 * (gk * gk)
        m[i] = mk
        v[i] = vk
        p[i] -= step_size * (mk / (np.sqrt(vk) / bc2_sqrt + eps))


@nb.njit(**_jit)
def relu_grad(g, y, out):
    """out = 0 where y <= 0, else g (torch's threshold_backward: a NaN or inf gradient does
    not leak through a closed unit, as g * (y > 0) would let it)."""
    z = np.float32(0)
    for k in range(out.size):
        i = U(k)
        out[i] = z if y[i] <= 0 else g[i]


@nb.njit(**_jit)
def sgd_momentum(p, g, buf, lr, momentum, damp1, wd, nesterov, maximize):
    """One SGD-with-momentum update of flat float32 arrays (buffer already started), as
    torch.optim.SGD: d = (-g if maximize else g) + wd * p; buf = momentum * buf + damp1 * d;
    p -= lr * (d + momentum * buf if nesterov else buf)."""
    for k in range(p.size):
        i = U(k)
        pk = p[i]
        d = -g[i] if maximize else g[i]
        d = d + wd * pk
        b = buf[i] * momentum + damp1 * d
        buf[i] = b
        step = d + momentum * b if nesterov else b
        p[i] = pk - lr * step


# Sums may be reassociated (vectorised); they accumulate in float64, so the order is harmless.
_red = dict(_jit, fastmath={"reassoc"})


@nb.njit(**_red)
def bn_stats(x, n, c, l, mean, var):
    """Per-channel mean and biased variance of x (n, c, l), two passes in float64."""
    for ch in nb.prange(c):
        s = 0.0
        for i in range(n):
            b = (i * c + ch) * l
            for k in range(b, b + l):
                s += x[U(k)]
        mu = s / (n * l)
        s2 = 0.0
        for i in range(n):
            b = (i * c + ch) * l
            for k in range(b, b + l):
                d = x[U(k)] - mu
                s2 += d * d
        mean[ch] = mu
        var[ch] = s2 / (n * l)


@nb.njit(**_jit)
def bn_apply(x, n, c, l, shift, scale, bias, y):
    """y = (x - shift[c]) * scale[c] + bias[c] over x (n, c, l)."""
    for nc in nb.prange(n * c):
        ch = nc % c
        sh = shift[ch]
        sc = scale[ch]
        bi = bias[ch]
        b = nc * l
        for k in range(b, b + l):
            y[U(k)] = (x[U(k)] - sh) * sc + bi


@nb.njit(**_red)
def bn_grad_sums(g, x, n, c, l, mean, sum_g, sum_gx):
    """Per channel: sum of g and of g * (x - mean), in float64."""
    for ch in nb.prange(c):
        mu = mean[ch]
        s = 0.0
        s2 = 0.0
        for i in range(n):
            b = (i * c + ch) * l
            for k in range(b, b + l):
                gk = g[U(k)]
                s += gk
                s2 += gk * (x[U(k)] - mu)
        sum_g[ch] = s
        sum_gx[ch] = s2


@nb.njit(**_jit)
def bn_grad_input(g, x, n, c, l, mean, k1, k2, k3, out):
    """out = g * k1[c] - (x - mean[c]) * k2[c] - k3[c]: batch norm's input gradient."""
    for nc in nb.prange(n * c):
        ch = nc % c
        mu = mean[ch]
        a = k1[ch]
        bb = k2[ch]
        cc = k3[ch]
        b = nc * l
        for k in range(b, b + l):
            out[U(k)] = g[U(k)] * a - (x[U(k)] - mu) * bb - cc
