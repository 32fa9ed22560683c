"""Functional utilities: pad, one_hot, normalize, cosine_similarity, pairwise_distance, pdist."""
import numpy as np

from ...amp import _policy as _amp
from ...ops import padding as _padding
from ...ops._util import wrap
from ...ops.distance import vector_norm as _norm

__all__ = ["pad", "one_hot", "normalize", "cosine_similarity", "pairwise_distance", "pdist"]


def pad(input, pad, mode="constant", value=None):
    """Pad the trailing dimensions of ``input``.

    Args:
        pad (tuple): (left, right) for the last dim, then (top, bottom) for the one before, ...
        mode (str): 'constant' | 'reflect' | 'replicate' | 'circular'. Default: 'constant'.
        value (float): fill value for 'constant' padding. Default: 0.

    Example::

        >>> F.pad(torch.ones(1, 2, 2), (1, 1), value=0.5).shape
        torch.Size([1, 2, 4])
    """
    if _amp.active and (mode == "replicate" or mode == "reflect" and len(pad) <= 4):
        input, = _amp.fp32(_amp.CPU, input)  # PyTorch's CPU list: reflection_pad1d/2d and
        # replication_pad1d/2d/3d run in float32
    return _padding.pad(input, pad, mode, value)


def one_hot(tensor, num_classes=-1):
    """Int64 one-hot encoding with a trailing class dimension of size ``num_classes``
    (max + 1 when -1)."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    xp = tensor.xp
    out = (d[..., None] == xp.arange(num_classes)).astype(np.int64)
    return wrap(out)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``x / max(||x||_p, eps)`` along ``dim``."""
    denom = _norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    res = input / denom
    if out is not None:
        out.copy_(res)
        return out
    return res


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``."""
    import ember
    x1, x2 = ember.broadcast_tensors(x1, x2) if tuple(x1.shape) != tuple(x2.shape) else \
        (x1, x2)
    n1 = _norm(x1, 2, dim, keepdim=True).clamp_min(eps)
    n2 = _norm(x2, 2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    out_dim = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    if out_dim == 0:
        return _norm(diff.reshape(1), p, -1, keepdim=False) if not keepdim else \
            _norm(diff.reshape(1), p, -1, keepdim=False)
    return _norm(diff, p, out_dim - 1, keepdim)


def pdist(input, p=2):
    """Distances between every pair of rows of a 2-D input (upper triangle, row-major)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    from ...ops.creation import tensor as _tensor
    diff = input[_tensor(i)] - input[_tensor(j)]
    return _norm(diff, p, -1)
