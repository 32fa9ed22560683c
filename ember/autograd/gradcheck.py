"""``gradcheck`` / ``gradgradcheck``: analytical Jacobians against central differences."""
import warnings

import numpy as np


class GradcheckError(RuntimeError):
    """Raised by gradcheck when a Jacobian does not match (as torch's)."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _tensors_of(out):
    from ..tensor import Tensor
    return [o for o in _as_tuple(out) if isinstance(o, Tensor)]


def _prepare(inputs):
    """Inputs whose data can be perturbed in place (contiguous, writeable arrays)."""
    from ..tensor import Tensor
    out = []
    for t in _as_tuple(inputs):
        if isinstance(t, Tensor) and not (t._data.flags.c_contiguous and t._data.flags.writeable
                                          and t.is_leaf):
            t = t.detach().clone().requires_grad_(t.requires_grad)
        out.append(t)
    return tuple(out)


def _numerical(fn, inputs, idx, eps):
    """d(outputs)/d(inputs[idx]) by central differences: one (n_in, n_out) array per output."""
    x = inputs[idx]
    flat = x._data.reshape(-1)  # a view: perturb the input in place
    cols = []
    for i in range(flat.size):
        orig = flat[i].copy()
        flat[i] = orig + eps
        plus = [o.detach()._host().astype(np.float64).reshape(-1) for o in
                _tensors_of(fn(*inputs))]
        flat[i] = orig - eps
        minus = [o.detach()._host().astype(np.float64).reshape(-1) for o in
                 _tensors_of(fn(*inputs))]
        flat[i] = orig
        cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
    n_out = len(_tensors_of(fn(*inputs)))
    result = []
    for k in range(n_out):
        result.append(np.stack([c[k] for c in cols]) if cols else np.zeros((0, 0)))
    return result


def _analytical(fn, inputs, diff_idx):
    """{(output k, input i): (n_in, n_out_k) array} from one backward per output element."""
    from ..ops.creation import zeros_like
    from .api import grad
    outs = _tensors_of(fn(*inputs))
    jac = {}
    for k, o in enumerate(outs):
        for i in diff_idx:
            jac[k, i] = np.zeros((inputs[i].numel(), o.numel()))
        if not o.requires_grad:
            continue
        for j in range(o.numel()):
            g = zeros_like(o)
            g._data.reshape(-1)[j] = 1
            gs = grad([o], [inputs[i] for i in diff_idx], [g], retain_graph=True,
                      allow_unused=True)
            for i, gi in zip(diff_idx, gs):
                if gi is not None:
                    if tuple(gi.shape) != tuple(inputs[i].shape):
                        raise GradcheckError(f"Gradient for input {i} has shape "
                                             f"{list(gi.shape)}, expected "
                                             f"{list(inputs[i].shape)}")
                    jac[k, i][:, j] = gi.detach()._host().astype(np.float64).reshape(-1)
    return jac, len(outs)


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Check gradients computed by backward against finite differences.

    Compares, for every output and every input with ``requires_grad=True``, the Jacobian
    from ``autograd.grad`` with central differences of step ``eps``; they match when
    ``|analytical - numerical| <= atol + rtol * |numerical|``. Inputs should be float64.

    Returns True, or raises ``GradcheckError`` (returns False if ``raise_exception=False``).

    Example::

        >>> x = torch.randn(3, dtype=torch.float64, requires_grad=True)
        >>> torch.autograd.gradcheck(torch.sin, (x,))
        True
    """
    from ..tensor import Tensor
    inputs = _prepare(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype.name not in ("float64", "complex128"):
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating "
                          "point or complex. This check will likely fail if all the inputs are "
                          "not of double precision floating point or complex. ")
    analytical, n_out = _analytical(func, inputs, diff_idx)
    for i in diff_idx:
        numerical = _numerical(func, inputs, i, eps)
        for k in range(n_out):
            num, ana = numerical[k], analytical[k, i]
            if num.shape != ana.shape or not np.allclose(ana, num, rtol=rtol, atol=atol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"numerical:{_show(num)}\nanalytical:{_show(ana)}\n")
    return True


def _show(a):
    from ..tensor import Tensor
    return repr(Tensor._wrap(np.ascontiguousarray(a)))


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck applied to the gradient of ``func``: checks second derivatives.

    ``grad_outputs`` (random by default) are the vectors the first gradient is taken against;
    they are checked as inputs too.
    """
    from ..tensor import Tensor
    from .api import grad
    inputs = _prepare(inputs)
    outs = _tensors_of(func(*inputs))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            Tensor._wrap(rng.standard_normal(tuple(o.shape)).astype(o._data.dtype))
            for o in outs)
    grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)

    def first_grad(*args):
        xs, gos = args[:n_in], args[n_in:]
        os_ = _tensors_of(func(*xs))
        diff = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        pairs = [(o, g) for o, g in zip(os_, gos) if o.requires_grad]
        gs = grad([o for o, _ in pairs], diff, [g for _, g in pairs], create_graph=True,
                  allow_unused=True)
        return tuple(g for g in gs if g is not None)

    gos = tuple(g.detach().clone().requires_grad_(True) for g in grad_outputs)
    return gradcheck(first_grad, tuple(inputs) + gos, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
