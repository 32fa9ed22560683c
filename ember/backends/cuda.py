"""``torch.backends.cuda`` flags (matmul precision, attention kernels): accepted and kept."""
import contextlib
import warnings


class _Matmul:
    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _Matmul()
_sdp = {"flash": True, "mem_efficient": True, "math": True, "cudnn": True}


def is_built():
    return False


def enable_flash_sdp(enabled):
    _sdp["flash"] = bool(enabled)


def enable_mem_efficient_sdp(enabled):
    _sdp["mem_efficient"] = bool(enabled)


def enable_math_sdp(enabled):
    _sdp["math"] = bool(enabled)


def enable_cudnn_sdp(enabled):
    _sdp["cudnn"] = bool(enabled)


def cudnn_sdp_enabled():
    return _sdp["cudnn"]


def is_flash_attention_available():
    """False: Ember has no fused flash-attention kernel (as PyTorch's CPU build)."""
    return False


@contextlib.contextmanager
def sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True,
               enable_cudnn=True):
    """Deprecated form of ``torch.nn.attention.sdpa_kernel``: allow the backends whose flag
    is True inside the block (every backend computes the same attention in Ember)."""
    warnings.warn("`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this "
                  "context manager will be removed. Please see `torch.nn.attention.sdpa_kernel()` "
                  "for the new context manager, with updated signature.", FutureWarning,
                  stacklevel=3)
    from ..nn.attention import SDPBackend, sdpa_kernel
    chosen = [b for on, b in ((enable_flash, SDPBackend.FLASH_ATTENTION),
                              (enable_mem_efficient, SDPBackend.EFFICIENT_ATTENTION),
                              (enable_math, SDPBackend.MATH),
                              (enable_cudnn, SDPBackend.CUDNN_ATTENTION)) if on]
    with sdpa_kernel(chosen) as ctx:
        yield ctx


def flash_sdp_enabled():
    return _sdp["flash"]


def mem_efficient_sdp_enabled():
    return _sdp["mem_efficient"]


def math_sdp_enabled():
    return _sdp["math"]


def preferred_linalg_library(backend=None):
    return "default"
