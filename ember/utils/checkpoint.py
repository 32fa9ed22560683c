"""Activation checkpointing: run a block without keeping its intermediate values, and
recompute them during backward."""
import warnings

from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor


def _rng_state():
    from ..random import get_rng_state
    return get_rng_state()


class _Checkpoint(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, kwargs, _anchor, *args):
        ctx.run_function = run_function
        ctx.kwargs = kwargs
        ctx.rng = _rng_state() if preserve_rng_state else None
        ctx.inputs = args
        with no_grad():
            out = run_function(*args, **kwargs)
        return out

    @staticmethod
    def backward(ctx, *grads):
        from ..autograd.api import backward
        from ..random import get_rng_state, set_rng_state
        inputs = [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                  for a in ctx.inputs]
        saved = None
        if ctx.rng is not None:
            saved = get_rng_state()
            set_rng_state(ctx.rng)
        try:
            with enable_grad():
                out = ctx.run_function(*inputs, **ctx.kwargs)
        finally:
            if saved is not None:
                set_rng_state(saved)
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if pairs:
            # Parameters inside the block receive their gradients here, as in PyTorch's
            # reentrant checkpoint.
            backward([o for o, _ in pairs], [g for _, g in pairs])
        in_grads = tuple(a.grad if isinstance(a, Tensor) and a.requires_grad else None
                         for a in inputs)
        return (None, None, None, None) + in_grads


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)`` whose activations are recomputed in backward."""
    from ..autograd.grad_mode import is_grad_enabled
    from ..ops.creation import zeros
    if not is_grad_enabled():
        return function(*args, **kwargs)
    # A zero-size tensor that requires grad keeps the block in the graph even when no input
    # does, so parameters used inside still get gradients (use_reentrant=False semantics).
    anchor = zeros(0, requires_grad=True)
    return _Checkpoint.apply(function, preserve_rng_state, kwargs, anchor, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split a Sequential (or list of modules) into ``segments`` checkpointed chunks."""
    mods = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if segments <= 0:
        raise ValueError("segments must be positive")
    size = max(1, -(-len(mods) // segments))

    def run(chunk):
        def f(x):
            for m in chunk:
                x = m(x)
            return x
        return f

    for start in range(0, len(mods), size):
        chunk = mods[start:start + size]
        if start + size >= len(mods):
            for m in chunk:
                input = m(input)
        else:
            input = checkpoint(run(chunk), input, use_reentrant=use_reentrant)
    return input
