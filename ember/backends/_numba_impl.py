"""The numba kernels behind numba_kernels.py (imported only when numba is wanted).

Index conventions, shared with cpu_kernels.py's NumPy code:
- a column buffer is per sample, ``(N, C, kh, kw, oh, ow)``: rows ``C*kh*kw`` and columns
  ``oh*ow`` of each sample, so ``W @ cols`` gives NCHW output directly;
- padding is implicit: positions outside the input read 0 (conv) or never win (max pool);
- max pooling records the winning kernel offset ``i * kw + j`` (uint8) at each output.
Every kernel is parallel over independent output planes, so no two threads write one element.
"""
import numba as nb
import numpy as np

MAX_THREADS = nb.config.NUMBA_NUM_THREADS


def set_threads(n):
    nb.set_num_threads(n)


_jit = dict(cache=True, nogil=True)


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


@nb.njit(parallel=True, **_jit)
def im2col2d(x, out, sh, sw, ph, pw, dh, dw):
    """out (N, C, kh, kw, oh, ow) <- windows of x (N, C, H, W) padded by (ph, pw) zeros."""
    n_, c_, h, w = x.shape
    kh, kw, oh, ow = out.shape[2], out.shape[3], out.shape[4], out.shape[5]
    for nc in nb.prange(n_ * c_):
        n = nc // c_
        c = nc - n * c_
        src = x[n, c]
        for i in range(kh):
            for j in range(kw):
                xo = j * dw - pw
                lo, hi = _span(xo, sw, w, ow)
                dst = out[n, c, i, j]
                for oy in range(oh):
                    iy = oy * sh - ph + i * dh
                    row = dst[oy]
                    if iy < 0 or iy >= h:
                        for ox in range(ow):
                            row[ox] = 0
                        continue
                    srow = src[iy]
                    for ox in range(lo):
                        row[ox] = 0
                    for ox in range(lo, hi):
                        row[ox] = srow[ox * sw + xo]
                    for ox in range(hi, ow):
                        row[ox] = 0


@nb.njit(parallel=True, **_jit)
def col2im2d(cols, out, sh, sw, ph, pw, dh, dw):
    """out (N, C, H, W) <- sum of columns (N, C, kh, kw, oh, ow) at their window positions
    (positions in the padding are dropped): the adjoint of im2col2d."""
    n_, c_, h, w = out.shape
    kh, kw, oh, ow = cols.shape[2], cols.shape[3], cols.shape[4], cols.shape[5]
    for nc in nb.prange(n_ * c_):
        n = nc // c_
        c = nc - n * c_
        dst = out[n, c]
        dst[:, :] = 0
        for i in range(kh):
            for j in range(kw):
                xo = j * dw - pw
                lo, hi = _span(xo, sw, w, ow)
                src = cols[n, c, i, j]
                for oy in range(oh):
                    iy = oy * sh - ph + i * dh
                    if iy < 0 or iy >= h:
                        continue
                    drow = dst[iy]
                    srow = src[oy]
                    for ox in range(lo, hi):
                        drow[ox * sw + xo] += srow[ox]


@nb.njit(parallel=True, **_jit)
def maxpool2d(x, y, arg, kh, kw, sh, sw, ph, pw, dh, dw):
    """y, arg (B, oh, ow) <- max of each window of x (B, H, W) and the winning offset.

    PyTorch's rule: scan the window's in-bounds elements in order, take ``v > best or v is
    NaN`` (so a NaN wins and propagates); start at the first in-bounds element."""
    b_, h, w = x.shape
    oh, ow = y.shape[1], y.shape[2]
    for b in nb.prange(b_):
        src = x[b]
        for oy in range(oh):
            for ox in range(ow):
                best = -np.inf
                k = 0
                first = True
                for i in range(kh):
                    iy = oy * sh - ph + i * dh
                    if iy < 0 or iy >= h:
                        continue
                    for j in range(kw):
                        ix = ox * sw - pw + j * dw
                        if ix < 0 or ix >= w:
                            continue
                        v = src[iy, ix]
                        if first or v > best or v != v:
                            best = v
                            k = i * kw + j
                            first = False
                y[b, oy, ox] = best
                arg[b, oy, ox] = k


@nb.njit(parallel=True, **_jit)
def maxpool2d_grad(g, arg, out, kw, sh, sw, ph, pw, dh, dw):
    """out (B, H, W) <- g (B, oh, ow) added at each window's winner: max pooling's backward."""
    b_, h, w = out.shape
    oh, ow = g.shape[1], g.shape[2]
    for b in nb.prange(b_):
        dst = out[b]
        dst[:, :] = 0
        for oy in range(oh):
            for ox in range(ow):
                k = arg[b, oy, ox]
                i = k // kw
                j = k - i * kw
                iy = oy * sh - ph + i * dh
                ix = ox * sw - pw + j * dw
                if 0 <= iy < h and 0 <= ix < w:
                    dst[iy, ix] += g[b, oy, ox]


@nb.njit(parallel=True, **_jit)
def adam(p, g, m, v, a1, b2, a2, step_size, bc2_sqrt, eps, chunk):
    """One Adam update of flat float32 arrays, as torch.optim.Adam (single-tensor path):
    m.lerp_(g, a1); v.mul_(b2).addcmul_(g, g, a2); p -= step_size * m / (sqrt(v)/bc2 + eps)."""
    n = p.size
    for c in nb.prange((n + chunk - 1) // chunk):
        for k in range(c * chunk, min(n, (c + 1) * chunk)):
            gk = g[k]
            mk = m[k]
            mk = mk + a1 * (gk - mk)
            vk = v[k] * b2 + a2 * (gk * gk)
            m[k] = mk
            v[k] = vk
            p[k] -= step_size * (mk / (np.sqrt(vk) / bc2_sqrt + eps))


@nb.njit(parallel=True, **_jit)
def sgd_momentum(p, g, buf, momentum, damp, neg_lr, nesterov, chunk):
    """buf = momentum * buf + (1 - dampening) * g; p += -lr * (g + momentum * buf if nesterov
    else buf): torch.optim.SGD with momentum, after the first step."""
    n = p.size
    for c in nb.prange((n + chunk - 1) // chunk):
        for k in range(c * chunk, min(n, (c + 1) * chunk)):
            gk = g[k]
            bk = buf[k] * momentum + damp * gk
            buf[k] = bk
            if nesterov:
                p[k] += neg_lr * (gk + momentum * bk)
            else:
                p[k] += neg_lr * bk
