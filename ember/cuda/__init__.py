"""``ember.cuda``: CUDA device queries. Without CuPy and a GPU, ``is_available()`` is False."""
from ..backends import dispatch as _dispatch

_state = {"init": False}


def _initialized():
    return _state["init"]


def is_available():
    """True when CuPy is installed and sees at least one GPU."""
    try:
        _dispatch.cupy()
    except RuntimeError:
        return False
    return True


def device_count():
    if not is_available():
        return 0
    return _dispatch.cupy().cuda.runtime.getDeviceCount()


def _require():
    cp = _dispatch.cupy()
    _state["init"] = True
    return cp


def current_device():
    return _require().cuda.Device().id


def set_device(device):
    from ..device import device as _dev
    idx = device if isinstance(device, int) else _dev(device).index or 0
    _require().cuda.Device(idx).use()


def synchronize(device=None):
    if is_available():
        _require().cuda.Stream.null.synchronize()


def get_device_name(device=None):
    cp = _require()
    idx = 0 if device is None else (device if isinstance(device, int) else device.index or 0)
    return cp.cuda.runtime.getDeviceProperties(idx)["name"].decode()


def manual_seed(seed):
    if is_available():
        _require().random.seed(int(seed) & 0xFFFFFFFF)


def manual_seed_all(seed):
    manual_seed(seed)


def seed():
    pass


def seed_all():
    pass


def empty_cache():
    if _state["init"]:
        _require().get_default_memory_pool().free_all_blocks()


def memory_allocated(device=None):
    return _require().get_default_memory_pool().used_bytes() if _state["init"] else 0


def max_memory_allocated(device=None):
    return memory_allocated(device)


def memory_reserved(device=None):
    return _require().get_default_memory_pool().total_bytes() if _state["init"] else 0


def max_memory_reserved(device=None):
    return memory_reserved(device)


def reset_peak_memory_stats(device=None):
    pass


def is_initialized():
    return _state["init"]


from . import amp  # noqa: E402,F401  (torch.cuda.amp)
from .._errors import OutOfMemoryError  # noqa: E402,F401  (torch.cuda.OutOfMemoryError)
