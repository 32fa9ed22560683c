"""Run the same optimizer on the same problem in torch and Ember and compare."""
import numpy as np
import torch

import ember

SHAPES = [(5, 8), (8,), (8, 3)]


def make_data(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal(s) * 0.5).astype(dtype) for s in SHAPES]
    x = rng.standard_normal((16, 5)).astype(dtype)
    y = rng.standard_normal((16, 3)).astype(dtype)
    return params, x, y


def loss_fn(lib, params, x, y):
    w1, b1, w2 = params
    h = lib.tanh(x @ w1 + b1)
    return ((h @ w2 - y) ** 2).mean()


def to_lib(lib, arrays, requires_grad=True):
    return [lib.tensor(a.copy(), requires_grad=requires_grad) for a in arrays]


def run(lib, cls_name, kwargs, steps=20, seed=0, closure=False, groups=None,
        dtype=np.float32):
    """Return the parameters (as arrays) after each step, the optimizer, the parameters."""
    arrays, xa, ya = make_data(seed, dtype)
    params = to_lib(lib, arrays)
    x, y = lib.tensor(xa), lib.tensor(ya)
    kw = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    if groups is not None:
        opt = getattr(lib.optim, cls_name)(groups(params), **kw)
    else:
        opt = getattr(lib.optim, cls_name)(params, **kw)
    history = []
    for _ in range(steps):
        if closure:
            def c():
                opt.zero_grad()
                loss = loss_fn(lib, params, x, y)
                loss.backward()
                return loss
            opt.step(c)
        else:
            opt.zero_grad()
            loss_fn(lib, params, x, y).backward()
            opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt, params


def assert_close_history(he, ht, rtol=1e-4, atol=1e-5):
    for i, (se, st) in enumerate(zip(he, ht)):
        for j, (a, b) in enumerate(zip(se, st)):
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol,
                                       err_msg=f"step {i + 1}, parameter {j}")


def state_structure(sd):
    """A comparable description of a state_dict: keys, nesting, types, dtypes, shapes."""
    def desc(v):
        if isinstance(v, (torch.Tensor, ember.Tensor)):
            return ("tensor", str(v.dtype).replace("torch.", ""), tuple(v.shape))
        if isinstance(v, dict):
            return {k: desc(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [desc(x) for x in v])
        return type(v).__name__
    return desc(sd)
