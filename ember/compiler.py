"""``torch.compiler``: Ember runs eagerly and never compiles, so these are the answers an
eager program sees (``is_compiling()`` is False) and decorators that return their function."""
from ._settings import compile  # noqa: F401  (torch.compiler.compile is torch.compile)


def is_compiling():
    return False


def is_dynamo_compiling():
    return False


def is_exporting():
    return False


def _passthrough(fn=None, **_kwargs):
    """``@decorator`` and ``@decorator(...)`` forms both return the function unchanged."""
    if fn is None:
        return lambda f: f
    return fn


def disable(fn=None, recursive=True, *, reason=None):
    return _passthrough(fn)


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def substitute_in_graph(original_fn, *, can_constant_fold_through=False, skip_signature_check=False):
    return lambda fn: fn


def reset():
    """Nothing is cached: there is no compiled code to drop."""


def list_backends(exclude_tags=("debug", "experimental")):
    return []


def cudagraph_mark_step_begin():
    """No CUDA graphs are captured."""


class set_stance:
    """Accepted and ignored (usable as a call, context manager or decorator)."""

    def __init__(self, stance="default", *, skip_guard_eval_unsafe=False, force_backend=None):
        self.stance = stance

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        return fn
