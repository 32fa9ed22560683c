"""Reverse-mode automatic differentiation: backward, grad, Function, grad modes."""
from .anomaly import (detect_anomaly, is_anomaly_check_nan_enabled, is_anomaly_enabled,
                      set_detect_anomaly)
from .function import (Function, FunctionCtx, InplaceFunction, NestedIOFunction,
                       once_differentiable)
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, no_grad, set_grad_enabled)
from .api import backward, grad, Variable
from . import graph  # noqa: F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "FunctionCtx", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode", "is_grad_enabled", "detect_anomaly",
           "set_detect_anomaly", "Variable", "once_differentiable", "gradcheck",
           "gradgradcheck", "functional", "graph"]


def __getattr__(name):
    # functional imports the op library; load it on first use.
    if name in ("functional", "profiler", "forward_ad"):
        import importlib
        return importlib.import_module(__name__ + "." + name)
    raise AttributeError(f"module 'torch.autograd' has no attribute '{name}'")
