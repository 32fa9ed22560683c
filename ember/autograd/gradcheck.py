"""``gradcheck`` / ``gradgradcheck``: analytical gradients against central differences."""
import numpy as np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _flat_outputs(out):
    from ..tensor import Tensor
    outs = _as_tuple(out) if not isinstance(out, list) else tuple(out)
    return [o for o in outs if isinstance(o, Tensor)]


def _numerical(fn, inputs, idx, eps):
    """d(all outputs)/d(inputs[idx]) by central differences, as (n_in, n_out) columns."""
    x = inputs[idx]
    flat = x._data.reshape(-1)  # x is contiguous: a view we can perturb in place
    cols = []
    for i in range(flat.size):
        orig = flat[i].copy()
        flat[i] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _flat_outputs(fn(*inputs))]
        flat[i] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1).copy()
                 for o in _flat_outputs(fn(*inputs))]
        flat[i] = orig
        cols.append(np.concatenate([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
                    if plus else np.zeros(0))
    return np.stack(cols) if cols else np.zeros((0, 0))


def _analytical(fn, inputs, diff_idx):
    from .api import grad
    from ..ops.creation import zeros_like
    outs = _flat_outputs(fn(*inputs))
    sizes = [o.numel() for o in outs]
    total = sum(sizes)
    jac = {i: np.zeros((inputs[i].numel(), total)) for i in diff_idx}
    col = 0
    for k, o in enumerate(outs):
        if not o.requires_grad:
            col += sizes[k]
            continue
        for j in range(sizes[k]):
            g = zeros_like(o)
            g._data.reshape(-1)[j] = 1
            gs = grad([o], [inputs[i] for i in diff_idx], [g], retain_graph=True,
                      allow_unused=True)
            for i, gi in zip(diff_idx, gs):
                if gi is not None:
                    jac[i][:, col + j] = gi._data.astype(np.float64).reshape(-1)
        col += sizes[k]
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """True when the analytical Jacobian of ``func`` matches finite differences."""
    from ..tensor import Tensor
    inputs = _as_tuple(inputs)
    inputs = tuple(t.detach().contiguous().requires_grad_(t.requires_grad)
                   if isinstance(t, Tensor) else t for t in inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    for i in diff_idx:
        if inputs[i].dtype.name != "float64":
            import warnings
            warnings.warn("Input #%d requires gradient and is not a double precision floating "
                          "point. gradcheck may fail." % i)
    analytical = _analytical(func, inputs, diff_idx)
    for i in diff_idx:
        from .grad_mode import no_grad
        with no_grad():
            num = _numerical(func, inputs, i, eps)
        ana = analytical[i]
        if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
            if raise_exception:
                raise GradcheckError(
                    f"Jacobian mismatch for output 0 with respect to input {i},\n"
                    f"numerical:{num}\nanalytical:{ana}\n")
            return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradient: checks second derivatives."""
    from ..tensor import Tensor
    from .api import grad
    from ..random import randn
    inputs = _as_tuple(inputs)
    outs = _flat_outputs(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(Tensor._wrap(rng.standard_normal(o.shape).astype(o._data.dtype))
                             for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    diff = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    n_in = len(inputs)

    def first_grad(*args):
        xs, gos = args[:n_in], args[n_in:]
        os_ = _flat_outputs(func(*xs))
        d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        gs = grad(os_, d, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    gos = tuple(g.detach().requires_grad_(True) for g in grad_outputs)
    return gradcheck(first_grad, tuple(inputs) + gos, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
