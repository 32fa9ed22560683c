"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (thread-local)."""
import functools
import inspect
import threading


class _State(threading.local):
    enabled = True     # graph recording on: what every op checks (off in inference mode)
    inference = False
    inf_grad = False   # the grad mode users see (is_grad_enabled) while in inference mode
    anomaly = False
    anomaly_check_nan = True
    saved_hooks = ()  # stack of (pack, unpack) pairs from graph.saved_tensors_hooks


state = _State()


class _Ever:
    """Process-wide: whether anomaly mode / saved-tensor hooks were ever turned on in any
    thread. Every recorded op checks these plain flags before the thread-local state, whose
    attributes cost several times more to read."""

    __slots__ = ("anomaly", "saved_hooks", "inference")

    def __init__(self):
        self.anomaly = False
        self.saved_hooks = False
        self.inference = False  # inference_mode was entered: new tensors may be marked


ever = _Ever()


def is_grad_enabled():
    return state.inf_grad if state.inference else state.enabled


def is_inference_mode_enabled():
    return state.inference


_SAVE_MSG = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")
INPLACE_MSG = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details.")


class _InferenceVersion(list):
    """The version counter shared by every inference tensor (one made in inference mode):
    like PyTorch's, such tensors track no version. The checks live here, so ordinary tensors
    pay nothing for them: reading the version while recording a graph is a node saving the
    tensor for backward, and writing it outside inference mode is an in-place update."""

    __slots__ = ()

    def __getitem__(self, i):
        if state.enabled:
            raise RuntimeError(_SAVE_MSG)
        return 0

    def __setitem__(self, i, value):
        if not state.inference:
            raise RuntimeError(INPLACE_MSG)


INFERENCE_VC = _InferenceVersion([0])


def check_inference_inplace(t):
    """PyTorch's error for an in-place update of an inference tensor outside the mode."""
    if t._vc is INFERENCE_VC and not state.inference:
        raise RuntimeError(INPLACE_MSG)


class _DecoratorContextManager:
    """A context manager that also works as a decorator (generators included)."""

    def __call__(self, func):
        if inspect.isclass(func):
            raise RuntimeError("grad-mode decorators can't be applied to classes")
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def gen_wrapper(*args, **kwargs):
                # The mode applies while the generator body runs, not while it is suspended.
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        response = gen.send(None)
                    while True:
                        try:
                            request = yield response
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException as exc:
                            with self.clone():
                                response = gen.throw(exc)
                        else:
                            with self.clone():
                                response = gen.send(request)
                except StopIteration as stop:
                    return stop.value
            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also usable as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """Disable gradient recording inside the block (context manager or decorator).

    Example::

        >>> x = torch.ones(2, requires_grad=True)
        >>> with torch.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = (state.enabled, state.inf_grad)
        state.enabled = False
        state.inf_grad = False
        return None

    def __exit__(self, *exc):
        state.enabled, state.inf_grad = self.prev
        return False


def _set_grad(mode):
    # Inside inference mode nothing is recorded whatever the grad mode (as in PyTorch).
    state.enabled = mode and not state.inference
    state.inf_grad = mode


class enable_grad(_NoParamDecoratorContextManager):
    """Enable gradient recording inside the block (context manager or decorator)."""

    def __enter__(self):
        self.prev = (state.enabled, state.inf_grad)
        _set_grad(True)
        return None

    def __exit__(self, *exc):
        state.enabled, state.inf_grad = self.prev
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode on or off; takes effect at once, and as a context manager restores it."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not "
                            f"{type(mode).__name__}")
        self.prev = (state.enabled, state.inf_grad)
        self.mode = mode
        _set_grad(mode)

    def __call__(self, func):
        state.enabled, state.inf_grad = self.prev
        return super().__call__(func)

    def __enter__(self):
        _set_grad(self.mode)
        return None

    def __exit__(self, *exc):
        state.enabled, state.inf_grad = self.prev
        return False

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Context manager (or decorator) that enables or disables inference mode.

    Like ``no_grad``, nothing is recorded inside; tensors created inside are *inference
    tensors* (``is_inference()``) that track no version: they cannot be saved for backward
    or updated in place outside inference mode. ``inference_mode(False)`` turns the mode
    off (and grad mode on) inside an enclosing one.

    Example::

        >>> with torch.inference_mode():
        ...     y = x * 2
        >>> y.is_inference(), y.requires_grad
        (True, False)
    """

    def __init__(self, mode=True):
        self.mode = mode

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # used as a bare decorator: @inference_mode

    def __enter__(self):
        self.prev = (state.enabled, state.inference, state.inf_grad)
        if self.mode:
            ever.inference = True
            state.enabled = False
            state.inference = True
            state.inf_grad = False
        else:  # PyTorch: InferenceMode(false) also turns grad mode on
            state.enabled = True
            state.inference = False
        return None

    def __exit__(self, *exc):
        state.enabled, state.inference, state.inf_grad = self.prev
        return False

    def clone(self):
        return self.__class__(self.mode)
