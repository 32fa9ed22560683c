"""Each optimizer and option set: 20 steps in torch and Ember from the same start agree."""
import copy

import numpy as np
import pytest
import torch

import ember
from _harness import assert_close_history, run, state_structure

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.02, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("SGD", dict(lr=np.array(0.1, np.float32), momentum=0.9)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=np.array(0.01, np.float32), foreach=False, fused=False)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.5)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, betas=(0.9, 0.9))),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1,
                     weight_decay=0.1)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=5, lambd=0.01, weight_decay=0.01)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-4, 0.1), maximize=True)),
]


def _id(c):
    return c[0] + "-" + "-".join(f"{k}" for k in c[1]) if c[1] else c[0]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[_id(c) for c in CONFIGS])
def test_trajectory_and_state(name, kwargs):
    he, oe, _ = run(ember, name, kwargs)
    ht, ot, _ = run(torch, name, kwargs)
    assert_close_history(he, ht)
    sde, sdt = oe.state_dict(), ot.state_dict()
    assert state_structure(sde) == state_structure(sdt)
    for i, st in sdt["state"].items():
        for k, v in st.items():
            if isinstance(v, torch.Tensor):
                np.testing.assert_allclose(sde["state"][i][k].numpy(), v.numpy(), rtol=1e-4,
                                           atol=1e-6, err_msg=k)
            else:
                assert sde["state"][i][k] == v
    assert repr(oe) == repr(ot).replace("tensor(0.0100)", "tensor(0.0100)")


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("NAdam", dict(lr=0.01)),
                                         ("ASGD", dict(lr=0.05, t0=3)),
                                         ("Rprop", dict(lr=0.01)),
                                         ("Adagrad", dict(lr=0.1)),
                                         ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5))])
def test_state_dict_resume(name, kwargs):
    """Save mid-run, load into a fresh optimizer over copied parameters, finish: same
    parameters as the uninterrupted run."""
    full, _, _ = run(ember, name, kwargs, steps=12)
    _, opt, params = run(ember, name, kwargs, steps=6)
    sd = copy.deepcopy(opt.state_dict())
    params2 = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = getattr(ember.optim, name)(params2, **kwargs)
    opt2.load_state_dict(sd)
    assert opt2.state_dict()["param_groups"] == sd["param_groups"]
    from _harness import loss_fn, make_data
    _, xa, ya = make_data(0)
    x, y = ember.tensor(xa), ember.tensor(ya)
    for _ in range(6):
        opt2.zero_grad()
        loss_fn(ember, params2, x, y).backward()
        opt2.step()
    for a, b in zip(params2, full[-1]):
        np.testing.assert_array_equal(a.detach().numpy(), b)


def test_param_groups_and_missing_grad():
    def groups(lib_params):
        return [{"params": lib_params[:2], "lr": 0.05},
                {"params": lib_params[2:], "momentum": 0.5}]
    he, oe, _ = run(ember, "SGD", dict(lr=0.1), groups=groups)
    ht, ot, _ = run(torch, "SGD", dict(lr=0.1), groups=groups)
    assert_close_history(he, ht)
    assert state_structure(oe.state_dict()) == state_structure(ot.state_dict())
    assert repr(oe) == repr(ot)
    # A parameter without a gradient is skipped and gets no state.
    w = ember.zeros(3, requires_grad=True)
    u = ember.ones(2, requires_grad=True)
    opt = ember.optim.Adam([w, u], lr=0.1)
    (w.sum() * 2).backward()
    opt.step()
    assert u not in opt.state and w in opt.state
    np.testing.assert_array_equal(u.detach().numpy(), np.ones(2, np.float32))


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs(line_search):
    kw = dict(lr=1 if line_search else 0.5, history_size=5, max_iter=10,
              line_search_fn=line_search)
    he, oe, _ = run(ember, "LBFGS", kw, steps=3, closure=True)
    ht, ot, _ = run(torch, "LBFGS", kw, steps=3, closure=True)
    assert_close_history(he, ht, rtol=2e-3, atol=2e-4)
    se, st = oe.state_dict()["state"][0], ot.state_dict()["state"][0]
    assert se["func_evals"] == st["func_evals"] and se["n_iter"] == st["n_iter"]
    assert state_structure(oe.state_dict()) == state_structure(ot.state_dict())


def test_lbfgs_tolerances_and_resume():
    # float64, so that 100 iterations do not amplify float32 rounding differences
    kw = dict(lr=1, max_iter=50, tolerance_grad=1e-5, tolerance_change=1e-9,
              line_search_fn="strong_wolfe", history_size=7)
    he, oe, pe = run(ember, "LBFGS", kw, steps=2, closure=True, dtype=np.float64)
    ht, ot, pt = run(torch, "LBFGS", kw, steps=2, closure=True, dtype=np.float64)
    assert_close_history(he, ht, rtol=1e-5, atol=1e-7)
    assert oe.state[pe[0]]["n_iter"] == ot.state[pt[0]]["n_iter"]
    assert oe.state[pe[0]]["func_evals"] == ot.state[pt[0]]["func_evals"]
    # resume from a copied state: the third step equals the uninterrupted one
    sd = copy.deepcopy(oe.state_dict())
    h3, o3, p3 = run(ember, "LBFGS", kw, steps=3, closure=True, dtype=np.float64)
    params = [ember.tensor(a, requires_grad=True) for a in he[-1]]
    opt = ember.optim.LBFGS(params, **kw)
    opt.load_state_dict(sd)
    from _harness import loss_fn, make_data
    _, xa, ya = make_data(0, np.float64)

    def closure():
        opt.zero_grad()
        loss = loss_fn(ember, params, ember.tensor(xa), ember.tensor(ya))
        loss.backward()
        return loss
    opt.step(closure)
    for a, b in zip(params, h3[-1]):
        np.testing.assert_allclose(a.detach().numpy(), b, rtol=1e-9, atol=1e-12)


def test_step_pre_post_hooks_and_closure():
    w = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.5)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(("pre", o is opt, len(a))))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append(("post", o is opt)))
    from ember.optim.optimizer import register_optimizer_step_pre_hook
    h3 = register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global"))

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert float(loss) == 3.0
    assert calls == ["global", ("pre", True, 2), ("post", True)]
    np.testing.assert_allclose(w.detach().numpy(), np.zeros(3))
    for h in (h1, h2, h3):
        h.remove()
    opt.step(closure)
    assert len(calls) == 3


def test_state_dict_hooks():
    w = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.5, momentum=0.9)
    seen = []
    opt.register_state_dict_pre_hook(lambda o: seen.append("pre"))
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("lpre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("lpost"))
    sd = opt.state_dict()
    assert sd["extra"] == 1 and seen == ["pre"]
    opt.load_state_dict(sd)
    assert seen == ["pre", "lpre", "lpost"]


def test_zero_grad():
    w = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.5)
    (w * 2).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and not g.requires_grad
    np.testing.assert_array_equal(g.numpy(), np.zeros(3))
    opt.zero_grad()
    assert w.grad is None


def test_add_param_group_and_named_params():
    a = ember.ones(2, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    opt = ember.optim.SGD([("a", a)], lr=0.1)
    opt.add_param_group({"params": [("b", b)], "lr": 0.2})
    ta, tb = torch.ones(2, requires_grad=True), torch.ones(3, requires_grad=True)
    topt = torch.optim.SGD([("a", ta)], lr=0.1)
    topt.add_param_group({"params": [("b", tb)], "lr": 0.2})
    assert opt.state_dict()["param_groups"] == topt.state_dict()["param_groups"]
    assert repr(opt) == repr(topt)


def test_params_stay_the_same_objects_and_version_bumps():
    w = ember.ones(3, requires_grad=True)
    data = w._data
    opt = ember.optim.Adam([w], lr=0.1)
    v0 = w._version
    (w * w).sum().backward()
    opt.step()
    assert w._data is data and w._version > v0
    assert w.grad is not None and w.is_leaf


def test_float64_and_complex_params():
    for dt in (np.float64, np.complex64):
        rng = np.random.default_rng(1)
        a = rng.standard_normal(6).astype(dt)
        if dt == np.complex64:
            a = (a + 1j * rng.standard_normal(6)).astype(dt)
        res = []
        for lib in (ember, torch):
            w = lib.tensor(a.copy(), requires_grad=True)
            opt = lib.optim.Adam([w], lr=0.05, amsgrad=True, weight_decay=0.1)
            for i in range(5):
                # gradients set directly (the same values in both libraries)
                w.grad = lib.tensor(a * (i + 1) + 0.5)
                opt.step()
            res.append(w.detach().numpy())
            assert str(opt.state[w]["exp_avg"].dtype).endswith(np.dtype(dt).name)
        np.testing.assert_allclose(res[0], res[1], rtol=1e-5, atol=1e-6)


def test_sparse_adam_clear_error():
    w = ember.ones(3, requires_grad=True)
    opt = ember.optim.SparseAdam([w])
    (w * 2).sum().backward()
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        opt.step()


_FUSED = [c for c in CONFIGS if c[0] in ("Adam", "SGD")]


@pytest.mark.parametrize("name,kwargs", _FUSED, ids=[_id(c) for c in _FUSED])
def test_numpy_path_without_compiled_kernels(monkeypatch, name, kwargs):
    """The native fused updates (Adam, SGD) and the NumPy code they replace follow torch's
    trajectory alike."""
    from ember.backends import native as NK
    monkeypatch.setattr(NK, "ENABLED", False)
    he, _, _ = run(ember, name, kwargs)
    ht, _, _ = run(torch, name, kwargs)
    assert_close_history(he, ht)
