"""Ember: a deep learning framework that speaks PyTorch's API, on NumPy (and CuPy).

``import ember as torch`` runs PyTorch programs; see README.md and docs/differences.md.
"""
# The PyTorch API level Ember follows, with Ember's own version as the local part, so that
# version checks in PyTorch programs (`torch.__version__ >= "2.0"`) take their modern paths.
__version__ = "2.13.0+ember0.1.0"

from . import dtypes as _dtypes
from .dtypes import (bfloat16, complex64, complex128, dtype, finfo, float16, float32, float64,
                     get_default_dtype, iinfo, int8, int16, int32, int64, promote_types,
                     set_default_dtype, uint8, uint16, uint32, uint64)
from .dtypes import bool_ as bool  # noqa: A001 - PyTorch's name
from .device import device
from .tensor import Size, Tensor
from . import _tensor_methods  # noqa: F401  (binds ops as Tensor methods)
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from .autograd.anomaly import (is_anomaly_check_nan_enabled, is_anomaly_enabled,
                               set_anomaly_enabled)
from .random import (Generator, bernoulli, default_generator, get_rng_state, initial_seed,
                     manual_seed, multinomial, normal, poisson, rand, rand_like, randint,
                     randint_like, randn, randn_like, randperm, seed, set_rng_state)
from ._tensor_str import get_printoptions, set_printoptions
from ._namespace import *  # noqa: F401,F403  (the torch.* functions)
from ._namespace import __all__ as _ns_all
from .ops import _fastgrad as _fastgrad  # noqa: F401  (array-level backward formulas)
from . import autograd, cuda, backends  # noqa: F401
from .backends import host_tuning as _host_tuning
_host_tuning.apply()  # malloc / BLAS-kernel tuning; opt-outs in docs/differences.md
from .serialization import load, save  # noqa: F401
from ._settings import (are_deterministic_algorithms_enabled, compile,  # noqa: F401,A004
                        get_default_device, get_deterministic_debug_mode,
                        get_float32_matmul_precision, get_num_interop_threads, get_num_threads,
                        is_deterministic_algorithms_warn_only_enabled, is_warn_always_enabled,
                        set_default_device, set_deterministic_debug_mode,
                        set_float32_matmul_precision, set_num_interop_threads, set_num_threads,
                        set_warn_always, use_deterministic_algorithms)
from .amp import autocast  # noqa: F401
from ._sym import (get_device_module, sym_float, sym_int, sym_ite, sym_max,  # noqa: F401
                   sym_min, sym_not, sym_sqrt, sym_sum)
from .ops.foreach import *  # noqa: F401,F403,E402  (torch._foreach_* list ops)
import warnings as _warnings
# PyTorch never reports floating-point exceptions (log(0) = -inf, 0/0 = nan); NumPy warns
# from inside Ember's op code. Silence exactly those, for warnings raised in ember modules.
_warnings.filterwarnings("ignore", r"(divide by zero|invalid value|overflow|underflow) "
                         r"encountered", RuntimeWarning, r"ember(\.|$)")

half = float16
float = float32  # noqa: A001
double = float64
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128
e = 2.718281828459045
pi = 3.141592653589793
inf = __builtins__["float"]("inf") if isinstance(__builtins__, dict) else \
    __builtins__.float("inf")
nan = __builtins__["float"]("nan") if isinstance(__builtins__, dict) else \
    __builtins__.float("nan")
newaxis = None


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def is_nonzero(input):
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins_bool(input.item())


import builtins as _builtins  # noqa: E402

builtins_bool = _builtins.bool


def numel(input):
    return input.numel()


def typename(obj):
    return obj.type() if isinstance(obj, Tensor) else type(obj).__name__


def _make_legacy(name, dt_):
    def new(cls, *args, **kwargs):
        return Tensor(*args, dtype=dt_, **kwargs)

    def instancecheck(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is dt_

    meta = type(name + "Meta", (type,), {"__instancecheck__": instancecheck})
    return meta(name, (), {"__new__": new, "_legacy_dtype": dt_})


FloatTensor = _make_legacy("FloatTensor", float32)
DoubleTensor = _make_legacy("DoubleTensor", float64)
HalfTensor = _make_legacy("HalfTensor", float16)
BFloat16Tensor = _make_legacy("BFloat16Tensor", bfloat16)
LongTensor = _make_legacy("LongTensor", int64)
IntTensor = _make_legacy("IntTensor", int32)
ShortTensor = _make_legacy("ShortTensor", int16)
CharTensor = _make_legacy("CharTensor", int8)
ByteTensor = _make_legacy("ByteTensor", uint8)
BoolTensor = _make_legacy("BoolTensor", bool)


_LAZY = {"nn": "ember.nn", "optim": "ember.optim", "utils": "ember.utils", "linalg": "ember.linalg",
         "special": "ember.special", "fft": "ember.fft", "distributions": "ember.distributions",
         "jit": "ember.jit", "onnx": "ember.onnx", "hub": "ember.hub", "amp": "ember.amp",
         "serialization": "ember.serialization", "testing": "ember.testing",
         "multiprocessing": "ember.multiprocessing", "accelerator": "ember.accelerator",
         "distributed": "ember.distributed", "overrides": "ember.overrides",
         "types": "ember.types", "library": "ember.library", "compiler": "ember.compiler",
         "profiler": "ember.profiler", "mps": "ember.mps", "fx": "ember.fx",
         "func": "ember.func", "export": "ember.export", "quantization": "ember.quantization",
         "sparse": "ember.sparse", "nested": "ember.nested", "masked": "ember.masked",
         "signal": "ember.signal", "cpu": "ember.cpu", "quasirandom": "ember.quasirandom",
         "monitor": "ember.monitor", "package": "ember.package",
         "version": "ember.version", "return_types": "ember.return_types",
         "_dynamo": "ember._dynamo"}


def __getattr__(name):
    # Submodules load on first use (import ember stays quick); a missing one is an
    # AttributeError that names the API.
    target = _LAZY.get(name)
    if target is not None:
        import importlib
        try:
            mod = importlib.import_module(target)
        except ModuleNotFoundError as exc:
            if exc.name != target:
                raise
        else:
            globals()[name] = mod
            return mod
    raise AttributeError(f"module 'torch' has no attribute '{name}' (ember does not provide "
                         f"torch.{name}; see docs/differences.md)")
