"""Module oracle: the same weights in a torch module and an ember module give the same
outputs and the same gradients for the inputs and every parameter; state_dict keys and repr
are equal."""
import numpy as np

from oracle import assert_same, rand_array, to_numpy

import ember
import torch


def to_ember_state(sd):
    return {k: ember.tensor(to_numpy(v)) for k, v in sd.items()}


def module_check(make, inputs, *, train=True, rtol=None, atol=None, seed=0, grad=True,
                 dtype="float32", check_repr=True, forward=None):
    """``make(lib)`` builds the module; ``inputs`` are shapes (random, requiring grad) or
    arrays (used as given, no grad)."""
    tm = make(torch)
    em = make(ember)
    if dtype == "float64":
        tm, em = tm.double(), em.double()
    tm.train(train)
    em.train(train)
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    if check_repr:
        assert repr(em) == repr(tm)
    res = em.load_state_dict(to_ember_state(tm.state_dict()))
    assert res.missing_keys == [] and res.unexpected_keys == []
    arrays = [rand_array(s, dtype, seed=seed + i) if isinstance(s, tuple) else s
              for i, s in enumerate(inputs)]
    # shapes become inputs that require grad; arrays given as-is (targets) do not
    rg = [grad and isinstance(s, tuple) for s in inputs]
    tin = [torch.tensor(a, requires_grad=r) if isinstance(a, np.ndarray) else a
           for a, r in zip(arrays, rg)]
    ein = [ember.tensor(a, requires_grad=r) if isinstance(a, np.ndarray) else a
           for a, r in zip(arrays, rg)]
    call = forward or (lambda m, *xs: m(*xs))
    to = call(tm, *tin)
    eo = call(em, *ein)
    assert_same(eo, to, rtol, atol)
    if not grad or not any(rg):
        return em, tm
    touts = to if isinstance(to, (tuple, list)) else [to]
    eouts = eo if isinstance(eo, (tuple, list)) else [eo]
    rng = np.random.default_rng(seed + 7)
    gs = [rng.uniform(-1, 1, size=tuple(o.shape)).astype(to_numpy(o).dtype) for o in touts]
    torch.autograd.backward(list(touts), [torch.tensor(g) for g in gs])
    ember.autograd.backward(list(eouts), [ember.tensor(g) for g in gs])
    for i, (a, b) in enumerate(zip(ein, tin)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            assert_same(a.grad, b.grad, rtol, atol, what=f"grad of input {i}")
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_same(p.grad, tp[name].grad, rtol, atol, what=f"grad of {name}")
    return em, tm
