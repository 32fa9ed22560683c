"""AveragedModel (SWA, EMA, custom avg_fn, buffers), update_bn against torch."""
import numpy as np
import pytest
import torch

import ember


def build(lib):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.BatchNorm1d(6), lib.nn.ReLU(),
                          lib.nn.Linear(6, 2))
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    return m


def train(lib, avg_kwargs, steps=6):
    model = build(lib)
    su = lib.optim.swa_utils
    kw = {}
    if avg_kwargs == "ema":
        kw = dict(multi_avg_fn=su.get_ema_multi_avg_fn(0.9))
    elif avg_kwargs == "ema_single":
        kw = dict(avg_fn=su.get_ema_avg_fn(0.8))
    elif avg_kwargs == "swa_single":
        kw = dict(avg_fn=su.get_swa_avg_fn())
    elif avg_kwargs == "buffers":
        kw = dict(use_buffers=True)
    avg = su.AveragedModel(model, **kw)
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((8, 4)).astype(np.float32) for _ in range(steps)]
    for x in xs:
        opt.zero_grad()
        model(lib.tensor(x)).pow(2).mean().backward()
        opt.step()
        avg.update_parameters(model)
    return avg, model, xs


@pytest.mark.parametrize("kind", ["swa", "ema", "ema_single", "swa_single", "buffers"])
def test_averaged_model(kind):
    ae, me, xs = train(ember, kind)
    at, mt, _ = train(torch, kind)
    assert int(ae.n_averaged) == int(at.n_averaged) == len(xs)
    for (ne, pe), (nt, pt) in zip(ae.state_dict().items(), at.state_dict().items()):
        assert ne == nt
        np.testing.assert_allclose(pe.detach().numpy(), pt.detach().numpy(), rtol=1e-4,
                                   atol=1e-5, err_msg=ne)
    x = np.ones((3, 4), np.float32)
    ae.eval(); at.eval()
    np.testing.assert_allclose(ae(ember.tensor(x)).detach().numpy(),
                               at(torch.tensor(x)).detach().numpy(), rtol=1e-4, atol=1e-5)


def test_update_bn():
    out = []
    for lib in (ember, torch):
        avg, model, xs = train(lib, "swa")
        loader = [(lib.tensor(x), 0) for x in xs]
        lib.optim.swa_utils.update_bn(loader, avg)
        bn = avg.module[1]
        out.append((bn.running_mean.numpy().copy(), bn.running_var.numpy().copy(),
                    bn.momentum, avg.training))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-4, atol=1e-5)
    assert out[0][2:] == out[1][2:]


def test_errors():
    su = ember.optim.swa_utils
    with pytest.raises(ValueError, match="Invalid decay value"):
        su.get_ema_multi_avg_fn(1.5)
    m = ember.nn.Linear(2, 2)
    with pytest.raises(AssertionError):
        su.AveragedModel(m, avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        su.SWALR(opt, 0.05, anneal_strategy="step")
    with pytest.raises(ValueError, match="anneal_epochs"):
        su.SWALR(opt, 0.05, anneal_epochs=-1)
