"""A small nn model trained by torch and Ember with the same optimizer + scheduler agrees;
a checkpoint (model, optimizer, scheduler) saved mid-run resumes exactly."""
import io

import numpy as np
import pytest
import torch

import ember


def mlp(lib):
    m = lib.nn.Sequential(lib.nn.Linear(8, 16), lib.nn.Tanh(), lib.nn.Linear(16, 4))
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.tensor((rng.standard_normal(tuple(p.shape)) * 0.3).astype(np.float32)))
    return m


def data(i):
    rng = np.random.default_rng(100 + i)
    return rng.standard_normal((32, 8)).astype(np.float32), \
        rng.standard_normal((32, 4)).astype(np.float32)


def one_step(lib, model, opt, sched, i):
    x, y = data(i)
    opt.zero_grad()
    loss = lib.nn.functional.mse_loss(model(lib.tensor(x)), lib.tensor(y))
    loss.backward()
    opt.step()
    sched.step()
    return float(loss.detach())


SETUPS = [
    ("Adam", dict(lr=0.01, amsgrad=True), "StepLR", dict(step_size=5, gamma=0.5)),
    ("AdamW", dict(lr=0.01), "OneCycleLR", dict(max_lr=0.05, total_steps=25)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True), "CosineAnnealingLR", dict(T_max=8)),
    ("RMSprop", dict(lr=0.005, centered=True), "LinearLR", dict(total_iters=10)),
]


@pytest.mark.parametrize("oname,okw,sname,skw", SETUPS, ids=[s[0] for s in SETUPS])
def test_model_training_matches_torch(oname, okw, sname, skw):
    res = []
    for lib in (ember, torch):
        model = mlp(lib)
        opt = getattr(lib.optim, oname)(model.parameters(), **okw)
        sched = getattr(lib.optim.lr_scheduler, sname)(opt, **skw)
        losses = [one_step(lib, model, opt, sched, i) for i in range(20)]
        res.append((losses, [p.detach().numpy().copy() for p in model.parameters()],
                    sched.get_last_lr()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-4, atol=1e-6)
    for a, b in zip(res[0][1], res[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-12)


@pytest.mark.skipif(not hasattr(ember, "save"), reason="ember.save not available")
def test_checkpoint_resume_exact():
    full = mlp(ember)
    opt = ember.optim.Adam(full.parameters(), lr=0.01)
    sched = ember.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    for i in range(12):
        one_step(ember, full, opt, sched, i)

    model = mlp(ember)
    opt = ember.optim.Adam(model.parameters(), lr=0.01)
    sched = ember.optim.lr_scheduler.ExponentialLR(opt, 0.9)
    for i in range(6):
        one_step(ember, model, opt, sched, i)
    buf = io.BytesIO()
    ember.save({"model": model.state_dict(), "opt": opt.state_dict(),
                "sched": sched.state_dict()}, buf)
    buf.seek(0)
    ck = ember.load(buf)
    model2 = mlp(ember)
    model2.load_state_dict(ck["model"])
    opt2 = ember.optim.Adam(model2.parameters(), lr=0.01)
    sched2 = ember.optim.lr_scheduler.ExponentialLR(opt2, 0.9)
    opt2.load_state_dict(ck["opt"])
    sched2.load_state_dict(ck["sched"])
    assert opt2.state[next(model2.parameters())]["step"].dtype is ember.float32
    for i in range(6, 12):
        one_step(ember, model2, opt2, sched2, i)
    for a, b in zip(model2.parameters(), full.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
