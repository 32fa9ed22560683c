"""``torch.accelerator``: the current accelerator is CUDA when a GPU can be used."""


def is_available():
    from . import cuda
    return cuda.is_available()


def current_accelerator(check_available=False):
    from .device import device
    return device("cuda") if is_available() else None


def device_count():
    from . import cuda
    return cuda.device_count()


def current_device_index():
    from . import cuda
    return cuda.current_device() if is_available() else -1


def synchronize(device=None):
    from . import cuda
    cuda.synchronize(device)
