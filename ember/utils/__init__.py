"""``torch.utils``: data loading, checkpointing, tensorboard, hooks and friends."""
import importlib as _importlib

_SUB = ("data", "checkpoint", "tensorboard", "hooks", "safetensors", "benchmark", "dlpack",
        "cpp_extension", "model_zoo", "bottleneck", "mobile_optimizer",
        "_pytree")


def __getattr__(name):
    if name in _SUB:
        try:
            mod = _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
        else:
            globals()[name] = mod
            return mod
    raise AttributeError(f"module 'torch.utils' has no attribute '{name}' (ember does not "
                         f"provide torch.utils.{name}; see docs/differences.md)")
