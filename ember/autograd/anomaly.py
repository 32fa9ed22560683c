"""Anomaly detection: nodes remember their forward stack; a NaN gradient names its op."""
import functools
import warnings

from .grad_mode import ever, state


class detect_anomaly:
    """Context manager / decorator that enables anomaly detection for the autograd engine.

    While on, every recorded op keeps the stack of its forward call; an error in a backward
    node prints that stack, and (with ``check_nan``) a node whose backward returns NaN raises
    ``RuntimeError("Function 'XBackward0' returned nan values in its 0th output.")``.

    Example::

        >>> with torch.autograd.detect_anomaly():
        ...     loss = model(x).sum()
        ...     loss.backward()
    """

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly = True
        ever.anomaly = True
        state.anomaly_check_nan = self.check_nan
        return self

    def __exit__(self, *exc):
        state.anomaly, state.anomaly_check_nan = self.prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off at once; as a context manager, restores on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly = bool(mode)
        ever.anomaly = ever.anomaly or state.anomaly
        state.anomaly_check_nan = bool(check_nan)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        state.anomaly, state.anomaly_check_nan = self.prev
        return False


def is_anomaly_enabled():
    return state.anomaly


def is_anomaly_check_nan_enabled():
    return state.anomaly_check_nan


def set_anomaly_enabled(enabled, check_nan=True):
    state.anomaly = bool(enabled)
    ever.anomaly = ever.anomaly or state.anomaly
    state.anomaly_check_nan = bool(check_nan)
