"""``torch.cpu``: the CPU spelling of the ``torch.cuda`` device API, for device-agnostic code.

As in PyTorch, there is exactly one CPU device, work is synchronous, and streams and events
are placeholders: every query answers what a CPU always answers.

Example::

    >>> dev = "cuda" if torch.cuda.is_available() else "cpu"
    >>> getattr(torch, dev).synchronize()
"""
import functools
import platform
import types

from . import amp  # noqa: F401  (torch.cpu.amp)

__all__ = ["is_available", "is_initialized", "synchronize", "current_device", "current_stream",
           "stream", "set_device", "device_count", "Stream", "StreamContext", "Event",
           "get_capabilities"]


def is_available():
    """Always True: the CPU is always there."""
    return True


def is_initialized():
    """Always True: the CPU needs no lazy initialisation."""
    return True


def device_count():
    """The number of CPU *devices* (not cores): always 1."""
    return 1


def current_device():
    """The current CPU device, always ``'cpu'`` (a string, as PyTorch returns)."""
    return "cpu"


def set_device(device):
    """Select the CPU device: there is only one, so nothing changes."""


def synchronize(device=None):
    """Wait for all CPU work: CPU ops are synchronous, so this returns at once."""


class Stream:
    """A CPU stream placeholder (CPU work runs in program order)."""

    def __init__(self, priority=-1):
        self.priority = priority

    def wait_stream(self, stream):
        """Nothing to wait for on the CPU."""

    def wait_event(self, event):
        """Nothing to wait for on the CPU."""

    def record_event(self, event=None):
        """Returns None, as PyTorch's CPU stream does."""

    def query(self):
        return True

    def synchronize(self):
        """CPU work is already complete."""


class Event:
    """A CPU event placeholder: always complete."""

    def query(self):
        return True

    def record(self, stream=None):
        """Nothing to record on the CPU."""

    def synchronize(self):
        """Already complete."""

    def wait(self, stream=None):
        """Already complete."""


_default_stream = Stream()
_state = {"stream": _default_stream}


def current_stream(device=None):
    """The stream selected by the innermost :func:`stream` context (the default stream
    outside any)."""
    return _state["stream"]


class StreamContext:
    """Context manager that makes ``stream`` current; ``None`` leaves the current one."""

    def __init__(self, stream):
        self.stream = stream
        self.prev_stream = _default_stream

    def __enter__(self):
        if self.stream is not None:
            self.prev_stream = _state["stream"]
            _state["stream"] = self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            _state["stream"] = self.prev_stream


def stream(stream):
    """``with torch.cpu.stream(s):`` selects ``s`` as the current CPU stream."""
    return StreamContext(stream)


@functools.lru_cache(None)
def get_capabilities():
    """Read-only mapping of the instruction sets this CPU supports (``'avx2'``, ``'avx512_f'``
    ...), from the kernel's CPU flags, plus ``'architecture'``."""
    caps = {"architecture": platform.machine()}
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(("flags", "Features")):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    names = {"sse": "sse", "sse2": "sse2", "sse3": "pni", "ssse3": "ssse3",
             "sse4_1": "sse4_1", "sse4_2": "sse4_2", "avx": "avx", "avx2": "avx2",
             "fma3": "fma", "f16c": "f16c", "avx512_f": "avx512f", "avx512_bw": "avx512bw",
             "avx512_vl": "avx512vl", "avx512_dq": "avx512dq", "avx512_cd": "avx512cd",
             "avx512_vnni": "avx512_vnni", "avx512_bf16": "avx512_bf16",
             "avx512_fp16": "avx512_fp16", "amx_bf16": "amx_bf16", "amx_tile": "amx_tile",
             "amx_int8": "amx_int8", "bmi": "bmi1", "bmi2": "bmi2", "popcnt": "popcnt",
             "aes": "aes", "neon": "asimd", "sve": "sve", "sve2": "sve2"}
    for key, flag in names.items():
        caps[key] = flag in flags
    return types.MappingProxyType(caps)
