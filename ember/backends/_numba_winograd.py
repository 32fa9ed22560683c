"""numba kernels for Winograd F(2x2, 3x3) convolution (see winograd.py for the algorithm).

Tiles: output tile (ty, tx) covers output rows 2ty..2ty+1 and columns 2tx..2tx+1 and reads
the 4x4 input patch starting at (2ty - pad_y, 2tx - pad_x); positions outside the input read
0. Tile index t = (n * th + ty) * tw + tx; the 16 = 4x4 transform positions (row-major) are
one axis of every transformed array, so the products are 16 GEMMs. The 16 streams a kernel
writes (or reads) together must not lie a multiple of 4 KiB apart: that put them all in one
cache set (measured 3-7x slower kernels). So V is (tiles, 16, C) (a tile's 16 rows are one
block) and M / dM are (O, 16, tp) with the row length tp padded to an odd number of cache
lines.
Arrays arrive flat and C-contiguous float32; shapes come as ints.

Every inner loop runs over a contiguous axis of at least a plane's tiles or the channels, so
LLVM vectorises it: tile-by-tile loops (7 tiles a row in a 14x14 map) measured 5-10x slower.
"""
import numba as nb
import numpy as np

U = np.uint64
_jit = dict(cache=True, nogil=True, error_model="numpy")


@nb.njit(**_jit)
def input_transform(x, v, nb_, c, h, w, py, px, th, tw):
    """v (tiles, 16, c) <- B^T d B for every 4x4 input patch d of x (nb_, c, h, w).

    x is first copied channels-last into a zero-padded buffer, so each tile's transform is
    a loop over contiguous channels, and its 16 results land in one contiguous block (16
    streams a plane apart would sit 4 KiB-multiples apart: cache-set conflicts, measured
    ~3x slower). The GEMMs read v[:, i, :] as a strided matrix."""
    hp = 2 * th + 2
    wp = 2 * tw + 2
    tiles = nb_ * th * tw
    xt = np.zeros(nb_ * hp * wp * c, np.float32)
    ylo = max(0, -py)                     # input rows / columns that land in the buffer
    yhi = min(h, hp - py)
    xlo = max(0, -px)
    xhi = min(w, wp - px)
    for n in range(nb_):
        for iy in range(ylo, yhi):
            drow = U(((n * hp + iy + py) * wp + px) * c)
            for ci in range(c):
                src = U(((n * c + ci) * h + iy) * w)
                for ix in range(xlo, xhi):
                    xt[drow + U(ix * c + ci)] = x[src + U(ix)]
    ps = U(c)                              # stride between transform positions in v
    rs = U(wp * c)                         # stride between buffer rows
    cc = U(c)
    for n in range(nb_):
        for ty in range(th):
            for tx in range(tw):
                t = (n * th + ty) * tw + tx
                p0 = U(((n * hp + 2 * ty) * wp + 2 * tx) * c)
                p1 = p0 + rs
                p2 = p1 + rs
                p3 = p2 + rs
                o = U(t * 16 * c)
                for k in range(c):
                    kk = U(k)
                    d00 = xt[p0 + kk]
                    d01 = xt[p0 + cc + kk]
                    d02 = xt[p0 + U(2) * cc + kk]
                    d03 = xt[p0 + U(3) * cc + kk]
                    d10 = xt[p1 + kk]
                    d11 = xt[p1 + cc + kk]
                    d12 = xt[p1 + U(2) * cc + kk]
                    d13 = xt[p1 + U(3) * cc + kk]
                    d20 = xt[p2 + kk]
                    d21 = xt[p2 + cc + kk]
                    d22 = xt[p2 + U(2) * cc + kk]
                    d23 = xt[p2 + U(3) * cc + kk]
                    d30 = xt[p3 + kk]
                    d31 = xt[p3 + cc + kk]
                    d32 = xt[p3 + U(2) * cc + kk]
                    d33 = xt[p3 + U(3) * cc + kk]
                    # B^T down the columns: rows t0..t3
                    a0 = d00 - d20
                    a1 = d01 - d21
                    a2 = d02 - d22
                    a3 = d03 - d23
                    b0 = d10 + d20
                    b1 = d11 + d21
                    b2 = d12 + d22
                    b3 = d13 + d23
                    e0 = d20 - d10
                    e1 = d21 - d11
                    e2 = d22 - d12
                    e3 = d23 - d13
                    f0 = d10 - d30
                    f1 = d11 - d31
                    f2 = d12 - d32
                    f3 = d13 - d33
                    q = o + kk
                    # then B along the rows
                    v[q] = a0 - a2
                    v[q + ps] = a1 + a2
                    v[q + U(2) * ps] = a2 - a1
                    v[q + U(3) * ps] = a1 - a3
                    v[q + U(4) * ps] = b0 - b2
                    v[q + U(5) * ps] = b1 + b2
                    v[q + U(6) * ps] = b2 - b1
                    v[q + U(7) * ps] = b1 - b3
                    v[q + U(8) * ps] = e0 - e2
                    v[q + U(9) * ps] = e1 + e2
                    v[q + U(10) * ps] = e2 - e1
                    v[q + U(11) * ps] = e1 - e3
                    v[q + U(12) * ps] = f0 - f2
                    v[q + U(13) * ps] = f1 + f2
                    v[q + U(14) * ps] = f2 - f1
                    v[q + U(15) * ps] = f1 - f3


@nb.njit(**_jit)
def output_transform(m, y, bias, has_bias, nb_, o, oh, ow, th, tw, tp):
    """y (nb_, o, oh, ow) <- A^T M A (+ bias) for every tile of m (o, 16, tp); tp >= the
    nb_*th*tw tiles (see winograd.row_length)."""
    pt = th * tw                           # tiles of one plane
    os_ = U(tp)
    r00 = np.empty(pt, np.float32)
    r01 = np.empty(pt, np.float32)
    r10 = np.empty(pt, np.float32)
    r11 = np.empty(pt, np.float32)
    for no in range(nb_ * o):
        ni = no // o
        oc = no % o
        bv = bias[oc] if has_bias else np.float32(0)
        t0 = U(oc * 16 * tp + ni * pt)
        for j in range(pt):                # all tiles of the plane: one vector loop
            q = t0 + U(j)
            m00 = m[q]
            m01 = m[q + os_]
            m02 = m[q + U(2) * os_]
            m03 = m[q + U(3) * os_]
            m10 = m[q + U(4) * os_]
            m11 = m[q + U(5) * os_]
            m12 = m[q + U(6) * os_]
            m13 = m[q + U(7) * os_]
            m20 = m[q + U(8) * os_]
            m21 = m[q + U(9) * os_]
            m22 = m[q + U(10) * os_]
            m23 = m[q + U(11) * os_]
            m30 = m[q + U(12) * os_]
            m31 = m[q + U(13) * os_]
            m32 = m[q + U(14) * os_]
            m33 = m[q + U(15) * os_]
            a0 = m00 + m10 + m20           # A^T down the columns
            a1 = m01 + m11 + m21
            a2 = m02 + m12 + m22
            a3 = m03 + m13 + m23
            b0 = m10 - m20 - m30
            b1 = m11 - m21 - m31
            b2 = m12 - m22 - m32
            b3 = m13 - m23 - m33
            r00[j] = a0 + a1 + a2 + bv     # then A along the rows
            r01[j] = a1 - a2 - a3 + bv
            r10[j] = b0 + b1 + b2 + bv
            r11[j] = b1 - b2 - b3 + bv
        yb = no * oh * ow
        for ty in range(th):               # scatter the 2x2 results; partial tiles cropped
            for tx in range(tw):
                j = U(ty * tw + tx)
                p = U(yb + 2 * ty * ow + 2 * tx)
                y[p] = r00[j]
                if 2 * tx + 1 < ow:
                    y[p + U(1)] = r01[j]
                if 2 * ty + 1 < oh:
                    y[p + U(ow)] = r10[j]
                    if 2 * tx + 1 < ow:
                        y[p + U(ow + 1)] = r11[j]


@nb.njit(**_jit)
def output_adjoint(g, dm, nb_, o, oh, ow, th, tw, tp):
    """dm (o, 16, tp) <- A G A^T for every 2x2 tile G of g (nb_, o, oh, ow): the adjoint of
    output_transform (outside positions of partial tiles count as 0)."""
    pt = th * tw
    os_ = U(tp)
    g00 = np.zeros(pt, np.float32)
    g01 = np.zeros(pt, np.float32)
    g10 = np.zeros(pt, np.float32)
    g11 = np.zeros(pt, np.float32)
    for no in range(nb_ * o):
        ni = no // o
        oc = no % o
        gb = no * oh * ow
        for ty in range(th):               # gather the 2x2 taps of every tile
            for tx in range(tw):
                j = U(ty * tw + tx)
                p = U(gb + 2 * ty * ow + 2 * tx)
                col1 = 2 * tx + 1 < ow
                row1 = 2 * ty + 1 < oh
                g00[j] = g[p]
                g01[j] = g[p + U(1)] if col1 else 0
                g10[j] = g[p + U(ow)] if row1 else 0
                g11[j] = g[p + U(ow + 1)] if (row1 and col1) else 0
        t0 = U(oc * 16 * tp + ni * pt)
        for jj in range(pt):
            j = U(jj)
            a = g00[j]
            b = g01[j]
            c = g10[j]
            d = g11[j]
            # rows of A G: [G0, G0 + G1, G0 - G1, -G1] (G0, G1 the two rows of G); then
            # each row r -> [r0, r0 + r1, r0 - r1, -r1]
            s0 = a + c
            s1 = b + d
            d0 = a - c
            d1 = b - d
            q = t0 + j
            dm[q] = a
            dm[q + os_] = a + b
            dm[q + U(2) * os_] = a - b
            dm[q + U(3) * os_] = -b
            dm[q + U(4) * os_] = s0
            dm[q + U(5) * os_] = s0 + s1
            dm[q + U(6) * os_] = s0 - s1
            dm[q + U(7) * os_] = -s1
            dm[q + U(8) * os_] = d0
            dm[q + U(9) * os_] = d0 + d1
            dm[q + U(10) * os_] = d0 - d1
            dm[q + U(11) * os_] = -d1
            dm[q + U(12) * os_] = -c
            dm[q + U(13) * os_] = -(c + d)
            dm[q + U(14) * os_] = d - c
            dm[q + U(15) * os_] = d
