"""``torch._dynamo``: the pieces eager programs touch. Ember never compiles, so settings in
``config`` are stored and have no effect, and the decorators return their function."""
from ..compiler import (allow_in_graph, assume_constant_result, disable,  # noqa: F401
                        is_compiling, list_backends, reset)
from . import config  # noqa: F401


def is_dynamo_supported():
    return False


def mark_dynamic(t, index, *, min=None, max=None):
    """Shape specialisation hints have nothing to act on in eager mode."""


def mark_static(t, index=None):
    """Shape specialisation hints have nothing to act on in eager mode."""


def maybe_mark_dynamic(t, index):
    """Shape specialisation hints have nothing to act on in eager mode."""


def graph_break():
    """Eager code has no graph to break."""


def optimize(backend="inductor", *, nopython=False, dynamic=None, **_kwargs):
    return lambda fn: fn
