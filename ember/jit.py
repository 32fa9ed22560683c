"""``torch.jit``: Ember runs eagerly. ``script``/``trace`` return what they are given, so code
that scripts or traces a model keeps working (documented in docs/differences.md)."""
import contextlib


def script(obj=None, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    return obj


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None,
          check_tolerance=1e-05, strict=True, _force_outplace=False,
          _module_class=None, _compilation_unit=None, example_kwarg_inputs=None,
          _store_inputs=True):
    return func


def trace_module(mod, inputs, **kwargs):
    return mod


def ignore(drop=False, **kwargs):
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def is_scripting():
    return False


def is_tracing():
    return False


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    return mod


def optimize_for_inference(mod, other_methods=None):
    return mod


def annotate(the_type, the_value):
    return the_value


def interface(obj):
    return obj


@contextlib.contextmanager
def optimized_execution(should_optimize):
    yield


class Final:
    """``torch.jit.Final[T]`` annotations are accepted."""

    def __class_getitem__(cls, item):
        return item


ScriptModule = object
ScriptFunction = object


def save(m, f, _extra_files=None):
    raise RuntimeError("torch.jit.save writes TorchScript archives, which Ember cannot produce; "
                       "save the state_dict with ember.save instead (see docs/differences.md)")


def load(f, map_location=None, _extra_files=None):
    raise RuntimeError("torch.jit.load reads TorchScript archives, which Ember cannot run; load "
                       "a state_dict with ember.load instead (see docs/differences.md)")


class Future:
    """What ``fork`` returns: the call already ran (Ember runs TorchScript code eagerly)."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    def done(self):
        return True

    def value(self):
        return self._value


def fork(func, *args, **kwargs):
    """Run ``func(*args, **kwargs)`` now and return a future holding its result (TorchScript
    would run it asynchronously; the results are the same)."""
    return Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


def Attribute(value, type=None):  # noqa: N802 - PyTorch's name
    """``self.x = torch.jit.Attribute(value, type)`` declares a typed attribute: the value."""
    return value
