"""Process-wide tuning of the host libraries under NumPy, applied once when Ember is imported.

Two settings, each measured to pay on the CNN benchmarks (docs/performance.md) and each with
an environment variable to opt out:

- glibc ``malloc``: large temporaries (im2col columns, activations) would otherwise be fresh
  mmaps on every call whose page faults cost more than the arithmetic. ``M_MMAP_THRESHOLD``
  64 MB keeps them on the heap, ``M_TRIM_THRESHOLD`` 1 GB stops the heap shrinking after every
  step. Opt out: ``EMBER_NO_MALLOC_TUNING=1``.
- OpenBLAS kernels: NumPy's OpenBLAS picks its kernel set from the CPU model at load time and
  falls back to the AVX2 ("Haswell") kernels on CPUs it does not know, even when they have
  AVX-512 (recent AMD EPYC). On such a CPU Ember switches it to the AVX-512 ("SkylakeX")
  kernels, OpenBLAS's own runtime path (``gotoblas_dynamic_quit`` + ``gotoblas_dynamic_init``
  with ``OPENBLAS_CORETYPE``): float32 GEMM runs 1.6-2x faster. Nothing changes when the user
  set ``OPENBLAS_CORETYPE``, when OpenBLAS already chose an AVX-512 kernel set, or when the CPU
  lacks AVX-512. Opt out: ``EMBER_NO_BLAS_TUNING=1``.
"""
import ctypes
import glob
import os
import sys

# The AVX-512 subsets OpenBLAS's SkylakeX kernels use.
_AVX512 = {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"}
# Kernel sets OpenBLAS may fall back to on an AVX-512 machine it does not recognise.
_FALLBACKS = {"haswell", "zen", "sandybridge"}

applied = {"malloc": False, "blas": None, "done": False}


def _off(name):
    return os.environ.get(name, "").strip() not in ("", "0")


def tune_malloc():
    if _off("EMBER_NO_MALLOC_TUNING") or not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 64 << 20)   # M_MMAP_THRESHOLD
        libc.mallopt(-1, 1 << 30)    # M_TRIM_THRESHOLD
        applied["malloc"] = True
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


def _cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _openblas():
    """NumPy's bundled OpenBLAS (already loaded by NumPy), or None."""
    import numpy as np
    here = os.path.dirname(np.__file__)
    for path in sorted(glob.glob(os.path.join(here, "..", "numpy.libs", "*openblas*.so*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if all(hasattr(lib, s) for s in ("gotoblas_corename", "gotoblas_dynamic_init",
                                         "gotoblas_dynamic_quit")):
            return lib
    return None


def corename(lib):
    lib.gotoblas_corename.restype = ctypes.c_char_p
    return lib.gotoblas_corename().decode()


def tune_blas():
    if _off("EMBER_NO_BLAS_TUNING") or "OPENBLAS_CORETYPE" in os.environ:
        return
    if not sys.platform.startswith("linux") or not _AVX512 <= _cpu_flags():
        return
    try:
        lib = _openblas()
        if lib is None or corename(lib).lower() not in _FALLBACKS:
            return
        before = corename(lib)
        os.environ["OPENBLAS_CORETYPE"] = "SkylakeX"
        try:
            lib.gotoblas_dynamic_quit()
            lib.gotoblas_dynamic_init()
        finally:
            del os.environ["OPENBLAS_CORETYPE"]  # do not leak into child processes
        applied["blas"] = (before, corename(lib))
    except (OSError, AttributeError, ValueError):
        pass


def apply():
    """Both settings, once per process (called when Ember is imported)."""
    if applied.get("done"):
        return
    applied["done"] = True
    tune_malloc()
    tune_blas()
