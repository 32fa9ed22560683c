"""Build of Ember's optional native CPU kernels (metadata lives in pyproject.toml).

Each ``ember/backends/csrc/<name>.c`` becomes the extension ``ember.backends._native_<name>``.
They are optional: without a C compiler the build warns and Ember runs on its NumPy paths.
"""
import glob
import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

CSRC = os.path.join("ember", "backends", "csrc")
GCC_FLAGS = ["-O3", "-std=c11", "-fopenmp-simd", "-fno-math-errno", "-fno-trapping-math",
             "-ffp-contract=fast", "-fvisibility=hidden", "-Wall", "-Wno-unused-function"]


class BuildNative(build_ext):
    """Compiler flags by compiler family; a failed kernel build leaves the NumPy paths."""

    def build_extensions(self):
        flags = ["/O2", "/std:c11"] if self.compiler.compiler_type == "msvc" else GCC_FLAGS
        for ext in self.extensions:
            ext.extra_compile_args = flags
        super().build_extensions()


def native_extensions():
    if os.environ.get("EMBER_NO_NATIVE_BUILD", "").strip() not in ("", "0"):
        return []
    only = os.environ.get("EMBER_NATIVE_ONLY", "")  # development: rebuild some modules only
    exts = []
    for src in sorted(glob.glob(os.path.join(CSRC, "*.c"))):
        name = os.path.splitext(os.path.basename(src))[0]
        if only and name not in only.split(","):
            continue
        exts.append(Extension(f"ember.backends._native_{name}", [src], include_dirs=[CSRC],
                              depends=[os.path.join(CSRC, "native.h")], optional=True))
    return exts


setup(ext_modules=native_extensions(), cmdclass={"build_ext": BuildNative})
