"""Functional losses, with ``reduction`` 'none' | 'mean' | 'sum' and PyTorch's defaults."""
import math
import warnings

from ...amp import _policy as _amp
from ...ops import loss as _L
from ...ops import shape as _sh
from ...tensor import Tensor
from ._misc import pairwise_distance

__all__ = ["l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "smooth_l1_loss", "huber_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss",
           "ctc_loss"]


def legacy_get_string(size_average, reduce, emit_warning=True):
    """Map the deprecated ``size_average`` / ``reduce`` pair to a ``reduction`` string."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    _L.check_reduction(reduction)
    return reduction


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast(input, target):
    if tuple(input.shape) == tuple(target.shape):
        return input, target
    return _sh.broadcast_tensors(input, target)


def _weighted(loss, weight, input, reduction, mean_by_weight=True):
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weight.sum() if mean_by_weight else loss.mean()


# ---------------------------------------------------------------- regression
def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error ``|x - y|``."""
    if _amp.active:
        input, target, weight = _amp.fp32(_amp.BOTH, input, target, weight)
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    loss = (x - y).abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction)
    return _reduce(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error ``(x - y)^2``."""
    if _amp.active:
        input, target, weight = _amp.fp32(_amp.BOTH, input, target, weight)
    if size_average is None and reduce is None and weight is None:
        try:  # the common case: same shapes and dtypes, straight to the fused kernel
            xd, yd = input._data, target._data
            if xd.shape == yd.shape and xd.dtype == yd.dtype and reduction in _L.REDUCTIONS:
                return _L.mse_loss(input, target, reduction)
        except AttributeError:
            pass
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    if weight is not None:
        return _weighted((x - y).pow(2), weight, input, reduction)
    if x.dtype != y.dtype:
        from ...ops._util import promote_tensors
        rt = promote_tensors(x, y)
        x, y = x.to(rt), y.to(rt)
    return _L.mse_loss(x, y, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``."""
    if _amp.active:
        input, target = _amp.fp32(_amp.BOTH, input, target)
    _warn_size(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    x, y = _broadcast(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = x - y
    ad = d.abs()
    if beta == 0:
        return _reduce(ad, reduction)
    small = (ad < beta)
    loss = small * (0.5 * d * d / beta) + small.logical_not() * (ad - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""
    if _amp.active:
        input, target, weight = _amp.fp32(_amp.BOTH, input, target, weight)
    _warn_size(input, target)
    _L.check_reduction(reduction)
    x, y = _broadcast(input, target)
    d = x - y
    ad = d.abs()
    small = ad < delta
    loss = small * (0.5 * d * d) + small.logical_not() * (delta * (ad - 0.5 * delta))
    if weight is not None:
        return _weighted(loss, weight, input, reduction, mean_by_weight=False)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- classification
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross-entropy between logits ``input`` and class indices or class probabilities.

    Args:
        input: (N, C), (C,) or (N, C, d1, ...) unnormalised logits.
        target: class indices (N,) / () / (N, d1, ...) (int64), or probabilities shaped
            like ``input``.
        weight: per-class weights (C,).
        ignore_index: target value that contributes nothing (indices only).
        label_smoothing: mix the target with the uniform distribution by this amount.

    Example::

        >>> F.cross_entropy(torch.randn(3, 5, requires_grad=True), torch.tensor([1, 0, 4]))
    """
    if _amp.active:
        input, target, weight = _amp.fp32(_amp.BOTH, input, target, weight)
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if target.is_floating_point():
        if tuple(target.shape) != tuple(input.shape):
            if input.ndim >= 2 and target.ndim == input.ndim - 1:
                raise RuntimeError(f"expected scalar type Long but found "
                                   f"{target.dtype.name.capitalize()}")
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    return _L.cross_entropy_indices(input, target, weight, ignore_index, reduction,
                                    label_smoothing)


def _cross_entropy_probs(input, target, weight, reduction, eps):
    cdim = 1 if input.ndim >= 2 else 0
    c = input.shape[cdim]
    logp = input.log_softmax(cdim)
    if eps:
        target = target * (1 - eps) + eps / c
    prod = logp * target
    if weight is not None:
        shape = [1] * input.ndim
        shape[cdim] = c
        prod = prod * weight.reshape(shape)
    loss = -prod.sum(cdim)
    if reduction == "mean":
        n = input.numel() // c if input.ndim >= 2 else 1
        return loss.sum() / n
    return _reduce(loss, reduction)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of log-probabilities ``input`` at class indices ``target``."""
    if _amp.active:
        input, target, weight = _amp.fp32(_amp.BOTH, input, target, weight)
    reduction = _reduction(size_average, reduce, reduction)
    return _L.nll_loss(input, target, weight, ignore_index, reduction)


_BCE_BANNED = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_"
    "logits\nor torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and "
    "BCEWithLogits are\nsafe to autocast.")


def _check_same_size(input, target):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """``-w (y log x + (1 - y) log(1 - x))`` for probabilities ``x``."""
    if _amp.active:
        if _amp.region(_amp.CUDA, input, target):
            raise RuntimeError(_BCE_BANNED)
        input, target, weight = _amp.fp32(_amp.CPU, input, target, weight)
    reduction = _reduction(size_average, reduce, reduction)
    _check_same_size(input, target)
    if weight is not None:
        weight = _sh.broadcast_to(weight, tuple(input.shape))
    return _L.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one numerically stable expression.

    Args:
        pos_weight: weight of positive examples, broadcast along the last (class) dim.
    """
    if _amp.active:
        input, target, weight, pos_weight = _amp.fp32(_amp.BOTH, input, target, weight, pos_weight)
    reduction = _reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return _L.binary_cross_entropy_with_logits(input, target, weight, reduction, pos_weight)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence ``target * (log target - input)`` (``input`` is log-prob).

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL).
    """
    if _amp.active:
        input, target = _amp.fp32(_amp.BOTH, input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / input.size(0) if input.ndim else loss.sum()
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Poisson negative log-likelihood (``exp(x) - y x`` for log-rate inputs)."""
    if _amp.active:
        input, target = _amp.fp32(_amp.BOTH, input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        # Stirling's term, only where target > 1.
        t = target
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + stirling.masked_fill(t <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Gaussian negative log-likelihood ``0.5 (log var + (x - y)^2 / var)``."""
    if not isinstance(var, Tensor):
        from ...ops.creation import full_like
        var = full_like(input, float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    # Clamp for stability without touching the gradient (PyTorch clamps under no_grad).
    var = var + (var.clamp(min=eps) - var).detach()
    loss = 0.5 * (var.log() + (input - target).pow(2) / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- margins and embeddings
def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -y (x1 - x2) + margin)``."""
    if _amp.active:
        input1, input2, target = _amp.fp32(_amp.BOTH, input1, input2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``x`` where ``y == 1``, ``max(0, margin - x)`` where ``y == -1``."""
    if _amp.active:
        input, target = _amp.fp32(_amp.BOTH, input, target)
    reduction = _reduction(size_average, reduce, reduction)
    margin_part = (margin - input).clamp_min(0) * (target != 1)
    self_part = input * (target != -1)
    return _reduce(margin_part + self_part, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(x1, x2)`` where ``y == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``y == -1``."""
    if _amp.active:
        input1, input2, target = _amp.fp32(_amp.BOTH, input1, input2, target)
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim not in (1, 2):
        raise RuntimeError(f"cosine_embedding_loss : 1D target tensor expects 2D input tensors, "
                           f"but found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    dim = input1.ndim - 1
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    m1 = (input1 * input1).sum(dim) + eps
    m2 = (input2 * input2).sum(dim) + eps
    cos = prod / (m1 * m2).sqrt()
    pos = (1 - cos) * (target == 1)
    neg = (cos - margin).clamp_min(0) * (target == -1)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(d(a, p) - d(a, n) + margin, 0)`` with the p-norm pairwise distance."""
    if _amp.active:
        anchor, positive, negative = _amp.fp32(_amp.BOTH, anchor, positive, negative)
    reduction = _reduction(size_average, reduce, reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                           f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_swap = pairwise_distance(positive, negative, p, eps)
        d_neg = d_neg.minimum(d_swap)
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """Triplet loss with a custom ``distance_function(x1, x2)`` (default pairwise L2)."""
    _L.check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater than 0, "
                         f"got {margin} instead")
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                           f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-y x))``, computed stably."""
    if _amp.active:
        input, target = _amp.fp32(_amp.BOTH, input, target)
    reduction = _reduction(size_average, reduce, reduction)
    from ...ops.activation import softplus
    return _reduce(softplus(-target * input), reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Multi-label one-versus-all logistic loss, averaged over classes."""
    reduction = _reduction(size_average, reduce, reduction)
    from ...ops.activation import logsigmoid
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(dim=input.ndim - 1) / input.size(-1)
    return _reduce(loss, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-class multi-label hinge loss; ``target`` lists class indices, -1 terminated."""
    if _amp.active:
        input, target = _amp.fp32(_amp.BOTH, input, target)
    reduction = _reduction(size_average, reduce, reduction)
    import numpy as np
    from ...ops._util import wrap
    if input.ndim not in (1, 2) or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    t = target._data if input.ndim == 2 else target._data[None]
    n, c = x.shape
    # Targets count up to the first -1 in each row.
    stop = np.cumprod(t >= 0, axis=1).astype(bool)
    tsafe = np.where(stop, t, 0)
    if stop.any() and (tsafe.max() >= c or tsafe.min() < 0):
        raise RuntimeError("target out of range")
    is_target = np.zeros((n, c), dtype=bool)
    rows = np.repeat(np.arange(n), c)[stop.reshape(-1)]
    is_target[rows, tsafe[stop]] = True
    from ...ops.creation import tensor as _tensor
    xt = x.gather(1, _tensor(tsafe))  # (n, c): value at each listed target
    margins = (1 - xt.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0)
    mask = stop[:, :, None] & ~is_target[:, None, :]
    loss = (margins * wrap(mask.astype(x._data.dtype))).sum((1, 2)) / c
    if input.ndim == 1:
        loss = loss.squeeze(0)
    return _reduce(loss, reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss ``sum_{j != y} max(0, margin - x_y + x_j)^p / C``."""
    if _amp.active:
        input, target, weight = _amp.fp32(_amp.BOTH, input, target, weight)
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    t = target.reshape(-1, 1)
    c = x.shape[1]
    if x.shape[0] != t.shape[0]:
        raise RuntimeError(f"inconsistent target size, expected {x.shape[0]} but got "
                           f"{list(target.shape)}")
    xy = x.gather(1, t)
    m = (margin - xy + x).clamp_min(0)
    if p == 2:
        m = m * m
    if weight is not None:
        m = m * weight[t.reshape(-1)].reshape(-1, 1)
    from ...ops.creation import arange
    not_target = arange(c, device=input.device).reshape(1, -1) != t
    loss = (m * not_target).sum(1) / c
    if input.ndim < 2:
        loss = loss.reshape(()) if input.ndim <= 1 else loss
    return _reduce(loss, reduction)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist Temporal Classification loss.

    Args:
        log_probs: (T, N, C) or (T, C) log-probabilities (e.g. ``log_softmax`` output).
        targets: (N, S) padded, or 1-D concatenated targets.
        input_lengths, target_lengths: (N,) lengths (tensors or sequences of ints).
    """
    if _amp.active:
        log_probs, targets = _amp.fp32(_amp.CPU, log_probs, targets)
    return _L.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction,
                       zero_infinity)

