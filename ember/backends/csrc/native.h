/* Shared plumbing of Ember's native CPU kernels (one extension module per .c file).
 *
 * Every kernel is a METH_FASTCALL function taking NumPy arrays (any object exporting the
 * buffer protocol) and Python ints / floats / bools in the order its Python caller passes
 * them. Arrays are borrowed for the duration of the call only: the caller holds them, so
 * the buffer is released right after its address is taken. Kernels run with the GIL
 * released. The Python callers (ember/backends) has already checked dtype and layout; the
 * checks here only guard memory safety (item size, writability, contiguity).
 */
#ifndef EMBER_NATIVE_H
#define EMBER_NATIVE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Function multi-versioning for the loops: an AVX-512 and an AVX2 clone besides the
 * baseline build, picked once at load time (GCC/Clang ifunc on x86-64 Linux). */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define EMBER_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define EMBER_CLONES
#endif

/* For helpers of the cloned loops: one left out of line is compiled for the baseline ISA,
 * not for the caller's clone (a row-sum helper GCC did not inline ran 4x slower). */
#if defined(__GNUC__)
#define HOT_INLINE static inline __attribute__((always_inline))
#else
#define HOT_INLINE static inline
#endif

/* a * b for sizes from Python ints; -1 when either is negative or the product overflows, so
 * a length check against it fails instead of wrapping. */
static inline Py_ssize_t
size_mul(Py_ssize_t a, Py_ssize_t b)
{
    if (a < 0 || b < 0 || (a && b > PY_SSIZE_T_MAX / a))
        return -1;
    return a * b;
}

#define EMBER_RO 0
#define EMBER_RW 1

/* Address and element count of a contiguous buffer whose items are `itemsize` bytes and
 * whose struct format code is `fmt` ('f' float32, 'd' float64, 'B' uint8, 'q' int64...). */
static inline int
ember_buffer(PyObject *obj, void **ptr, Py_ssize_t *count, char fmt, Py_ssize_t itemsize,
             int writable, const char *what)
{
    Py_buffer view;
    int flags = PyBUF_ANY_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(obj, &view, flags) < 0)
        return -1;
    const char *f = view.format ? view.format : "B";
    if (*f == '<' || *f == '=' || *f == '@')
        f++;
    int fmt_ok = (*f == fmt) || (fmt == 'q' && *f == 'l' && itemsize == 8) ||
                 (fmt == 'l' && *f == 'q' && itemsize == 8);
    if (view.itemsize != itemsize || !fmt_ok || f[1] != '\0') {
        PyErr_Format(PyExc_TypeError, "%s: expected items of format '%c' (%zd bytes), got '%s'",
                     what, fmt, itemsize, view.format ? view.format : "B");
        PyBuffer_Release(&view);
        return -1;
    }
    *ptr = view.buf;
    if (count)
        *count = view.len / itemsize;
    PyBuffer_Release(&view);
    return 0;
}

/* A float32 array, contiguous. */
static inline int
ember_f32(PyObject *obj, float **ptr, Py_ssize_t *count, int writable, const char *what)
{
    return ember_buffer(obj, (void **)ptr, count, 'f', 4, writable, what);
}

static inline int
ember_ssize(PyObject *obj, Py_ssize_t *v)
{
    *v = PyLong_AsSsize_t(obj);
    return (*v == -1 && PyErr_Occurred()) ? -1 : 0;
}

static inline int
ember_double(PyObject *obj, double *v)
{
    *v = PyFloat_AsDouble(obj);
    return (*v == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

static inline int
ember_bool(PyObject *obj, int *v)
{
    *v = PyObject_IsTrue(obj);
    return *v < 0 ? -1 : 0;
}

static inline int
ember_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t want)
{
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd arguments (%zd given)", name, want, nargs);
        return -1;
    }
    return 0;
}

/* Module boilerplate: EMBER_MODULE(_native_seq, methods, "doc") defines PyInit__native_seq. */
#define EMBER_MODULE(name, methods, doc)                                                    \
    static struct PyModuleDef name##_def = {PyModuleDef_HEAD_INIT, #name, doc, -1, methods}; \
    PyMODINIT_FUNC PyInit_##name(void) { return PyModule_Create(&name##_def); }

#endif
