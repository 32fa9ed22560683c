"""``torch.sym_*`` helpers and ``torch.get_device_module``.

PyTorch's sym_* functions accept symbolic sizes from its tracing compiler as well as plain
Python numbers; Ember has no symbolic sizes, so they are the plain-number versions, with
PyTorch's result types (a float when either operand of sym_max / sym_min is one).
"""
import builtins
import math

from .tensor import Tensor

__all__ = ["sym_int", "sym_float", "sym_max", "sym_min", "sym_not", "sym_ite", "sym_sqrt",
           "sym_sum", "get_device_module"]

_NUMBERS = (builtins.int, builtins.float, builtins.bool)


def _number(x):
    if isinstance(x, Tensor):
        return x.item()
    if not isinstance(x, _NUMBERS):
        raise TypeError(f"expected a number, got {type(x).__name__}")
    return x


def sym_int(a):
    """``int(a)`` (truncates floats)."""
    return builtins.int(_number(a))


def sym_float(a):
    return builtins.float(_number(a))


def sym_max(a, b):
    """``max(a, b)``, a float when either is a float."""
    a, b = _number(a), _number(b)
    m = builtins.max(a, b)
    return builtins.float(m) if isinstance(a, builtins.float) or isinstance(b, builtins.float) \
        else m


def sym_min(a, b):
    """``min(a, b)``, a float when either is a float."""
    a, b = _number(a), _number(b)
    m = builtins.min(a, b)
    return builtins.float(m) if isinstance(a, builtins.float) or isinstance(b, builtins.float) \
        else m


def sym_not(a):
    return not a


def sym_ite(b, t, f):
    """``t if b else f``."""
    return t if b else f


def sym_sqrt(a):
    return math.sqrt(_number(a))


def sym_sum(args):
    """The sum of ``args`` (starting from 0, as ``sum``)."""
    return builtins.sum(args)


def get_device_module(device=None):
    """The module of a device type (``ember.cuda`` for "cuda" / ``device("cuda:0")``,
    ``ember.cpu`` for "cpu"); without an argument, the current accelerator's, else CPU's."""
    import importlib
    from . import accelerator
    from .device import device as _device
    if device is None:
        acc = accelerator.current_accelerator()
        name = acc.type if acc is not None else "cpu"
    elif isinstance(device, _device):
        name = device.type
    elif isinstance(device, str):
        name = _device(device).type
    else:
        raise RuntimeError(f"Invalid value of device '{device}', expect torch.device, str, or "
                           "None")
    try:
        return importlib.import_module(f"ember.{name}")
    except ModuleNotFoundError:
        raise RuntimeError(f"Device '{name}' does not have a corresponding module registered "
                           f"as 'torch.{name}'.") from None
