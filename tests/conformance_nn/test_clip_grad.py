"""nn.utils.clip_grad_* as training loops call them: with ``model.parameters()`` (a
generator), single tensors, lists; the returned norm and the clipped gradients."""
import numpy as np
import pytest

from oracle import assert_same

import ember
import torch


def _model(lib):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3))
    return m


def _grads(lib, m):
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    (m(lib.tensor(x)) * 10).pow(2).sum().backward()


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf")])
@pytest.mark.parametrize("how", ["generator", "list", "filter"])
def test_clip_grad_norm_with_generator(norm_type, how):
    out = []
    tm = _model(torch)
    em = _model(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    for lib, m in ((ember, em), (torch, tm)):
        _grads(lib, m)
        params = {"generator": m.parameters(), "list": list(m.parameters()),
                  "filter": filter(lambda p: p.requires_grad, m.parameters())}[how]
        total = lib.nn.utils.clip_grad_norm_(params, max_norm=0.5, norm_type=norm_type)
        out.append((total, [p.grad for p in m.parameters()]))
    assert_same(out[0], out[1], 1e-4, 1e-5)
    # the gradients really were clipped
    g = np.concatenate([p.grad.numpy().ravel() for p in em.parameters()])
    assert np.linalg.norm(g, norm_type if norm_type != 2.0 else None) <= 0.5 + 1e-4


def test_clip_grad_value_generator_and_single_tensor():
    out = []
    tm = _model(torch)
    em = _model(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    for lib, m in ((ember, em), (torch, tm)):
        _grads(lib, m)
        lib.nn.utils.clip_grad_value_(m.parameters(), clip_value=0.1)
        w = m[0].weight
        total = lib.nn.utils.clip_grad_norm_(w, 0.05)
        out.append((total, [p.grad for p in m.parameters()]))
    assert_same(out[0], out[1], 1e-4, 1e-5)
