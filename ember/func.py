"""``torch.func``: function transforms (vmap, grad, grad_and_value, vjp, jacrev, jacfwd,
hessian) and ``functional_call``.

Ember has no batching interpreter: ``vmap`` runs the function once per batch element and
stacks the results (same values; per-element Python cost). The gradient transforms run the
autograd engine; nested transforms (``jacfwd(jacrev(f))``) work because inner ones build a
graph whenever an outer transform is active.
"""
import contextlib

from . import autograd
from .autograd.grad_mode import enable_grad
from .tensor import Tensor

_depth = [0]  # how many gradient transforms are active (inner ones must keep their graph)


@contextlib.contextmanager
def _transform():
    _depth[0] += 1
    try:
        with enable_grad():
            yield _depth[0] > 1
    finally:
        _depth[0] -= 1


# ---------------------------------------------------------------- vmap
def _leaves_with_dims(x, d):
    """Yield (tensor, dim) for every tensor in the pytree ``x`` mapped over dim spec ``d``."""
    if isinstance(x, Tensor):
        yield x, d
    elif isinstance(x, (tuple, list)):
        for i, v in enumerate(x):
            yield from _leaves_with_dims(v, d[i] if isinstance(d, (tuple, list)) else d)
    elif isinstance(x, dict):
        for k, v in x.items():
            yield from _leaves_with_dims(v, d[k] if isinstance(d, dict) else d)


def _take(x, d, i):
    if isinstance(x, Tensor):
        return x if d is None else x.select(d, i)
    if isinstance(x, (tuple, list)):
        return type(x)(_take(v, d[j] if isinstance(d, (tuple, list)) else d, i)
                       for j, v in enumerate(x))
    if isinstance(x, dict):
        return {k: _take(v, d[k] if isinstance(d, dict) else d, i) for k, v in x.items()}
    return x


def _stack(outs, d):
    from .ops.creation import tensor
    from .ops.shape import stack
    first = outs[0]
    if isinstance(first, Tensor):
        return stack(outs, d)
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([o[j] for o in outs], d[j] if isinstance(d, (tuple, list))
                                  else d) for j in range(len(first)))
    if isinstance(first, dict):
        return {k: _stack([o[k] for o in outs], d[k] if isinstance(d, dict) else d)
                for k in first}
    if isinstance(first, (int, float, bool)):
        return stack([tensor(o) for o in outs], d)
    raise ValueError(f"vmap: `{getattr(outs, '__name__', 'func')}` must only return Tensors, "
                     f"got type {type(first)}. Did you mean to set out_dims= to None for "
                     f"output?")


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over a batch dimension of its inputs (``in_dims``), stacking the
    results along ``out_dims``."""
    def wrapped(*args, **kwargs):
        dims = in_dims if isinstance(in_dims, tuple) else (in_dims,) * len(args)
        if len(dims) != len(args):
            raise ValueError(f"vmap(func, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                             f"compatible with the structure of `inputs`. in_dims has "
                             f"structure {len(dims)} but inputs has structure {len(args)}.")
        sizes = set()
        norm = []
        for a, d in zip(args, dims):
            for t, dd in _leaves_with_dims(a, d):
                if dd is not None:
                    if not -t.ndim <= dd < max(t.ndim, 1) or t.ndim == 0:
                        raise ValueError(f"vmap(func, in_dims={in_dims}, ...)(<inputs>): Got "
                                         f"in_dim={dd} for an input but the input is of type "
                                         f"Tensor with {t.ndim} dimensions")
                    sizes.add(t.shape[dd])
            norm.append(d)
        if not sizes:
            raise ValueError("vmap(func, in_dims=..., ...)(<inputs>): at least one input must "
                             "be a Tensor with a non-None in_dim")
        if len(sizes) > 1:
            raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sorted(sizes)} for the mapped dimension")
        n = sizes.pop()
        outs = [func(*[_take(a, d, i) for a, d in zip(args, norm)], **kwargs)
                for i in range(n)]
        return _stack(outs, out_dims)
    wrapped.__name__ = getattr(func, "__name__", "vmapped")
    return wrapped


# ---------------------------------------------------------------- gradients
def _flatten(x):
    if isinstance(x, Tensor):
        return [x], lambda leaves: leaves[0]
    if isinstance(x, (tuple, list, dict)):
        items = list(x.items()) if isinstance(x, dict) else list(enumerate(x))
        parts = [_flatten(v) for _, v in items]
        counts = [len(p[0]) for p in parts]

        def rebuild(leaves):
            out, pos = [], 0
            for (k, _), (_, fn), c in zip(items, parts, counts):
                out.append((k, fn(leaves[pos:pos + c])))
                pos += c
            if isinstance(x, dict):
                return dict(out)
            return type(x)(v for _, v in out)
        return [leaf for p in parts for leaf in p[0]], rebuild
    raise RuntimeError(f"grad_and_value(f)(*args): Expected argnums to point to Tensors or "
                       f"containers of Tensors, got {type(x).__name__}")


def _detach_tree(x):
    leaves, rebuild = _flatten(x) if isinstance(x, (Tensor, tuple, list, dict)) else ([], None)
    if rebuild is None or not all(isinstance(v, Tensor) for v in leaves):
        return x
    return rebuild([v.detach() for v in leaves])


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning ``(grad of func w.r.t. args[argnums], func(*args))``; the
    selected arguments may be tensors or (nested) dicts/lists/tuples of tensors."""
    def wrapped(*args, **kwargs):
        nums = argnums if isinstance(argnums, tuple) else (argnums,)
        with _transform() as nested:
            args2 = list(args)
            flat, rebuilds = [], []
            for i in nums:
                leaves, rebuild = _flatten(args[i])
                leaves = [t if t.requires_grad else t.detach().requires_grad_() for t in leaves]
                args2[i] = rebuild(leaves)
                flat.append(leaves)
                rebuilds.append(rebuild)
            out = func(*args2, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            if not isinstance(out, Tensor) or out.numel() != 1:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   "scalar Tensor, got tensor with "
                                   f"{out.ndim if isinstance(out, Tensor) else '?'} dims")
            keep = nested or any(t.requires_grad for a in args if isinstance(a, Tensor)
                                 for t in [a])
            every = [t for leaves in flat for t in leaves]
            gs = autograd.grad(out, every, create_graph=keep, allow_unused=True)
            gs = [g if g is not None else t.new_zeros(t.shape).detach()
                  for g, t in zip(gs, every)]
            if not keep:
                out, aux = out.detach(), _detach_tree(aux)
        res, pos = [], 0
        for leaves, rebuild in zip(flat, rebuilds):
            res.append(rebuild(gs[pos:pos + len(leaves)]))
            pos += len(leaves)
        g = tuple(res) if isinstance(argnums, tuple) else res[0]
        return (g, (out, aux)) if has_aux else (g, out)
    return wrapped


def grad(func, argnums=0, has_aux=False):
    """A function returning the gradient of scalar ``func`` w.r.t. ``args[argnums]``."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapped(*args, **kwargs):
        g, v = gv(*args, **kwargs)
        return (g, v[1]) if has_aux else g
    return wrapped


def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` gives one gradient per primal."""
    with _transform() as nested:
        ps = [p if p.requires_grad else p.detach().requires_grad_() for p in primals]
        out = func(*ps)
        aux = None
        if has_aux:
            out, aux = out
    keep = nested or any(p.requires_grad for p in primals)

    def vjp_fn(*cotangents):
        outs = out if isinstance(out, (tuple, list)) else (out,)
        cts = cotangents[0] if len(cotangents) == 1 and isinstance(out, (tuple, list)) \
            else cotangents
        with enable_grad():
            gs = autograd.grad(list(outs), ps, list(cts), retain_graph=True, create_graph=keep,
                               allow_unused=True)
        return tuple(g if g is not None else p.new_zeros(p.shape) for g, p in zip(gs, ps))
    res = out if keep else (tuple(o.detach() for o in out) if isinstance(out, tuple)
                            else out.detach())
    return (res, vjp_fn, aux) if has_aux else (res, vjp_fn)


def _jac(func, argnums, has_aux):
    from .autograd.functional import jacobian

    def wrapped(*args, **kwargs):
        nums = argnums if isinstance(argnums, tuple) else (argnums,)
        aux_box = []

        def only_selected(*sel):
            full = list(args)
            for i, v in zip(nums, sel):
                full[i] = v
            out = func(*full, **kwargs)
            if has_aux:
                out, aux = out
                aux_box.append(aux)
            return out
        with _transform() as nested:
            keep = nested or any(isinstance(a, Tensor) and a.requires_grad for a in args)
            sel = tuple(args[i] for i in nums)
            jac = jacobian(only_selected, sel, create_graph=keep)
        if not isinstance(argnums, tuple):  # one input: drop the per-input level
            jac = tuple(j[0] for j in jac) if isinstance(jac, tuple) and jac and \
                isinstance(jac[0], tuple) else (jac[0] if isinstance(jac, tuple) else jac)
        return (jac, aux_box[0]) if has_aux else jac
    return wrapped


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]`` (reverse mode)."""
    return _jac(func, argnums, has_aux)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """The Jacobian of ``func`` w.r.t. ``args[argnums]`` (same values as :func:`jacrev`)."""
    return _jac(func, argnums, has_aux)


def hessian(func, argnums=0):
    """The Hessian of scalar ``func`` w.r.t. ``args[argnums]``."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---------------------------------------------------------------- functional_call
def _owner(module, name):
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """Call ``module`` with its parameters and buffers replaced by the given tensors."""
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, (tuple, list)):
        merged = {}
        for d in dicts:
            dup = set(merged) & set(d)
            if dup:
                raise ValueError(f"{sorted(dup)} appeared in multiple dictionaries; behavior "
                                 f"of functional call is ambiguous")
            merged.update(d)
        dicts = merged
    if strict:
        expected = {n for n, _ in module.named_parameters()} | \
            {n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(expected - set(dicts)), sorted(set(dicts) - expected)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}:\n\t"
                               f"Unexpected key(s): {unexpected}.\n\tMissing key(s): "
                               f"{missing}.")
    saved = []
    try:
        for name, value in dicts.items():
            owner, leaf = _owner(module, name)
            for store in ("_parameters", "_buffers"):
                d = owner.__dict__.get(store)
                if d is not None and leaf in d:
                    saved.append((d, leaf, d[leaf]))
                    d[leaf] = value
                    break
            else:
                saved.append((owner.__dict__, leaf, owner.__dict__.get(leaf, _MISSING)))
                owner.__dict__[leaf] = value
        args = () if args is None else (args if isinstance(args, tuple) else (args,))
        return module(*args, **(kwargs or {}))
    finally:
        for d, leaf, old in reversed(saved):
            if old is _MISSING:
                d.pop(leaf, None)
            else:
                d[leaf] = old


_MISSING = object()


# ---------------------------------------------------------------- forward mode, ensembles
def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J @ tangents)`` (and ``aux`` with ``has_aux``); computed with the
    double-backward trick, so values equal PyTorch's forward-mode results."""
    from .autograd.functional import jvp as _jvp
    for what, val in (("primals", primals), ("tangents", tangents)):
        if not isinstance(val, tuple):
            raise RuntimeError(f"jvp(f, primals, tangents): Expected {what} to be a tuple. "
                               f"E.g. it should be valid to call f(*primals).")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure. For example, if primals is a tuple of "
                           "3 tensors, tangents also must be. Got primals with structure "
                           f"{len(primals)} and tangents with structure {len(tangents)}")
    aux_box = []

    def only_out(*xs):
        out = func(*xs)
        if has_aux:
            out, aux = out
            aux_box.append(aux)
        return out
    with _transform() as nested:
        keep = nested or any(isinstance(p, Tensor) and p.requires_grad for p in primals)
        out, jv = _jvp(only_out, primals, tangents, create_graph=keep, strict=strict)
    if not has_aux:
        return out, jv
    return out, jv, aux_box[0] if keep else _detach_tree(aux_box[0])


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``; ``jvp_fn(*tangents)`` evaluates the JVP at ``primals``."""
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]
    return out, jvp_fn


def functionalize(func, *, remove="mutations"):
    """Ember runs eagerly with no graph capture: the function is returned as it is."""
    return func


def stack_module_state(models):
    """Stack the parameters and buffers of same-architecture ``models`` along a new leading
    dimension, as two dicts keyed by name (for ``vmap`` over ``functional_call``)."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    ref = type(models[0])
    if not all(type(m) is ref for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    from .ops.shape import stack

    def stacked(named):
        dicts = [dict(named(m)) for m in models]
        out = {}
        for k in dicts[0]:
            ts = [d[k] for d in dicts]
            res = stack([t.detach() for t in ts])
            if all(t.requires_grad for t in ts):
                res.requires_grad_()
            out[k] = res
        return out
    return (stacked(lambda m: m.named_parameters()), stacked(lambda m: m.named_buffers()))


def replace_all_batch_norm_modules_(root):
    """Make every batch norm in ``root`` stop tracking running stats (in place)."""
    from .nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root


def debug_unwrap(tensor, *, recurse=True):
    """Ember's transforms do not wrap tensors: the tensor itself."""
    return tensor


__all__ = ["vmap", "grad", "grad_and_value", "vjp", "jacrev", "jacfwd", "hessian",
           "functional_call", "jvp", "linearize", "functionalize", "stack_module_state",
           "replace_all_batch_norm_modules_", "debug_unwrap"]
