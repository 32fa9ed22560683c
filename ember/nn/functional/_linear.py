"""Functional dense layers: ``F.linear``, ``F.bilinear``."""
from ...amp import _policy as _amp
from ...ops.dense import linear as _linear

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """``y = x W^T + b`` (one GEMM; the bias add is fused for 2-D inputs).

    Shape:
        - input: :math:`(*, in)`, weight: :math:`(out, in)` or :math:`(in,)`,
          bias: :math:`(out,)` or ``None``; output: :math:`(*, out)`.
    """
    return _linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """``y_k = x1^T W_k x2 + b_k``.

    Shape:
        - input1: :math:`(*, in1)`, input2: :math:`(*, in2)`, weight: :math:`(out, in1, in2)`,
          bias: :math:`(out,)`; output: :math:`(*, out)`.
    """
    if _amp.active:  # CUDA's promote list; on CPU its matmuls keep float32, as PyTorch's
        input1, input2, weight, bias = _amp.promote(_amp.CUDA, input1, input2, weight, bias)
        return _amp.plain(bilinear, input1, input2, weight, bias)
    if input1.ndim != input2.ndim or tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, got {weight.ndim}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {in1}")
    if input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {in2}")
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with x2 by a batched GEMM.
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = (x1 @ w).reshape(-1, out_f, in2)
    y = (t @ x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (out_f,))
