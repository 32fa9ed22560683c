"""``torch.nn.attention``: choose the scaled-dot-product-attention backend.

PyTorch has several SDPA kernels (math, flash, memory-efficient, cuDNN) and ``sdpa_kernel``
restricts which ones it may pick. Ember has one attention implementation (the math
formulation, ``ember.nn.functional.scaled_dot_product_attention``), so ``sdpa_kernel``
validates its arguments as PyTorch does and records the choice (readable through
``torch.backends.cuda.*_sdp_enabled()``) but every backend computes the same result
(see docs/differences.md).
"""
import contextlib
import enum

from ...backends import cuda as _cuda

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The SDPA backends, with PyTorch's members and values."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self):
        return self.value

    __index__ = __int__


# Flag name in torch.backends.cuda -> backend, in PyTorch's order.
_FLAGS = {"cudnn": SDPBackend.CUDNN_ATTENTION, "flash": SDPBackend.FLASH_ATTENTION,
          "mem_efficient": SDPBackend.EFFICIENT_ATTENTION, "math": SDPBackend.MATH,
          "overrideable": SDPBackend.OVERRIDEABLE}
_DEFAULT_PRIORITY = [1, 2, 0, 3, 4]  # PyTorch's default order (flash first)
_priority = list(_DEFAULT_PRIORITY)


def _flags():
    _cuda._sdp.setdefault("overrideable", True)
    return _cuda._sdp


def _current_backends(with_priority=False):
    """The enabled backends (in priority order with ``with_priority``)."""
    flags = _flags()
    backends = [b for name, b in _FLAGS.items() if flags.get(name, True)]
    if with_priority:
        backends.sort(key=lambda b: _priority.index(int(b)))
    return backends


def _get_priority_order():
    """The backend priority order as ints (``torch._C._get_sdp_priority_order()``)."""
    return list(_priority)


def _set_backends(backends, set_priority=False):
    flags = _flags()
    for name, b in _FLAGS.items():
        flags[name] = b in backends
    if set_priority:
        order = [int(b) for b in backends]
        order += [p for p in _priority if p not in order]
        _priority[:] = order


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Context manager that selects the backends scaled dot product attention may use.

    Args:
        backends (SDPBackend or list of SDPBackend): the allowed backend(s).
        set_priority (bool): whether the order of ``backends`` is their priority order.

    On exit the previous selection (and priority order) comes back. Ember computes attention
    one way whatever is selected.

    Example::

        >>> with sdpa_kernel(SDPBackend.MATH):
        ...     out = F.scaled_dot_product_attention(q, k, v)
    """
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(f"Backend must be an instance of SDPBackend or a list of SDPBackend "
                             f"instances, got {type(backends).__name__}")
    if isinstance(backends, SDPBackend):
        backends = [backends]
    backends = list(dict.fromkeys(backends))
    previous = _current_backends(with_priority=set_priority)
    previous_priority = list(_priority)
    try:
        _set_backends(backends, set_priority)
        yield {}
    finally:
        _set_backends(previous, set_priority)
        _priority[:] = previous_priority


from . import bias  # noqa: E402,F401  (torch.nn.attention.bias)
