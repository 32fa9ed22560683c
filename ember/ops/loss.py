"""Fused loss kernels: cross-entropy, NLL, MSE, BCE, BCE-with-logits, CTC.

Cross-entropy is one node: log-softmax and NLL in one pass forward, and ``softmax - onehot``
(scaled by the weights) backward. Backward nodes keep a NumPy fast path for plain backward
and a Tensor-op path when ``create_graph=True``.
"""
import numpy as np

from ..autograd.engine import FAST_BACKWARD
from ..autograd.grad_mode import state
from ..autograd.graph import Node
from ._util import arr, attach, scalar_operand, wrap

REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce_arr(loss, reduction, denom=None):
    if reduction == "none":
        return loss
    s = loss.sum(dtype=loss.dtype)
    if reduction == "sum":
        return np.asarray(s)
    with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 (every target ignored) is NaN
        return np.asarray(s / (loss.size if denom is None else denom), dtype=loss.dtype)


def _grad_scale(g, reduction, shape, denom):
    """Per-element upstream gradient (array) for a reduced loss."""
    gd = g._data
    if reduction == "none":
        return gd
    if reduction == "mean":
        gd = gd / denom
    return np.broadcast_to(gd, shape)


# ================================================================ class-index targets
def _flatten_classes(input, target, kernel):
    """(rows, C) view of a (N, C, d1, ...) / (C,) input and (rows,) targets."""
    x = input._data
    t = target._data
    if x.ndim == 0:
        raise RuntimeError(f"{kernel}: input tensor should be at least 1D")
    if x.ndim == 1:
        if t.ndim != 0:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported")
        return x[None, :], t.reshape(1), ()
    n, c = x.shape[0], x.shape[1]
    if t.ndim != x.ndim - 1 or t.shape[0] != n:
        if t.ndim >= 1 and t.shape[0] != n and x.ndim == 2:
            raise ValueError(f"Expected input batch_size ({n}) to match target batch_size "
                             f"({t.shape[0]}).")
        if x.ndim == 2:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        raise RuntimeError(f"Expected target size {[n] + list(x.shape[2:])}, got "
                           f"{list(t.shape)}")
    if tuple(t.shape[1:]) != tuple(x.shape[2:]):
        raise RuntimeError(f"Expected target size {[n] + list(x.shape[2:])}, got "
                           f"{list(t.shape)}")
    if x.ndim == 2:
        return x, t, (n,)
    rows = np.moveaxis(x, 1, -1).reshape(-1, c)
    return rows, t.reshape(-1), (n,) + tuple(x.shape[2:])


def _grad_denom(denom):
    # Every target ignored (total weight 0): the mean is 0/0 = nan, as in PyTorch, but the
    # gradient is zero there, not nan.
    return denom if denom != 0 else np.inf


def _targets(t, c, ignore_index):
    if t.dtype.kind not in "iu":
        raise RuntimeError(f"expected scalar type Long but found "
                           f"{ {'f': 'Float', 'b': 'Bool'}.get(t.dtype.kind, str(t.dtype)) }")
    valid = t != ignore_index
    if valid.all():
        safe = t
        valid = None
    else:
        safe = np.where(valid, t, 0)
    if safe.size and (safe.min() < 0 or safe.max() >= c):
        bad = safe[(safe < 0) | (safe >= c)][0]
        raise IndexError(f"Target {bad} is out of bounds.")
    return safe, valid


def _row_weights(weight, safe, valid, dtype):
    """Per-row weight w[target] (0 for ignored rows), or None when all are 1."""
    if weight is None:
        if valid is None:
            return None
        return valid.astype(dtype)
    w = weight._data[safe].astype(dtype, copy=False)
    if valid is not None:
        w = w * valid
    return w


def _unrows(a, out_shape):
    return a.reshape(out_shape) if out_shape else a.reshape(())


def _rows_to_input(gr, x_shape):
    """(rows, C) gradient back to the input's (N, C, d1, ...) layout."""
    if len(x_shape) == 1:
        return gr.reshape(x_shape)
    if len(x_shape) == 2:
        return gr
    n, c = x_shape[0], x_shape[1]
    return np.ascontiguousarray(np.moveaxis(gr.reshape((n,) + tuple(x_shape[2:]) + (c,)), -1, 1))


class NllLossBackward0(Node):
    __slots__ = ("_coef", "_reduction", "_out_shape", "_x_shape")

    def backward(self, g):
        # d loss / d x = -w_i * onehot: constant coefficients, so g * coef is exact at any
        # order.
        coef = wrap(self._coef)
        if self._reduction == "none":
            gr = g.reshape(-1, 1) if self._out_shape else g.reshape(1, 1)
        else:
            gr = g
        gx = coef * gr
        return _back_to_input(gx, self._x_shape), None, None

    def _release_extra(self):
        self._coef = None


def _back_to_input(gr, x_shape):
    if len(x_shape) == 1:
        return gr.reshape(x_shape)
    if len(x_shape) == 2:
        return gr
    n, c = x_shape[0], x_shape[1]
    return gr.reshape((n,) + tuple(x_shape[2:]) + (c,)).movedim(-1, 1)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean"):
    check_reduction(reduction)
    x, t, out_shape = _flatten_classes(input, target, "nll_loss")
    c = x.shape[1]
    _check_weight(weight, c)
    safe, valid = _targets(t, c, ignore_index)
    w = _row_weights(weight, safe, valid, x.dtype)
    rows = np.arange(x.shape[0])
    picked = -x[rows, safe]
    loss = picked * w if w is not None else picked
    denom = (w.sum(dtype=x.dtype) if w is not None else x.shape[0])
    out = _reduce_arr(loss, reduction, denom)
    res = wrap(arr(_unrows(out, out_shape) if reduction == "none" else out))
    if state.enabled and input._requires_grad:
        coef = np.zeros(x.shape, dtype=x.dtype)
        coef[rows, safe] = -(w if w is not None else 1)
        if reduction == "mean":
            coef /= _grad_denom(denom)
        node = NllLossBackward0()
        node._coef = coef
        node._reduction = reduction
        node._out_shape = out_shape
        node._x_shape = input._data.shape
        attach(res, node, (input, None, None))
    return res


def _check_weight(weight, c):
    if weight is not None and (weight.ndim != 1 or weight.numel() != c):
        raise RuntimeError(f"weight tensor should be defined either for all {c} classes or no "
                           f"classes but got weight tensor of shape: {list(weight.shape)}")


class CrossEntropyLossBackward0(Node):
    """log_softmax + nll (+ label smoothing) in one node.

    d loss / d x_ic = gs_i [p_ic ((1-eps) w_i + eps/C valid_i W) - (1-eps) w_i onehot_ic
                            - eps/C valid_i w_c]   (W = sum of class weights)
    """

    __slots__ = ("_p", "_onehot_w", "_smooth", "_reduction", "_out_shape", "_x_shape",
                 "_denom", "_eps", "_wc", "_wsum", "_valid")

    def backward(self, g):
        eps, c = self._eps, self._p.shape[1] if self._p is not None else 0
        if not state.enabled:
            p = self._p
            if self._reduction == "none":
                gs = g._data.reshape(-1, 1)
            else:
                gs = g._data / self._denom if self._reduction == "mean" else g._data
            # (1 - eps) * w_i * (p - onehot) + eps / C * valid_i * (W p - w_c)
            gr = p * self._smooth - self._onehot_w
            if eps:
                gr -= (eps / c) * self._valid * self._wc
            gr *= gs
            return wrap(_rows_to_input(gr, self._x_shape)), None, None
        (x,) = self.saved_tensors
        rows = _to_rows_tensor(x)
        p = rows.softmax(-1)
        if self._reduction == "none":
            gs = g.reshape(-1, 1)
        else:
            gs = g / self._denom if self._reduction == "mean" else g
        gr = p * wrap(self._smooth) - wrap(self._onehot_w)
        if eps:
            gr = gr - wrap((eps / c) * self._valid * self._wc)
        return _back_to_input(gr * gs, self._x_shape), None, None

    def _release_extra(self):
        self._p = None
        self._onehot_w = None



# PyTorch builds cross_entropy as log_softmax + nll_loss, so a loss prints
# `grad_fn=<NllLossBackward0>`; the fused node takes that name.
CrossEntropyLossBackward0.__name__ = "NllLossBackward0"
CrossEntropyLossBackward0.__qualname__ = "NllLossBackward0"

def _to_rows_tensor(x):
    if x.ndim == 1:
        return x.reshape(1, -1)
    if x.ndim == 2:
        return x
    c = x.shape[1]
    return x.movedim(1, -1).reshape(-1, c)


def cross_entropy_indices(input, target, weight=None, ignore_index=-100, reduction="mean",
                          label_smoothing=0.0):
    """Cross-entropy of logits ``input`` (N, C, ...) against class indices ``target``."""
    check_reduction(reduction)
    x, t, out_shape = _flatten_classes(input, target, "cross_entropy")
    n, c = x.shape
    _check_weight(weight, c)
    safe, valid = _targets(t, c, ignore_index)
    dtype = x.dtype
    m = x.max(axis=1, keepdims=True) if c else np.zeros((n, 1), dtype)
    sh = x - m
    e = np.exp(sh)
    s = e.sum(axis=1, keepdims=True)
    logz = np.log(s)
    rows = np.arange(n)
    nll = logz[:, 0] - sh[rows, safe]
    w = _row_weights(weight, safe, valid, dtype)
    loss = nll * w if w is not None else nll
    eps = float(label_smoothing)
    wc = weight._data.astype(dtype, copy=False)[None, :] if weight is not None else None
    if eps:
        logp = sh - logz
        smooth = -(logp * wc).sum(axis=1) if wc is not None else -logp.sum(axis=1)
        if valid is not None:
            smooth = smooth * valid
        loss = loss * (1 - eps) + smooth * (eps / c)
    denom = w.sum(dtype=dtype) if w is not None else n
    out = _reduce_arr(loss, reduction, denom)
    res = wrap(arr(_unrows(out, out_shape) if reduction == "none" else out))
    if state.enabled and input._requires_grad:
        node = CrossEntropyLossBackward0()
        p = e / s
        node._p = p
        wi = w[:, None] if w is not None else np.ones((n, 1), dtype)
        validc = valid[:, None].astype(dtype) if valid is not None else np.ones((n, 1), dtype)
        wsum = wc.sum(dtype=dtype) if wc is not None else dtype.type(c)
        node._smooth = (1 - eps) * wi + (eps / c) * validc * wsum if eps else wi
        oh = np.zeros((n, c), dtype)
        oh[rows, safe] = (wi[:, 0] * (1 - eps)) if eps else wi[:, 0]
        node._onehot_w = oh
        node._valid = validc
        node._wc = wc if wc is not None else np.ones((1, c), dtype)
        node._eps = eps
        node._denom = _grad_denom(denom)
        node._reduction = reduction
        node._out_shape = out_shape
        node._x_shape = input._data.shape
        node.save_for_backward(input)
        attach(res, node, (input, None, None))
    return res


# ================================================================ regression / binary
class MseLossBackward0(Node):
    __slots__ = ("_reduction", "_n", "_diff")

    def _release_extra(self):
        self._diff = None

    def backward(self, g):
        x, t = self.saved_tensors
        scale = 2.0 / self._n if self._reduction == "mean" else 2.0
        if not state.enabled:
            gx = (x._data - t._data) * (g._data * scale if self._reduction != "none" else
                                        g._data * 2.0)
            gx = wrap(arr(np.asarray(gx, dtype=x._data.dtype)))
            return (gx if self._next[0] is not None else None,
                    -gx if self._next[1] is not None else None)
        gx = (x - t) * (g * (scale if self._reduction != "none" else 2.0))
        return gx, -gx


def _mse_fast(node, g):
    """Array-level MseLossBackward0 for the engine (no graph being built)."""
    saved = node._saved
    if type(saved) is not tuple or type(g) is not np.ndarray:
        return None
    x, t = saved
    vx, vt = node._versions
    if x._vc[0] != vx or t._vc[0] != vt:
        node.saved_tensors  # noqa: B018 - raises the "modified by an inplace" error
    xd = x._data
    scale = 2.0 / node._n if node._reduction == "mean" else 2.0
    d = node._diff
    if d is None:
        d = xd - t._data
    if g.ndim == 0 and xd.dtype.kind == "f":  # a reduced loss: one scalar operand
        gx = d * scalar_operand(float(g) * scale, xd.dtype)
    else:
        gx = d * (g * scale)
    if gx.dtype != xd.dtype:
        gx = gx.astype(xd.dtype)
    nxt = node._next
    return (gx if nxt[0] is not None else None, -gx if nxt[1] is not None else None)


FAST_BACKWARD[MseLossBackward0] = _mse_fast


def mse_loss(input, target, reduction="mean"):
    """Mean squared error of same-shaped (already broadcast) input and target."""
    d = input._data - target._data
    if reduction != "none" and 0 < d.size <= 4096 and type(d) is np.ndarray and \
            d.dtype in (np.float32, np.float64):
        # small inputs: one BLAS dot instead of square + reduce (a third of the time)
        s = np.vdot(d, d)
        out = np.asarray(s / d.size if reduction == "mean" else s, dtype=d.dtype)
    else:
        out = _reduce_arr(d * d, reduction)
    res = wrap(arr(out))
    if state.enabled and (input._requires_grad or target._requires_grad):
        node = MseLossBackward0()
        node._reduction = reduction
        node._n = d.size
        # the difference, for the array-level backward: small inputs only (it is held
        # until backward; large ones recompute it there)
        node._diff = d if d.size <= 4096 and type(d) is np.ndarray else None
        node.save_for_backward(input, target)
        attach(res, node, (input, target))
    return res


_EPS_BCE = 1e-12


class BinaryCrossEntropyBackward0(Node):
    __slots__ = ("_reduction", "_n")

    def backward(self, g):
        x, t, w = self.saved_tensors
        if self._reduction == "mean":
            g = g / self._n
        gx = gt = None
        if self._next[0] is not None:
            gx = g * (x - t) / ((1 - x) * x).clamp_min(_EPS_BCE)
            if w is not None:
                gx = gx * w
        if self._next[1] is not None:
            gt = g * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
            if w is not None:
                gt = gt * w
        return gx, gt, None


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    """``-w (t log x + (1 - t) log(1 - x))`` with logs clamped at -100 (as PyTorch)."""
    x, t = input._data, target._data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        lx = np.maximum(np.log(x), -100)
        l1x = np.maximum(np.log1p(-x), -100)
    loss = -(t * lx + (1 - t) * l1x)
    if weight is not None:
        loss = loss * weight._data
    loss = loss.astype(x.dtype, copy=False)
    res = wrap(arr(_reduce_arr(loss, reduction)))
    if state.enabled and (input._requires_grad or target._requires_grad):
        node = BinaryCrossEntropyBackward0()
        node._reduction = reduction
        node._n = loss.size
        wt = None
        if weight is not None:
            from .shape import expand
            wt = expand(weight, tuple(input.shape))
        node.save_for_backward(input, target, wt)
        attach(res, node, (input, target, None))
    return res


def _softplus_neg_abs(x):
    return np.log1p(np.exp(-np.abs(x)))


class BinaryCrossEntropyWithLogitsBackward0(Node):
    __slots__ = ("_reduction", "_n")

    def backward(self, g):
        x, t, w, pw = self.saved_tensors
        if self._reduction == "mean":
            g = g / self._n
        gx = gt = None
        if self._next[0] is not None:
            if pw is None:
                gx = x.sigmoid() - t
            else:
                lw = (pw - 1) * t + 1
                gx = lw * x.sigmoid() - pw * t
            gx = gx * g
            if w is not None:
                gx = gx * w
        if self._next[1] is not None:
            if pw is None:
                gt = -x
            else:
                gt = (pw - 1) * (-x).clamp_min(0) + (pw - 1) * (-(x.abs())).exp().log1p() - x
            gt = gt * g
            if w is not None:
                gt = gt * w
        return gx, gt, None, None


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid + BCE in one stable expression:
    ``(1 - t) x + (1 + (pw - 1) t) (log(1 + exp(-|x|)) + max(-x, 0))``."""
    x, t = input._data, target._data
    sp = _softplus_neg_abs(x) + np.maximum(-x, 0)  # softplus(-x), stable
    if pos_weight is None:
        loss = (1 - t) * x + sp
    else:
        lw = (pos_weight._data - 1) * t + 1
        loss = (1 - t) * x + lw * sp
    if weight is not None:
        loss = loss * weight._data
    loss = np.asarray(loss).astype(x.dtype, copy=False)
    res = wrap(arr(_reduce_arr(loss, reduction)))
    if state.enabled and (input._requires_grad or target._requires_grad):
        node = BinaryCrossEntropyWithLogitsBackward0()
        node._reduction = reduction
        node._n = loss.size
        node.save_for_backward(input, target, weight, pos_weight)
        attach(res, node, (input, target, None, None))
    return res


# ================================================================ CTC
def _lse3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    ms = np.where(np.isneginf(m), 0, m)
    with np.errstate(divide="ignore"):
        return ms + np.log(np.exp(a - ms) + np.exp(b - ms) + np.exp(c - ms))


class CtcLossBackward0(Node):
    __slots__ = ("_grad", "_reduction", "_scale")

    def backward(self, g):
        # PyTorch's CTC gradient is exp(lp) - posterior (it assumes log_softmax inputs).
        gd = wrap(self._grad)
        if self._reduction == "none":
            gs = g.reshape(1, -1, 1) * wrap(self._scale)
        else:
            gs = g * wrap(self._scale)
        return gd * gs, None

    def _release_extra(self):
        self._grad = None


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """Connectionist temporal classification loss (alpha-beta recursions over time)."""
    check_reduction(reduction)
    lp_t = log_probs
    unbatched = lp_t.ndim == 2
    lp = lp_t._data[:, None, :] if unbatched else lp_t._data
    T, N, C = lp.shape
    il = np.asarray(_as_list(input_lengths), dtype=np.int64).reshape(-1)
    tl = np.asarray(_as_list(target_lengths), dtype=np.int64).reshape(-1)
    tg = targets._data if hasattr(targets, "_data") else np.asarray(targets)
    if unbatched:
        tg = tg.reshape(1, -1)
    if il.shape[0] != N:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got "
                           f"{il.shape[0]} and {N}")
    if tl.shape[0] != N:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got "
                           f"{tl.shape[0]} and {N}")
    if (il > T).any():
        b = int(np.argmax(il > T))
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{il[b]} (while checking arguments for ctc_loss_cpu)")
    smax = int(tl.max()) if N else 0
    lab = np.zeros((N, max(smax, 1)), dtype=np.int64)
    if tg.ndim == 1:
        offs = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for b in range(N):
            lab[b, :tl[b]] = tg[offs[b]:offs[b] + tl[b]]
    else:
        lab[:, :smax] = tg[:, :smax]
    L = 2 * max(smax, 1) + 1
    ext = np.full((N, L), blank, dtype=np.int64)
    ext[:, 1::2] = lab
    lb = 2 * tl + 1  # valid extended length per batch
    spos = np.arange(L)
    inval = spos[None, :] >= lb[:, None]
    # s-2 transition allowed when label differs from the one two steps back (and not blank)
    skip = np.zeros((N, L), dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    dtype = lp.dtype
    ninf = dtype.type(-np.inf)
    lpe = np.take_along_axis(lp, np.broadcast_to(ext[None], (T, N, L)), axis=2)
    lpe = np.where(inval[None], ninf, lpe)
    alpha = np.full((T, N, L), ninf, dtype=dtype)
    alpha[0, :, 0] = lpe[0, :, 0]
    alpha[0, :, 1] = np.where(tl > 0, lpe[0, :, 1], ninf)
    for t in range(1, T):
        a = alpha[t - 1]
        a1 = np.concatenate([np.full((N, 1), ninf, dtype), a[:, :-1]], axis=1)
        a2 = np.concatenate([np.full((N, 2), ninf, dtype), a[:, :-2]], axis=1)
        a2 = np.where(skip, a2, ninf)
        alpha[t] = lpe[t] + _lse3(a, a1, a2)
    bidx = np.arange(N)
    tlast = np.maximum(il - 1, 0)
    end1 = alpha[tlast, bidx, lb - 1]
    end2 = np.where(tl > 0, alpha[tlast, bidx, np.maximum(lb - 2, 0)], ninf)
    ll = np.logaddexp(end1, end2)
    ll = np.where(il == 0, np.where(tl == 0, 0, ninf), ll).astype(dtype)
    nll = -ll
    # beta, with the emission at t included (PyTorch's convention)
    beta = np.full((T, N, L), ninf, dtype=dtype)
    nxt = np.full((N, L), ninf, dtype=dtype)
    for t in range(T - 1, -1, -1):
        b1 = np.concatenate([nxt[:, 1:], np.full((N, 1), ninf, dtype)], axis=1)
        b2 = np.concatenate([nxt[:, 2:], np.full((N, 2), ninf, dtype)], axis=1)
        skip2 = np.concatenate([skip[:, 2:], np.zeros((N, 2), bool)], axis=1)
        b2 = np.where(skip2, b2, ninf)
        cur = lpe[t] + _lse3(nxt, b1, b2)
        init = np.full((N, L), ninf, dtype)
        init[bidx, lb - 1] = lpe[t, bidx, lb - 1]
        has = tl > 0
        init[bidx[has], (lb - 2)[has]] = lpe[t, bidx[has], (lb - 2)[has]]
        is_last = (t == il - 1)[:, None]
        after = (t > il - 1)[:, None]
        cur = np.where(is_last, init, np.where(after, ninf, cur))
        beta[t] = cur
        nxt = cur
    inf_mask = np.isinf(nll)
    loss = np.where(inf_mask, 0, nll).astype(dtype) if zero_infinity else nll
    if reduction == "none":
        out = loss
        scale = np.ones((1, N, 1), dtype)
    elif reduction == "sum":
        out = np.asarray(loss.sum(dtype=dtype))
        scale = np.ones((1, N, 1), dtype)
    else:
        div = np.maximum(tl, 1).astype(dtype)
        out = np.asarray((loss / div).mean(dtype=dtype))
        scale = (1.0 / (div * N)).astype(dtype).reshape(1, N, 1)
    if unbatched:
        out = out.reshape(()) if reduction != "none" else out.reshape(())
    res = wrap(arr(np.asarray(out, dtype=dtype)))
    if state.enabled and log_probs._requires_grad:
        ab = alpha + beta
        mx = ab.max(axis=2, keepdims=True)
        mxs = np.where(np.isneginf(mx), 0, mx)
        ex = np.exp(ab - mxs)  # (T, N, L)
        onehot = (ext[:, :, None] == np.arange(C)[None, None, :]).astype(dtype)  # (N, L, C)
        acc = np.matmul(ex.transpose(1, 0, 2), onehot).transpose(1, 0, 2)  # (T, N, C)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            post = np.exp(np.log(acc) + mxs + nll[None, :, None] - lp)
        grad = np.exp(lp) - np.where(acc > 0, post, 0)
        tmask = (np.arange(T)[:, None] < il[None, :])[:, :, None]
        grad = grad * tmask
        if zero_infinity:
            grad = grad * (~inf_mask)[None, :, None]
        grad = np.nan_to_num(grad.astype(dtype, copy=False), nan=0.0)
        if unbatched:
            grad = grad[:, 0, :]
            scale = scale.reshape(1, 1)
        node = CtcLossBackward0()
        node._grad = grad
        node._reduction = reduction if not unbatched else "sum"
        node._scale = scale
        attach(res, node, (log_probs, None))
    return res


def _as_list(v):
    if hasattr(v, "_data"):
        return v._data.tolist() if v._data.ndim else [v._data.item()]
    if isinstance(v, (int, np.integer)):
        return [int(v)]
    return list(v)
