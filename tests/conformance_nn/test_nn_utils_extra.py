"""nn.utils as GAN / deployment code uses it: old-style spectral_norm (SNGAN), BatchNorm
fusion, stateless.functional_call."""
import warnings

import numpy as np
import pytest

from oracle import assert_same

import ember
import torch


def _disc(lib):
    nn = lib.nn
    SN = nn.utils.spectral_norm

    class D(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = SN(nn.Conv2d(3, 4, 3, 1, 1))
            self.c2 = SN(nn.ConvTranspose2d(4, 2, 4, 2, 1), n_power_iterations=2)
            self.fc = SN(nn.Linear(2 * 8 * 8, 1), eps=1e-6)

        def forward(self, x):
            x = nn.functional.leaky_relu(self.c1(x), 0.1)
            return self.fc(self.c2(x).flatten(1))
    return D()


def _run_disc(lib, m):
    r = {"keys": list(m.state_dict().keys()),
         "meta": {k: dict(v) for k, v in m.state_dict()._metadata.items()},
         "params": [n for n, _ in m.named_parameters()]}
    x = lib.tensor(np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32),
                   requires_grad=True)
    opt = lib.optim.Adam(m.parameters(), 1e-2, betas=(0.0, 0.9))
    for i in range(2):
        opt.zero_grad()
        y = m(x)
        y.mean().backward()
        opt.step()
        r[i] = (y, x.grad, m.c1.weight, m.c2.weight_u, m.fc.weight_v,
                {n: p.grad for n, p in m.named_parameters()})
    m.eval()
    r["eval"] = (m(x), m.c1.weight_u)
    m2 = _disc(lib)
    m2.load_state_dict(m.state_dict())
    m2.eval()
    r["reload"] = m2(x)
    lib.nn.utils.remove_spectral_norm(m.c1)
    r["removed"] = (list(m.c1.state_dict().keys()), m.c1.weight, len(m.c1._forward_pre_hooks),
                    type(m.c1.weight).__name__)
    with pytest.raises(ValueError):
        lib.nn.utils.remove_spectral_norm(m.c1)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        lib.nn.utils.spectral_norm(m.fc)
    return r


def _flat(obj):
    """dicts -> [key, value, ...] lists, recursively (assert_same compares sequences)."""
    if isinstance(obj, dict):
        return [v for k in obj for v in (str(k), _flat(obj[k]))]
    if isinstance(obj, (list, tuple)):
        return [_flat(v) for v in obj]
    return obj


def test_spectral_norm_training_matches():
    tm = _disc(torch)
    em = _disc(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert_same(_flat(_run_disc(ember, em)), _flat(_run_disc(torch, tm)), 1e-4, 1e-5)


def _fusion(lib):
    rng = np.random.default_rng(1)
    x = lib.tensor(rng.standard_normal((2, 3, 5, 5)).astype(np.float32))
    conv, bn = lib.nn.Conv2d(3, 4, 3), lib.nn.BatchNorm2d(4)
    conv.load_state_dict({"weight": lib.tensor(rng.standard_normal((4, 3, 3, 3)).astype(
        np.float32)), "bias": lib.arange(4.0)})
    bn.running_mean.fill_(0.3)
    bn.running_var.fill_(2.0)
    bn.weight.data.fill_(1.5)
    conv.eval()
    bn.eval()
    f = lib.nn.utils.fuse_conv_bn_eval(conv, bn)
    ct = lib.nn.ConvTranspose2d(3, 4, 2, bias=False)
    ct.load_state_dict({"weight": lib.tensor(rng.standard_normal((3, 4, 2, 2)).astype(
        np.float32))})
    ct.eval()
    ft = lib.nn.utils.fuse_conv_bn_eval(ct, bn, transpose=True)
    lin, bn1 = lib.nn.Linear(3, 4, bias=False), lib.nn.BatchNorm1d(4)
    lin.weight.data.fill_(0.5)
    bn1.running_var.fill_(3.0)
    lin.eval()
    bn1.eval()
    fl = lib.nn.utils.fuse_linear_bn_eval(lin, bn1)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        lib.nn.utils.fuse_conv_bn_eval(conv.train(), bn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sl = lib.nn.utils.stateless.functional_call(lin, {"weight": lib.ones(4, 3) * 2},
                                                    (lib.ones(1, 3),))
    return (f(x), bn(conv.eval()(x)), repr(f), type(f.weight).__name__, f.weight.requires_grad,
            ft(x), bn(ct(x)), fl(lib.ones(2, 3)), bn1(lin(lib.ones(2, 3))), sl)


def test_fusion_and_stateless():
    e, t = _fusion(ember), _fusion(torch)
    assert_same(e, t, 1e-4, 1e-5)
    assert_same(e[0], t[1], 1e-4, 1e-5)
