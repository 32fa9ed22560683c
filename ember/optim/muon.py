"""Muon (Jordan et al., 2024) as ``torch.optim.Muon``: momentum SGD whose update is
orthogonalised by a quintic Newton-Schulz iteration, for 2-D parameters.

PyTorch runs the iteration in bfloat16; Ember does the same arithmetic in float32 and rounds
to bfloat16 where PyTorch stores a bfloat16 result, so the updates agree with PyTorch's."""
import math

import numpy as np

from .adafactor import lerp_exact
from ._functional import zeros_like
from .optimizer import Optimizer, _to_scalar

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x):
    """Round a float32 array to the nearest bfloat16 (ties to even), kept as float32."""
    x = np.ascontiguousarray(x, np.float32)
    bits = x.view(np.uint32)
    rounded = (bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))) \
        & np.uint32(0xFFFF0000)
    out = rounded.view(np.float32)
    nan = np.isnan(x)
    if nan.any():
        out = np.where(nan, x, out)
    return out


def zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps, eps):
    """Approximately orthogonalise a 2-D array (``U S' V^T`` with ``S'`` near 1)."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if grad.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (np.float32(v) for v in ns_coefficients)
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = np.ascontiguousarray(x.T)
    norm = _bf16(np.sqrt(np.sum(x * x, dtype=np.float32)))
    norm = np.maximum(norm, _bf16(np.float32(eps)))
    x = _bf16(x / norm)
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))
        x = _bf16(a * x + gram_update @ x)
    return x.T if tall else x


def _adjust_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Muon, as ``torch.optim.Muon`` (2-D parameters only; optimise biases and embeddings
    with another optimizer).

    Args:
        params (iterable): 2-D parameters or parameter groups.
        lr (float): learning rate. Default: ``1e-3``.
        weight_decay (float): decoupled weight decay. Default: ``0.1``.
        momentum (float): momentum factor. Default: ``0.95``.
        nesterov (bool): Nesterov momentum. Default: ``True``.
        ns_coefficients (Tuple[float, float, float]): Newton-Schulz polynomial coefficients.
        eps (float): guards the normalisation. Default: ``1e-7``.
        ns_steps (int): Newton-Schulz iterations. Default: ``5``.
        adjust_lr_fn (str or None): ``"original"`` (``sqrt(max(1, A/B))``) or
            ``"match_rms_adamw"`` (``0.2 sqrt(max(A, B))``). Default: ``"original"``.
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS,
                 ns_steps=DEFAULT_NS_STEPS, adjust_lr_fn=None):
        if not 0.0 <= _to_scalar(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum,
                    "nesterov": nesterov, "ns_coefficients": ns_coefficients, "eps": eps,
                    "ns_steps": ns_steps, "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(f"Muon only supports 2D parameters whereas we found a "
                                     f"parameter with size: {p.size()}")

    _sparse_name = "Muon"

    def _init_state(self, state, p, group):
        if p.is_complex():
            raise RuntimeError("Muon does not support complex parameters")
        state["momentum_buffer"] = zeros_like(p)

    def _update(self, group, params):
        lr = _to_scalar(group["lr"])
        mom = group["momentum"]
        for p, gt, state in params:
            pd = p._data
            g = gt._data
            if g.ndim != 2:
                raise ValueError("Param gradient must be a 2D matrix")
            host = type(pd) is not np.ndarray
            buf = state["momentum_buffer"]._data
            lerp_exact(buf, g, 1 - mom)
            state["momentum_buffer"]._vc[0] += 1
            if group["nesterov"]:
                upd = g.copy()
                lerp_exact(upd, buf, mom)
            else:
                upd = buf
            if host:  # the iteration runs on the host (bfloat16 rounding in NumPy)
                upd = upd.get()
            o = zeropower_via_newtonschulz(upd.astype(np.float32, copy=False),
                                           group["ns_coefficients"], group["ns_steps"],
                                           group["eps"])
            if host:
                from ..backends.dispatch import xp_of
                o = xp_of(pd).asarray(o)
            adjusted = _adjust_lr(lr, group["adjust_lr_fn"], pd.shape)
            pd *= pd.dtype.type(1 - lr * group["weight_decay"])
            pd += pd.dtype.type(-adjusted) * o.astype(pd.dtype, copy=False)
            p._vc[0] += 1
