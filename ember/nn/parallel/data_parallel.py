"""``nn.DataParallel`` and ``nn.parallel.data_parallel``."""
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


def _cuda_ids():
    from ... import cuda
    return list(range(cuda.device_count())) if cuda.is_available() else []


def _to(obj, device):
    from ...tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(o, device) for o in obj)
    if isinstance(obj, dict):
        return {k: _to(v, device) for k, v in obj.items()}
    return obj


class DataParallel(Module):
    """Wraps ``module`` as PyTorch's DataParallel: calls go to ``self.module`` and state-dict
    keys gain the ``module.`` prefix. Without CUDA it runs the module as is (as PyTorch does
    on a CPU-only build); with CUDA, inputs go to ``device_ids[0]`` and the whole batch runs
    there (Ember does not split a batch across GPUs).

    Args:
        module (Module): the module to wrap.
        device_ids (list of int): CUDA devices (default: all).
        output_device (int): device for the output (default: ``device_ids[0]``).
        dim (int): the batch dimension.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        available = _cuda_ids()
        if not available:
            self.device_ids = []
            return
        ids = available if device_ids is None else [
            d.index if hasattr(d, "index") else int(d) for d in device_ids]
        self.dim = dim
        self.device_ids = ids
        self.output_device = ids[0] if output_device is None else (
            output_device.index if hasattr(output_device, "index") else int(output_device))
        self.src_device_obj = f"cuda:{ids[0]}"

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in list(self.module.parameters()) + list(self.module.buffers()):
            if str(t.device) != self.src_device_obj:
                raise RuntimeError(f"module must have its parameters and buffers on device "
                                   f"{self.src_device_obj} (device_ids[0]) but found one of "
                                   f"them on device: {t.device}")
        out = self.module(*_to(inputs, self.src_device_obj), **_to(kwargs, self.src_device_obj))
        return _to(out, f"cuda:{self.output_device}")


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """Functional DataParallel: ``module(*inputs, **module_kwargs)`` on ``device_ids[0]``
    (or as is without CUDA)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    module_kwargs = module_kwargs or {}
    if not _cuda_ids():
        return module(*inputs, **module_kwargs)
    dp = DataParallel(module, device_ids, output_device, dim)
    return dp(*inputs, **module_kwargs)
