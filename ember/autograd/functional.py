"""``torch.autograd.functional``: Jacobians, Hessians and vector products of functions.

Each takes ``func`` (tensors in, a tensor or tuple of tensors out) and ``inputs`` (a tensor
or a tuple of tensors) and builds the products from reverse-mode passes
(``jvp``/``hvp`` use the double-backward trick). ``vectorize`` and the strategy arguments
are accepted; the rows are always computed one backward pass at a time.
"""
from .api import grad as _grad
from .grad_mode import enable_grad


def _as_tuple(x, arg_name, fn_name):
    from ..tensor import Tensor
    is_tuple = isinstance(x, (tuple, list))
    xs = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(xs):
        if not isinstance(t, Tensor):
            if is_tuple:
                raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or "
                                f"a tuple of Tensors but the value at index {i} has type "
                                f"{type(t)}.")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but the given {arg_name} has type {type(t)}.")
    return is_tuple, xs


def _unflatten(is_tuple, xs):
    return tuple(xs) if is_tuple else xs[0]


def _prep_inputs(xs, create_graph):
    """Fresh differentiable handles on the inputs (keeping their graph under create_graph)."""
    out = []
    for t in xs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(True))
    return tuple(out)


def _finish(ts, create_graph):
    return tuple(t if t is None or create_graph else t.detach() for t in ts)


def _check_v(v, outs, is_tuple):
    if len(v) != len(outs):
        if is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(outs)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, outs)):
        if tuple(a.shape) != tuple(b.shape):
            prefix = f"Entry {i} in " if is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {b.shape} but got "
                               f"{a.shape}.")


def _grads(outs, inputs, grad_outputs, create_graph, strict, kind="Output 0"):
    """autograd.grad that returns zeros (or raises, if strict) for unused inputs."""
    from ..ops.creation import zeros_like
    pairs = [(o, g) for o, g in zip(outs, grad_outputs) if o.requires_grad]
    if pairs:
        res = _grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs],
                    retain_graph=True, create_graph=create_graph, allow_unused=True)
    else:
        res = (None,) * len(inputs)
    out = []
    for i, (r, x) in enumerate(zip(res, inputs)):
        if r is None:
            if strict:
                raise RuntimeError(f"{kind} of the user-provided function is independent of "
                                   f"input {i}. This is not allowed in strict mode.")
            r = zeros_like(x)
        out.append(r)
    return tuple(out)


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Returns ``(func_output, vjp)``; ``vjp`` has the structure of ``inputs``. ``v`` may be
    None only when ``func`` returns a single one-element tensor.
    """
    with enable_grad():
        is_in_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
        xs = _prep_inputs(xs, create_graph)
        outputs = func(*xs)
        is_out_tuple, outs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        if v is None:
            if len(outs) != 1 or outs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function "
                                   "returns a single Tensor with a single element.")
            from ..ops.creation import ones_like
            vs = (ones_like(outs[0]),)
        else:
            _, vs = _as_tuple(v, "v", "vjp")
            _check_v(vs, outs, is_out_tuple)
        res = _grads(outs, xs, vs, create_graph, strict)
    return (_unflatten(is_out_tuple, _finish(outs, create_graph)),
            _unflatten(is_in_tuple, _finish(res, create_graph)))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Jacobian-vector product ``J v`` of ``func`` at ``inputs``.

    Returns ``(func_output, jvp)``; ``jvp`` has the structure of the output. Computed with
    the double-backward trick: ``J v = d/du (u^T J) v``.
    """
    from ..ops.creation import zeros_like
    with enable_grad():
        is_in_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
        xs = _prep_inputs(xs, create_graph)
        if v is None:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            from ..ops.creation import ones_like
            vs = (ones_like(xs[0]),)
        else:
            _, vs = _as_tuple(v, "v", "jvp")
            _check_v(vs, xs, is_in_tuple)
        outputs = func(*xs)
        is_out_tuple, outs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        us = tuple(zeros_like(o).requires_grad_(True) for o in outs)
        g_in = _grads(outs, xs, us, True, strict)
        need = [(g, vv) for g, vv in zip(g_in, vs) if g.requires_grad]
        if need:
            res = _grad([g for g, _ in need], list(us), [vv for _, vv in need],
                        create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(us)
        out = []
        for i, (r, o) in enumerate(zip(res, outs)):
            if r is None:
                if strict:
                    raise RuntimeError(f"The output of the user-provided function is "
                                       f"independent of input {i}. This is not allowed in strict "
                                       "mode when create_graph=True.")
                r = zeros_like(o)
            out.append(r)
    return (_unflatten(is_out_tuple, _finish(outs, create_graph)),
            _unflatten(is_out_tuple, _finish(out, create_graph)))


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``.

    For one input and one output: a tensor of shape ``output.shape + input.shape``; for tuples,
    ``result[i][j]`` is the Jacobian of output i with respect to input j (a tuple over inputs
    for a single output, over outputs for a single input).

    Example::

        >>> torch.autograd.functional.jacobian(torch.exp, torch.zeros(2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    from ..ops.creation import zeros
    from ..ops.shape import stack
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                         f'Got {strategy} instead.')
    with enable_grad():
        is_in_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
        xs = _prep_inputs(xs, create_graph)
        outputs = func(*xs)
        is_out_tuple, outs = _as_tuple(outputs, "outputs of the user-provided function",
                                       "jacobian")
        result = []
        for k, o in enumerate(outs):
            n = o.numel()
            rows = [[] for _ in xs]
            for j in range(n):
                g = zeros(tuple(o.shape), dtype=o.dtype, device=o.device)
                g._data.reshape(-1)[j] = 1
                gs = _grads((o,), xs, (g,), create_graph, strict, f"Output {k}")
                for i, gi in enumerate(gs):
                    rows[i].append(gi)
            per_in = []
            for i, x in enumerate(xs):
                if n:
                    jac = stack(rows[i]).reshape(tuple(o.shape) + tuple(x.shape))
                else:
                    jac = zeros(tuple(o.shape) + tuple(x.shape), dtype=x.dtype, device=x.device)
                per_in.append(jac if create_graph else jac.detach())
            result.append(tuple(per_in))
    if is_out_tuple:
        return tuple(_unflatten(is_in_tuple, r) for r in result)
    return _unflatten(is_in_tuple, result[0])


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function ``func`` at ``inputs``.

    One input: a tensor of shape ``input.shape + input.shape``; a tuple of inputs: a tuple of
    tuples, ``result[i][j]`` the block for inputs i and j.
    """
    is_in_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def jac_func(*inp):
        out = func(*inp)
        from ..tensor import Tensor
        if not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        out = out.reshape(())
        return _grads((out,), inp, (_ones(out),), True, strict)

    res = jacobian(jac_func, xs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize)
    if is_in_tuple:
        return res
    return res[0][0]


def _ones(t):
    from ..ops.creation import ones_like
    return ones_like(t)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Vector-Hessian product ``v^T H`` of a scalar ``func``: returns ``(func_output, vhp)``."""
    with enable_grad():
        is_in_tuple, xs = _as_tuple(inputs, "inputs", "vhp")
        xs = _prep_inputs(xs, create_graph)
        vs = _v_for_inputs(v, xs, "vhp", is_in_tuple)
        out = _scalar_output(func(*xs), "vhp")
        g = _grads((out,), xs, (_ones(out),), True, strict)
        need = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
        res = _grads(tuple(a for a, _ in need), xs, tuple(b for _, b in need), create_graph,
                     strict, "The jacobian of the user-provided function")
    return (_finish((out,), create_graph)[0], _unflatten(is_in_tuple, _finish(res, create_graph)))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Hessian-vector product ``H v`` of a scalar ``func``: returns ``(func_output, hvp)``."""
    from ..ops.creation import zeros_like
    with enable_grad():
        is_in_tuple, xs = _as_tuple(inputs, "inputs", "hvp")
        xs = _prep_inputs(xs, create_graph)
        vs = _v_for_inputs(v, xs, "hvp", is_in_tuple)
        out = _scalar_output(func(*xs), "hvp")
        g = _grads((out,), xs, (_ones(out),), True, strict)
        # Double-backward trick: H v = d/du ((u^T H) v), with u^T H the vhp in u.
        us = tuple(zeros_like(x).requires_grad_(True) for x in xs)
        need = [(gi, ui) for gi, ui in zip(g, us) if gi.requires_grad]
        gu = _grads(tuple(a for a, _ in need), xs, tuple(b for _, b in need), True, strict,
                    "The jacobian of the user-provided function")
        need2 = [(a, b) for a, b in zip(gu, vs) if a.requires_grad]
        res = _grads(tuple(a for a, _ in need2), us, tuple(b for _, b in need2), create_graph,
                     strict, "The jacobian of the user-provided function")
    return (_finish((out,), create_graph)[0], _unflatten(is_in_tuple, _finish(res, create_graph)))


def _v_for_inputs(v, xs, fn_name, is_tuple):
    if v is None:
        if len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element.")
        return (_ones(xs[0]),)
    _, vs = _as_tuple(v, "v", fn_name)
    _check_v(vs, xs, is_tuple)
    return vs


def _scalar_output(out, fn_name):
    from ..tensor import Tensor
    if isinstance(out, (tuple, list)):
        if len(out) != 1:
            raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
        out = out[0]
    if not isinstance(out, Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if out.numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    return out
