"""Every scheduler, several option sets: 50 steps of learning rates equal torch's."""
import copy
import math
import warnings

import numpy as np
import pytest
import torch

import ember


def make_opt(lib, opt="SGD", lrs=(0.1, 0.01)):
    ps = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    groups = [{"params": [ps[0]], "lr": lrs[0]}, {"params": [ps[1]], "lr": lrs[1]}]
    if opt == "SGD":
        return getattr(lib.optim, opt)(groups, lr=0.1, momentum=0.9)
    return getattr(lib.optim, opt)(groups)


def _L(lib):
    return lib.optim.lr_scheduler


SCHEDULERS = {
    "LambdaLR": lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda L, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** e]),
    "MultiplicativeLR": lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97),
    "StepLR": lambda L, o: L.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda L, o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3),
    "ConstantLR": lambda L, o: L.ConstantLR(o, factor=0.25, total_iters=8),
    "LinearLR": lambda L, o: L.LinearLR(o, start_factor=0.1, end_factor=0.9, total_iters=20),
    "LinearLR-default": lambda L, o: L.LinearLR(o),
    "ExponentialLR": lambda L, o: L.ExponentialLR(o, gamma=0.93),
    "PolynomialLR": lambda L, o: L.PolynomialLR(o, total_iters=30, power=2.0),
    "CosineAnnealingLR": lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=1e-3),
    "CosineAnnealingLR-long": lambda L, o: L.CosineAnnealingLR(o, T_max=60),
    "CosineAnnealingWarmRestarts": lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-mult": lambda L, o: L.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=1e-4),
    "CyclicLR": lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=6),
    "CyclicLR-tri2": lambda L, o: L.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=0.1,
                                             step_size_up=4, step_size_down=3,
                                             mode="triangular2"),
    "CyclicLR-exp": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, mode="exp_range",
                                            gamma=0.97, cycle_momentum=False),
    "CyclicLR-fn": lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                           scale_fn=lambda x: 1 / (x + 1), scale_mode="iterations"),
    "OneCycleLR": lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=60),
    "OneCycleLR-linear3": lambda L, o: L.OneCycleLR(o, max_lr=[0.5, 0.1], epochs=6,
                                                    steps_per_epoch=10, pct_start=0.25,
                                                    anneal_strategy="linear",
                                                    three_phase=True),
    "SequentialLR": lambda L, o: L.SequentialLR(
        o, [L.LinearLR(o, start_factor=0.1, total_iters=5), L.ExponentialLR(o, 0.9),
            L.StepLR(o, 4)], milestones=[5, 20]),
    "ChainedScheduler": lambda L, o: L.ChainedScheduler(
        [L.ConstantLR(o, factor=0.5, total_iters=4), L.ExponentialLR(o, gamma=0.95)]),
    "SWALR": lambda L, o: L.__dict__.get("_swa", None) or _swalr(L, o, "cos", 10),
    "SWALR-linear0": lambda L, o: _swalr(L, o, "linear", 0),
}


def _swalr(L, o, strategy, epochs):
    mod = ember.optim.swa_utils if L is ember.optim.lr_scheduler else torch.optim.swa_utils
    return mod.SWALR(o, swa_lr=0.05, anneal_epochs=epochs, anneal_strategy=strategy)


def _clean(sd):
    return {k: v for k, v in sd.items() if k not in ("_schedulers",)}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequence(name):
    seqs, sds = [], []
    for lib in (ember, torch):
        opt = make_opt(lib, "Adam" if name == "OneCycleLR-linear3" else "SGD")
        sched = SCHEDULERS[name](_L(lib), opt)
        seq = []
        for i in range(51):
            if i:
                opt.step()
                sched.step()
            g = opt.param_groups
            seq.append(list(sched.get_last_lr()) + [x["lr"] for x in g]
                       + [x.get("momentum", x.get("betas", (0,))[0]) for x in g])
        seqs.append(seq)
        sds.append(sched.state_dict())
    np.testing.assert_allclose(np.array(seqs[0]), np.array(seqs[1]), rtol=1e-13, atol=0)
    se, st = sds
    assert set(se) == set(st)
    for k in st:
        if k in ("_schedulers",):
            assert [set(a) for a in se[k]] == [set(b) for b in st[k]]
        elif k not in ("lr_lambdas", "_scale_fn_custom", "anneal_func"):
            assert se[k] == st[k], k


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("max", "abs")])
def test_reduce_lr_on_plateau(mode, threshold_mode):
    rng = np.random.default_rng(0)
    metrics = np.cumsum(rng.standard_normal(50)) * 0.1
    out = []
    for lib in (ember, torch):
        opt = make_opt(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=mode, factor=0.5, patience=2, threshold=0.01,
            threshold_mode=threshold_mode, cooldown=1, min_lr=[1e-3, 1e-4])
        seq = []
        for m in metrics:
            opt.step()
            sched.step(float(m))
            seq.append(sched.get_last_lr() + [sched.num_bad_epochs, sched.cooldown_counter])
        out.append((seq, sched.state_dict()))
    assert out[0][0] == out[1][0]
    assert out[0][1] == out[1][1]


def test_state_dict_resume_and_closed_form():
    L = ember.optim.lr_scheduler
    opt = make_opt(ember)
    sched = L.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        opt.step()
        sched.step()
    sd = copy.deepcopy(sched.state_dict())
    osd = copy.deepcopy(opt.state_dict())
    rest = []
    for _ in range(6):
        opt.step()
        sched.step()
        rest.append(sched.get_last_lr())
    opt2 = make_opt(ember)
    sched2 = L.CosineAnnealingLR(opt2, T_max=10)
    sched2.load_state_dict(sd)
    opt2.load_state_dict(osd)
    rest2 = []
    for _ in range(6):
        opt2.step()
        sched2.step()
        rest2.append(sched2.get_last_lr())
    assert rest == rest2
    # resuming with last_epoch needs initial_lr; the epoch argument uses the closed form
    opt3 = make_opt(ember)
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(opt3, 3, last_epoch=5)
    for lib in (ember, torch):
        o = make_opt(lib)
        s = lib.optim.lr_scheduler.StepLR(o, 3, gamma=0.5)
        o.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s.step(7)
        rest.append(s.get_last_lr())
    assert rest[-1] == rest[-2]


def test_initial_lr_and_warnings():
    opt = make_opt(ember)
    L = ember.optim.lr_scheduler
    sched = L.StepLR(opt, 2)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.01]
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_opt(ember)
    sched = L.StepLR(opt, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_tensor_lr_is_filled_in_place():
    res = []
    for lib in (ember, torch):
        w = lib.zeros(2, requires_grad=True)
        lr = lib.tensor(0.1)
        opt = lib.optim.SGD([w], lr=lr)
        s = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        for _ in range(3):
            opt.step()
            s.step()
        assert opt.param_groups[0]["lr"] is lr
        res.append(float(lr))
    assert res[0] == pytest.approx(res[1])


def test_scheduler_errors():
    L = ember.optim.lr_scheduler
    opt = make_opt(ember)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        L.StepLR(object(), 3)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        L.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="Constant multiplicative factor"):
        L.ConstantLR(opt, factor=2)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        L.ReduceLROnPlateau(opt, factor=1.5)
    with pytest.raises(ValueError, match="total_steps OR"):
        L.OneCycleLR(opt, 0.1)
    with pytest.raises(ValueError, match="Tried to step 3 times"):
        s = L.OneCycleLR(opt, 0.1, total_steps=2)
        for _ in range(3):
            opt.step()
            s.step()
    with pytest.raises(ValueError, match="Sequential Schedulers expects"):
        L.SequentialLR(opt, [L.StepLR(opt, 2)], milestones=[3])
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        L.CosineAnnealingWarmRestarts(opt, 0)
