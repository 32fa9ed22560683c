"""Compare Ember with PyTorch: write a function once against the PyTorch API, run it with
``lib=torch`` and ``lib=ember`` on identical inputs, compare values, dtype, shape and the
gradients of every input.

    check(lambda lib, x, y: lib.maximum(x, y), [(3, 4), (4,)])
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402

FLOAT_TOL = {"float16": (1e-2, 1e-2), "bfloat16": (5e-2, 5e-2), "float32": (1e-4, 1e-5),
             "float64": (1e-9, 1e-10)}


def rand_array(shape, dtype="float32", low=-2.0, high=2.0, seed=0, positive=False):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype in ("int8", "int16", "int32", "int64", "uint8"):
        lo = 0 if (dtype == "uint8" or positive) else -5
        return rng.integers(lo, 6, size=shape).astype(dtype)
    a = rng.uniform(0.1 if positive else low, high, size=shape)
    if dtype == "bfloat16":
        return a.astype(np.float32)
    return a.astype(dtype)


def to_numpy(t):
    """Host NumPy copy of a torch or ember tensor (bfloat16 as float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.cpu().numpy()
    if isinstance(t, ember.Tensor):
        t = t.detach()
        if t.dtype is ember.bfloat16:
            t = t.float()
        return np.asarray(t.cpu().numpy())
    return np.asarray(t)


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def assert_same(e, t, rtol=None, atol=None, check_dtype=True, what="output"):
    """Assert an ember result equals a torch result (values, shape, dtype), recursively."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: ember gave {type(e)}, torch a sequence"
        assert len(e) == len(t), f"{what}: {len(e)} items vs {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, rtol, atol, check_dtype, f"{what}[{i}]")
        return
    if t is None:
        assert e is None, f"{what}: torch gave None, ember {e!r}"
        return
    if not isinstance(t, torch.Tensor):
        if isinstance(t, float) and np.isnan(t):
            assert np.isnan(e)
        else:
            assert e == t, f"{what}: {e!r} != {t!r}"
        return
    assert isinstance(e, ember.Tensor), f"{what}: ember gave {type(e).__name__}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} vs {tuple(t.shape)}"
    if check_dtype:
        assert dtype_name(e) == dtype_name(t), f"{what}: dtype {e.dtype} vs {t.dtype}"
    dn = dtype_name(t)
    r, a = FLOAT_TOL.get(dn, (0, 0))
    r = rtol if rtol is not None else r
    a = atol if atol is not None else a
    en, tn = to_numpy(e), to_numpy(t)
    if en.dtype.kind in "fc":
        np.testing.assert_allclose(en, tn, rtol=r, atol=a, equal_nan=True, err_msg=what)
    else:
        np.testing.assert_array_equal(en, tn, err_msg=what)


def _make_inputs(lib, arrays, requires_grad, noncontig):
    leaves, inputs = [], []
    for a in arrays:
        if not isinstance(a, np.ndarray):
            leaves.append(None)
            inputs.append(a)
            continue
        rg = requires_grad and a.dtype.kind == "f"
        src = a
        if noncontig and a.ndim >= 1:
            # A strided view: every other element of a doubled last axis.
            src = np.repeat(a, 2, axis=-1)
        leaf = lib.tensor(src, requires_grad=rg)
        x = leaf[..., ::2] if noncontig and a.ndim >= 1 else leaf
        leaves.append(leaf if rg else None)
        inputs.append(x)
    return leaves, inputs


def _cast(lib, arrays, dtype):
    if dtype is None:
        return arrays
    return [a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
            for a in arrays]


def check(fn, inputs, *, grad=True, noncontig=False, rtol=None, atol=None, check_dtype=True,
          seed=0, dtype="float32", positive=False, grad_rtol=None, grad_atol=None):
    """Run ``fn(lib, *tensors)`` with torch and ember and compare outputs and input grads.

    inputs: shapes (tuples) become random arrays of ``dtype``; arrays are used as given;
    anything else is passed through unchanged (numbers, dims ...).
    """
    arrays = []
    for i, s in enumerate(inputs):
        if isinstance(s, tuple):
            arrays.append(rand_array(s, dtype, seed=seed + i, positive=positive))
        else:
            arrays.append(s)
    tl, ti = _make_inputs(torch, arrays, grad, noncontig)
    el, ei = _make_inputs(ember, arrays, grad, noncontig)
    to = fn(torch, *ti)
    eo = fn(ember, *ei)
    assert_same(eo, to, rtol, atol, check_dtype)
    if not grad or not any(x is not None for x in tl):
        return eo, to
    touts = [o for o in (to if isinstance(to, (tuple, list)) else [to])
             if isinstance(o, torch.Tensor) and o.requires_grad]
    eouts = [o for o in (eo if isinstance(eo, (tuple, list)) else [eo])
             if isinstance(o, ember.Tensor) and o.requires_grad]
    assert len(touts) == len(eouts), "a different number of outputs require grad"
    if not touts:
        return eo, to
    rng = np.random.default_rng(seed + 100)
    tg, eg = [], []
    for o in touts:
        g = rng.uniform(-1, 1, size=tuple(o.shape)).astype(to_numpy(o).dtype)
        tg.append(torch.tensor(g, dtype=o.dtype))
        eg.append(ember.tensor(g, dtype=getattr(ember, dtype_name(o))))
    torch.autograd.backward(touts, tg)
    ember.autograd.backward(eouts, eg)
    for i, (a, b) in enumerate(zip(el, tl)):
        if b is None:
            continue
        if b.grad is None:
            assert a.grad is None or not np.any(to_numpy(a.grad)), f"grad of input {i}"
            continue
        assert a.grad is not None, f"ember gave no gradient for input {i}"
        assert_same(a.grad, b.grad, grad_rtol or rtol, grad_atol or atol, check_dtype,
                    f"grad of input {i}")
    return eo, to


def gradcheck(fn, inputs, *, seed=0, positive=False, eps=1e-6, atol=1e-5, rtol=1e-3):
    """float64 finite-difference check of ember's gradients for ``fn(ember, *tensors)``."""
    arrays = [rand_array(s, "float64", seed=seed + i, positive=positive)
              if isinstance(s, tuple) else s for i, s in enumerate(inputs)]
    ts = [ember.tensor(a, requires_grad=True) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
          else a for a in arrays]
    assert ember.autograd.gradcheck(lambda *xs: fn(ember, *xs), tuple(ts), eps=eps, atol=atol,
                                    rtol=rtol)


def check_error(fn, exc_type=None, match=None):
    """Both libraries raise for ``fn(lib)``; ember's exception type equals torch's."""
    with pytest.raises(Exception) as te:
        fn(torch)
    expected = exc_type or type(te.value)
    with pytest.raises(expected, match=match):
        fn(ember)
