"""nn.utils: gradient clipping, parameter vectors, parametrizations, rnn packing."""
from . import parametrizations, parametrize  # noqa: F401
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,  # noqa: F401
                        clip_grads_with_norm_, get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from . import fusion, prune, stateless  # noqa: F401
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights,  # noqa: F401
                     fuse_linear_bn_eval, fuse_linear_bn_weights)


def skip_init(module_cls, *args, **kwargs):
    """Construct ``module_cls(*args, **kwargs)`` (ember initialises eagerly; the values are
    simply not meant to be relied on)."""
    return module_cls(*args, **kwargs)


def __getattr__(name):
    # rnn (owned by the sequence helper) loads on first use.
    if name == "rnn":
        import importlib
        mod = importlib.import_module(__name__ + ".rnn")
        globals()["rnn"] = mod
        return mod
    raise AttributeError(f"module 'torch.nn.utils' has no attribute '{name}'")
