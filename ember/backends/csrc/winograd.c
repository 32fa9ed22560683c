/* Winograd F(2x2, 3x3) transforms (ember.backends._native_winograd; the algorithm is in
 * winograd.py).
 *
 * Tiles: output tile (ty, tx) covers output rows 2ty..2ty+1 and columns 2tx..2tx+1 and reads
 * the 4x4 input patch starting at (2ty - pad_y, 2tx - pad_x); positions outside the input read
 * 0. Tile index t = (n * th + ty) * tw + tx; the 16 = 4x4 transform positions (row-major) are
 * one axis of every transformed array, so the products are 16 GEMMs. The 16 streams a kernel
 * writes (or reads) together must not lie a multiple of 4 KiB apart: that put them all in one
 * cache set (measured 3-7x slower kernels). So V is (tiles, 16, C) (a tile's 16 rows are one
 * block) and M / dM are (O, 16, tp) with the row length tp padded to an odd number of cache
 * lines.
 *
 * Arrays arrive flat and C-contiguous float32, shapes as ints. Every inner loop runs over a
 * contiguous axis of at least a plane's tiles or the channels, so it vectorises: tile-by-tile
 * loops (7 tiles a row in a 14x14 map) measured 5-10x slower. Only adds and subtracts: the
 * transform matrices hold 0 and +-1.
 */
#include "native.h"

/* size_mul over n factors */
static Py_ssize_t
size_prod(int n, const Py_ssize_t *f)
{
    Py_ssize_t p = 1;
    for (int i = 0; i < n && p >= 0; i++)
        p = size_mul(p, f[i]);
    return p;
}

/* ------------------------------------------------------------------- input_transform */

/* x (nb, c, h, w) copied channels-last into xt (nb, hp, wp, c) at offset (py, px), so each
 * tile's transform is a loop over contiguous channels. Only the border the copy leaves is
 * zeroed: zeroing the whole buffer first would be one more pass over it. */
EMBER_CLONES static void
pad_channels_last(const float *restrict x, float *restrict xt, Py_ssize_t nb, Py_ssize_t c,
                  Py_ssize_t h, Py_ssize_t w, Py_ssize_t py, Py_ssize_t px, Py_ssize_t hp,
                  Py_ssize_t wp)
{
    /* input rows / columns that land in the buffer */
    Py_ssize_t ylo = py < 0 ? -py : 0, yhi = h < hp - py ? h : hp - py;
    Py_ssize_t xlo = px < 0 ? -px : 0, xhi = w < wp - px ? w : wp - px;
    if (yhi < ylo)
        yhi = ylo;
    if (xhi < xlo)
        xhi = xlo;
    size_t row = (size_t)(wp * c) * sizeof(float);
    for (Py_ssize_t n = 0; n < nb; n++) {
        float *xn = xt + n * hp * wp * c;
        memset(xn, 0, (size_t)(ylo + py) * row);
        memset(xn + (yhi + py) * wp * c, 0, (size_t)(hp - yhi - py) * row);
        for (Py_ssize_t iy = ylo; iy < yhi; iy++) {
            float *drow = xn + (iy + py) * wp * c;
            memset(drow, 0, (size_t)((xlo + px) * c) * sizeof(float));
            memset(drow + (xhi + px) * c, 0, (size_t)((wp - xhi - px) * c) * sizeof(float));
            for (Py_ssize_t ci = 0; ci < c; ci++) {
                const float *src = x + ((n * c + ci) * h + iy) * w;
                for (Py_ssize_t ix = xlo; ix < xhi; ix++)
                    drow[(ix + px) * c + ci] = src[ix];
            }
        }
    }
}

/* v (tiles, 16, c) <- B^T d B for every 4x4 patch d of the padded xt */
EMBER_CLONES static void
input_tiles(const float *restrict xt, float *restrict v, Py_ssize_t nb, Py_ssize_t c,
            Py_ssize_t th, Py_ssize_t tw, Py_ssize_t hp, Py_ssize_t wp)
{
    Py_ssize_t rs = wp * c;                 /* stride between buffer rows */
    for (Py_ssize_t n = 0; n < nb; n++)
        for (Py_ssize_t ty = 0; ty < th; ty++)
            for (Py_ssize_t tx = 0; tx < tw; tx++) {
                const float *p0 = xt + ((n * hp + 2 * ty) * wp + 2 * tx) * c;
                const float *p1 = p0 + rs, *p2 = p1 + rs, *p3 = p2 + rs;
                float *q = v + ((n * th + ty) * tw + tx) * 16 * c;
                for (Py_ssize_t k = 0; k < c; k++) {
                    float d00 = p0[k], d01 = p0[c + k], d02 = p0[2 * c + k], d03 = p0[3 * c + k];
                    float d10 = p1[k], d11 = p1[c + k], d12 = p1[2 * c + k], d13 = p1[3 * c + k];
                    float d20 = p2[k], d21 = p2[c + k], d22 = p2[2 * c + k], d23 = p2[3 * c + k];
                    float d30 = p3[k], d31 = p3[c + k], d32 = p3[2 * c + k], d33 = p3[3 * c + k];
                    /* B^T down the columns: rows a, b, e, f */
                    float a0 = d00 - d20, a1 = d01 - d21, a2 = d02 - d22, a3 = d03 - d23;
                    float b0 = d10 + d20, b1 = d11 + d21, b2 = d12 + d22, b3 = d13 + d23;
                    float e0 = d20 - d10, e1 = d21 - d11, e2 = d22 - d12, e3 = d23 - d13;
                    float f0 = d10 - d30, f1 = d11 - d31, f2 = d12 - d32, f3 = d13 - d33;
                    /* then B along the rows */
                    q[k] = a0 - a2;
                    q[c + k] = a1 + a2;
                    q[2 * c + k] = a2 - a1;
                    q[3 * c + k] = a1 - a3;
                    q[4 * c + k] = b0 - b2;
                    q[5 * c + k] = b1 + b2;
                    q[6 * c + k] = b2 - b1;
                    q[7 * c + k] = b1 - b3;
                    q[8 * c + k] = e0 - e2;
                    q[9 * c + k] = e1 + e2;
                    q[10 * c + k] = e2 - e1;
                    q[11 * c + k] = e1 - e3;
                    q[12 * c + k] = f0 - f2;
                    q[13 * c + k] = f1 + f2;
                    q[14 * c + k] = f2 - f1;
                    q[15 * c + k] = f1 - f3;
                }
            }
}

static PyObject *
input_transform(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *x, *v;
    Py_ssize_t nx, nv, nb, c, h, w, py, px, th, tw;
    if (ember_nargs("input_transform", nargs, 10) ||
        ember_f32(args[0], &x, &nx, EMBER_RO, "x") || ember_f32(args[1], &v, &nv, EMBER_RW, "v") ||
        ember_ssize(args[2], &nb) || ember_ssize(args[3], &c) || ember_ssize(args[4], &h) ||
        ember_ssize(args[5], &w) || ember_ssize(args[6], &py) || ember_ssize(args[7], &px) ||
        ember_ssize(args[8], &th) || ember_ssize(args[9], &tw))
        return NULL;
    /* th, tw < 2^40 keep hp, wp from overflowing before size_prod sees them */
    if (th < 0 || tw < 0 || th > ((Py_ssize_t)1 << 40) || tw > ((Py_ssize_t)1 << 40))
        return PyErr_Format(PyExc_ValueError, "input_transform: bad tile counts");
    Py_ssize_t hp = 2 * th + 2, wp = 2 * tw + 2;
    Py_ssize_t xs[] = {nb, c, h, w}, vs[] = {nb, th, tw, 16, c}, ts[] = {nb, hp, wp, c};
    Py_ssize_t need_x = size_prod(4, xs), need_v = size_prod(5, vs), nt = size_prod(4, ts);
    if (need_x < 0 || need_v < 0 || nt < 0 || nt > PY_SSIZE_T_MAX / (Py_ssize_t)sizeof(float))
        return PyErr_Format(PyExc_ValueError, "input_transform: bad shape");
    /* a pad beyond the buffer would only crop or add zeros; bounding it bounds the index math */
    if (py < -hp || py > hp || px < -wp || px > wp)
        return PyErr_Format(PyExc_ValueError, "input_transform: padding out of range");
    if (nx < need_x || nv < need_v)
        return PyErr_Format(PyExc_ValueError,
                            "input_transform: x or v shorter than its shape");
    float *xt = PyMem_RawMalloc(nt ? (size_t)nt * sizeof(float) : 1);
    if (xt == NULL)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    pad_channels_last(x, xt, nb, c, h, w, py, px, hp, wp);
    input_tiles(xt, v, nb, c, th, tw, hp, wp);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(xt);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ output_transform */

EMBER_CLONES static void
output_loop(const float *restrict m, float *restrict y, const float *restrict bias, int has_bias,
            Py_ssize_t planes, Py_ssize_t o, Py_ssize_t oh, Py_ssize_t ow, Py_ssize_t th,
            Py_ssize_t tw, Py_ssize_t tp, float *restrict r00, float *restrict r01,
            float *restrict r10, float *restrict r11)
{
    Py_ssize_t pt = th * tw;                /* tiles of one plane */
    for (Py_ssize_t no = 0; no < planes; no++) {
        Py_ssize_t ni = no / o, oc = no % o;
        float bv = has_bias ? bias[oc] : 0.0f;
        const float *q = m + oc * 16 * tp + ni * pt;
        for (Py_ssize_t j = 0; j < pt; j++) {   /* all tiles of the plane: one vector loop */
            float m00 = q[j], m01 = q[tp + j], m02 = q[2 * tp + j], m03 = q[3 * tp + j];
            float m10 = q[4 * tp + j], m11 = q[5 * tp + j], m12 = q[6 * tp + j];
            float m13 = q[7 * tp + j];
            float m20 = q[8 * tp + j], m21 = q[9 * tp + j], m22 = q[10 * tp + j];
            float m23 = q[11 * tp + j];
            float m30 = q[12 * tp + j], m31 = q[13 * tp + j], m32 = q[14 * tp + j];
            float m33 = q[15 * tp + j];
            /* A^T down the columns */
            float a0 = m00 + m10 + m20, a1 = m01 + m11 + m21;
            float a2 = m02 + m12 + m22, a3 = m03 + m13 + m23;
            float b0 = m10 - m20 - m30, b1 = m11 - m21 - m31;
            float b2 = m12 - m22 - m32, b3 = m13 - m23 - m33;
            /* then A along the rows */
            r00[j] = a0 + a1 + a2 + bv;
            r01[j] = a1 - a2 - a3 + bv;
            r10[j] = b0 + b1 + b2 + bv;
            r11[j] = b1 - b2 - b3 + bv;
        }
        float *yp = y + no * oh * ow;
        for (Py_ssize_t ty = 0; ty < th; ty++)  /* scatter the 2x2 results; partial tiles cropped */
            for (Py_ssize_t tx = 0; tx < tw; tx++) {
                Py_ssize_t j = ty * tw + tx;
                float *p = yp + 2 * ty * ow + 2 * tx;
                int col1 = 2 * tx + 1 < ow, row1 = 2 * ty + 1 < oh;
                p[0] = r00[j];
                if (col1)
                    p[1] = r01[j];
                if (row1) {
                    p[ow] = r10[j];
                    if (col1)
                        p[ow + 1] = r11[j];
                }
            }
    }
}

/* Shared checks of output_transform / output_adjoint: the tiles cover (oh, ow) exactly, M / dM
 * rows hold every tile, and the arrays are as long as their shapes. Sets the plane count
 * nb * o and the tiles of a plane, pt (at most PY_SSIZE_T_MAX / 16: four scratch rows fit). */
static int
check_output_shapes(const char *name, Py_ssize_t nm, Py_ssize_t ny, Py_ssize_t nb, Py_ssize_t o,
                    Py_ssize_t oh, Py_ssize_t ow, Py_ssize_t th, Py_ssize_t tw, Py_ssize_t tp,
                    Py_ssize_t *planes, Py_ssize_t *pt)
{
    if (oh < 0 || ow < 0 || th != oh / 2 + oh % 2 || tw != ow / 2 + ow % 2) {
        PyErr_Format(PyExc_ValueError, "%s: th, tw must be ceil(oh / 2), ceil(ow / 2)", name);
        return -1;
    }
    Py_ssize_t ts[] = {nb, th, tw}, ms[] = {o, 16, tp}, ys[] = {nb, o, oh, ow};
    Py_ssize_t tiles = size_prod(3, ts), need_m = size_prod(3, ms), need_y = size_prod(4, ys);
    *planes = size_mul(nb, o);
    *pt = size_mul(th, tw);
    if (tiles < 0 || need_m < 0 || need_y < 0 || *planes < 0 || *pt < 0 ||
        *pt > PY_SSIZE_T_MAX / 16 || tp < tiles) {
        PyErr_Format(PyExc_ValueError, "%s: bad shape (tp must hold nb * th * tw tiles)", name);
        return -1;
    }
    if (nm < need_m || ny < need_y) {
        PyErr_Format(PyExc_ValueError, "%s: arrays shorter than their shapes", name);
        return -1;
    }
    return 0;
}

static PyObject *
output_transform(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *m, *y, *bias;
    Py_ssize_t nm, ny, nbias, nb, o, oh, ow, th, tw, tp;
    int has_bias;
    if (ember_nargs("output_transform", nargs, 11) ||
        ember_f32(args[0], &m, &nm, EMBER_RO, "m") || ember_f32(args[1], &y, &ny, EMBER_RW, "y") ||
        ember_f32(args[2], &bias, &nbias, EMBER_RO, "bias") || ember_bool(args[3], &has_bias) ||
        ember_ssize(args[4], &nb) || ember_ssize(args[5], &o) || ember_ssize(args[6], &oh) ||
        ember_ssize(args[7], &ow) || ember_ssize(args[8], &th) || ember_ssize(args[9], &tw) ||
        ember_ssize(args[10], &tp))
        return NULL;
    Py_ssize_t planes, pt;
    if (check_output_shapes("output_transform", nm, ny, nb, o, oh, ow, th, tw, tp, &planes, &pt))
        return NULL;
    if (has_bias && nbias < o)
        return PyErr_Format(PyExc_ValueError, "output_transform: bias shorter than o");
    float *r = PyMem_RawMalloc(pt ? 4 * (size_t)pt * sizeof(float) : 1);
    if (r == NULL)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    output_loop(m, y, bias, has_bias, planes, o, oh, ow, th, tw, tp, r, r + pt, r + 2 * pt,
                r + 3 * pt);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(r);
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------- output_adjoint */

EMBER_CLONES static void
adjoint_loop(const float *restrict g, float *restrict dm, Py_ssize_t planes, Py_ssize_t o,
             Py_ssize_t oh, Py_ssize_t ow, Py_ssize_t th, Py_ssize_t tw, Py_ssize_t tp,
             float *restrict g00, float *restrict g01, float *restrict g10, float *restrict g11)
{
    Py_ssize_t pt = th * tw;
    for (Py_ssize_t no = 0; no < planes; no++) {
        Py_ssize_t ni = no / o, oc = no % o;
        const float *gp = g + no * oh * ow;
        for (Py_ssize_t ty = 0; ty < th; ty++)  /* gather the 2x2 taps of every tile */
            for (Py_ssize_t tx = 0; tx < tw; tx++) {
                Py_ssize_t j = ty * tw + tx;
                const float *p = gp + 2 * ty * ow + 2 * tx;
                int col1 = 2 * tx + 1 < ow, row1 = 2 * ty + 1 < oh;
                g00[j] = p[0];
                g01[j] = col1 ? p[1] : 0.0f;
                g10[j] = row1 ? p[ow] : 0.0f;
                g11[j] = row1 && col1 ? p[ow + 1] : 0.0f;
            }
        float *q = dm + oc * 16 * tp + ni * pt;
        for (Py_ssize_t j = 0; j < pt; j++) {
            float a = g00[j], b = g01[j], c = g10[j], d = g11[j];
            /* rows of A G: [G0, G0 + G1, G0 - G1, -G1] (G0, G1 the two rows of G); then each
             * row r -> [r0, r0 + r1, r0 - r1, -r1] */
            float s0 = a + c, s1 = b + d, d0 = a - c, d1 = b - d;
            q[j] = a;
            q[tp + j] = a + b;
            q[2 * tp + j] = a - b;
            q[3 * tp + j] = -b;
            q[4 * tp + j] = s0;
            q[5 * tp + j] = s0 + s1;
            q[6 * tp + j] = s0 - s1;
            q[7 * tp + j] = -s1;
            q[8 * tp + j] = d0;
            q[9 * tp + j] = d0 + d1;
            q[10 * tp + j] = d0 - d1;
            q[11 * tp + j] = -d1;
            q[12 * tp + j] = -c;
            q[13 * tp + j] = -(c + d);
            q[14 * tp + j] = d - c;
            q[15 * tp + j] = d;
        }
    }
}

static PyObject *
output_adjoint(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    float *g, *dm;
    Py_ssize_t ng, ndm, nb, o, oh, ow, th, tw, tp;
    if (ember_nargs("output_adjoint", nargs, 9) || ember_f32(args[0], &g, &ng, EMBER_RO, "g") ||
        ember_f32(args[1], &dm, &ndm, EMBER_RW, "dm") || ember_ssize(args[2], &nb) ||
        ember_ssize(args[3], &o) || ember_ssize(args[4], &oh) || ember_ssize(args[5], &ow) ||
        ember_ssize(args[6], &th) || ember_ssize(args[7], &tw) || ember_ssize(args[8], &tp))
        return NULL;
    Py_ssize_t planes, pt;
    if (check_output_shapes("output_adjoint", ndm, ng, nb, o, oh, ow, th, tw, tp, &planes, &pt))
        return NULL;
    float *t = PyMem_RawMalloc(pt ? 4 * (size_t)pt * sizeof(float) : 1);
    if (t == NULL)
        return PyErr_NoMemory();
    Py_BEGIN_ALLOW_THREADS
    adjoint_loop(g, dm, planes, o, oh, ow, th, tw, tp, t, t + pt, t + 2 * pt, t + 3 * pt);
    Py_END_ALLOW_THREADS
    PyMem_RawFree(t);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"input_transform", (PyCFunction)(void (*)(void))input_transform, METH_FASTCALL,
     "input_transform(x, v, nb, c, h, w, py, px, th, tw): v (tiles, 16, c) <- B^T d B for\n"
     "every 4x4 input patch d of x (nb, c, h, w), padded by (py, px)."},
    {"output_transform", (PyCFunction)(void (*)(void))output_transform, METH_FASTCALL,
     "output_transform(m, y, bias, has_bias, nb, o, oh, ow, th, tw, tp): y (nb, o, oh, ow) <-\n"
     "A^T M A (+ bias) for every tile of m (o, 16, tp); tp >= the nb * th * tw tiles."},
    {"output_adjoint", (PyCFunction)(void (*)(void))output_adjoint, METH_FASTCALL,
     "output_adjoint(g, dm, nb, o, oh, ow, th, tw, tp): dm (o, 16, tp) <- A G A^T for every\n"
     "2x2 tile G of g (nb, o, oh, ow), the adjoint of output_transform."},
    {NULL, NULL, 0, NULL},
};

EMBER_MODULE(_native_winograd, methods, "Winograd F(2x2, 3x3) transforms (float32, serial).")
