"""Adafactor and Muon: 20-step trajectories equal torch's."""
import numpy as np
import pytest

from oracle import assert_same, check_error, torch

import ember


def _trajectory(lib, name, kw, shapes, steps=20):
    rng = np.random.default_rng(1)
    params = [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(np.float32)))
              for s in shapes]
    opt = getattr(lib.optim, name)(params, **kw)
    for _ in range(steps):
        opt.zero_grad()
        loss = sum((p * p).sum() * 0.5 + p.sin().sum() for p in params)
        loss.backward()
        opt.step()
    return params, opt


CASES = [
    ("Adafactor", {}, [(4, 5), (6,), (2, 3, 4)]),
    ("Adafactor", dict(lr=0.05, weight_decay=0.1, d=1.5, eps=(1e-6, 1e-2)), [(4, 5), (6,)]),
    ("Adafactor", dict(maximize=True, beta2_decay=-0.5), [(3, 3)]),
    ("Muon", dict(lr=0.02), [(4, 5), (7, 3)]),
    ("Muon", dict(lr=0.02, nesterov=False, adjust_lr_fn="match_rms_adamw",
                  weight_decay=0.0), [(4, 5)]),
    ("Muon", dict(lr=0.05, momentum=0.9, ns_steps=3), [(16, 8)]),
]


@pytest.mark.parametrize("name,kw,shapes", CASES)
def test_trajectory_matches_torch(name, kw, shapes):
    tp, topt = _trajectory(torch, name, kw, shapes)
    ep, eopt = _trajectory(ember, name, kw, shapes)
    for e, t in zip(ep, tp):
        assert_same(e, t, rtol=1e-5, atol=1e-6)
    tsd, esd = topt.state_dict(), eopt.state_dict()
    assert tsd["state"].keys() == esd["state"].keys()
    for i in tsd["state"]:
        assert tsd["state"][i].keys() == esd["state"][i].keys()
        for k, v in tsd["state"][i].items():
            assert_same(esd["state"][i][k], v, rtol=1e-5, atol=1e-6)


def test_state_dict_round_trip():
    ep, opt = _trajectory(ember, "Adafactor", {}, [(4, 5)], steps=3)
    opt2 = ember.optim.Adafactor(ep)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.state[ep[0]]["step"].item() == 3.0


def test_errors():
    p = lambda lib: [lib.nn.Parameter(lib.randn(3))]  # noqa: E731
    check_error(lambda lib: lib.optim.Muon(p(lib)), ValueError, "2D")
    check_error(lambda lib: lib.optim.Muon([lib.nn.Parameter(lib.randn(2, 2))],
                                           adjust_lr_fn="x"), ValueError)
    check_error(lambda lib: lib.optim.Adafactor(p(lib), lr=-1.0), ValueError)
    check_error(lambda lib: lib.optim.Adafactor(p(lib), beta2_decay=0.5), ValueError)
    check_error(lambda lib: lib.optim.Adafactor(p(lib), d=0.5), ValueError)
