"""Layers d2l-style and distributed-ready training scripts use: the Lazy* convolutions and
norms, SyncBatchNorm.convert_sync_batchnorm, CrossMapLRN2d; reprs, keys, values, grads."""
import copy

import numpy as np
import pytest

from oracle import assert_same

import ember
import torch


def _both(fn):
    return fn(ember), fn(torch)


LAZY = [
    ("LazyConv1d(4, 3)", (2, 3, 7)), ("LazyConv1d(2, 3)", (3, 7)),
    ("LazyConv2d(4, 3, padding=1, groups=2)", (2, 4, 5, 5)),
    ("LazyConv2d(4, 3, bias=False)", (2, 2, 5, 5)), ("LazyConv3d(2, 3)", (1, 3, 4, 4, 4)),
    ("LazyConvTranspose1d(2, 3)", (1, 4, 5)),
    ("LazyConvTranspose2d(3, 2, stride=2, bias=False)", (2, 4, 3, 3)),
    ("LazyConvTranspose3d(2, 2)", (1, 2, 2, 2, 2)),
    ("LazyBatchNorm1d()", (4, 3)), ("LazyBatchNorm2d(momentum=0.3)", (2, 3, 4, 4)),
    ("LazyBatchNorm3d(affine=False)", (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d()", (2, 3, 5)), ("LazyInstanceNorm2d(affine=True)", (2, 3, 4, 4)),
]


@pytest.mark.parametrize("expr,shape", LAZY)
def test_lazy_module_materialises_like_torch(expr, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    res = []
    for lib in (ember, torch):
        m = eval("lib.nn." + expr)
        before = (repr(m), list(m.state_dict().keys()))
        y = m(lib.tensor(x))
        # after the first call it is the plain layer with inferred sizes, and no pre-hook
        res.append((before, repr(m), type(m).__name__, len(m._forward_pre_hooks),
                    [(n, tuple(p.shape)) for n, p in m.named_parameters()],
                    [(n, tuple(b.shape)) for n, b in m.named_buffers()], tuple(y.shape)))
    assert res[0] == res[1]


def test_lazy_same_values_after_weight_copy_and_errors():
    x = np.random.default_rng(1).standard_normal((2, 3, 6, 6)).astype(np.float32)
    em, tm = ember.nn.LazyConv2d(4, 3), torch.nn.LazyConv2d(4, 3)
    tm(torch.tensor(x))
    em(ember.tensor(x))
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))
    assert isinstance(ember.nn.LazyConv2d(4, 3), ember.nn.Conv2d)
    assert isinstance(ember.nn.LazyBatchNorm2d(), ember.nn.modules.lazy.LazyModuleMixin)
    for bad in (lambda lib: lib.nn.LazyConv2d(4, 3)(lib.randn(5, 5)),
                lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.randn(1, 3, 5, 5))):
        errs = []
        for lib in (ember, torch):
            with pytest.raises(Exception) as info:
                bad(lib)
            errs.append((type(info.value), str(info.value).replace("ember", "torch")))
        assert errs[0][0].__name__ == errs[1][0].__name__ and errs[0][1] == errs[1][1]


def test_lazy_load_state_dict_and_deepcopy():
    for lib in (ember, torch):
        m = lib.nn.LazyConv2d(4, 3)
        m.load_state_dict({"weight": lib.ones(4, 2, 3, 3), "bias": lib.zeros(4)})
        assert tuple(m.weight.shape) == (4, 2, 3, 3)
        assert float(m(lib.ones(1, 2, 3, 3)).sum()) == 72.0
        d = copy.deepcopy(lib.nn.LazyConv2d(4, 3))
        d(lib.ones(2, 5, 4, 4))
        assert type(d).__name__ == "Conv2d" and d.in_channels == 5


def test_d2l_style_lenet():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.LazyConv2d(6, 5, padding=2), nn.LazyBatchNorm2d(),
                             nn.Sigmoid(), nn.AvgPool2d(2), nn.Flatten(), nn.LazyLinear(10))
    x = np.random.default_rng(2).standard_normal((2, 1, 8, 8)).astype(np.float32)
    tm, em = build(torch), build(ember)
    tm(torch.tensor(x))
    em(ember.tensor(x))
    assert repr(em) == repr(tm)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))


def test_convert_sync_batchnorm():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(),
                             nn.Sequential(nn.BatchNorm2d(3, affine=False)))
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 5)).astype(np.float32)
    tm, em = build(torch), build(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    bn_w = em[1].weight
    tm = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tm)
    em = ember.nn.SyncBatchNorm.convert_sync_batchnorm(em)
    assert repr(em) == repr(tm)
    assert em[1].weight is bn_w  # parameters are shared, not copied
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    ty, ey = tm(tx), em(ex)
    ty.sum().backward()
    ey.sum().backward()
    assert_same((ey, ex.grad, em[1].running_mean, em[3][0].running_var),
                (ty, tx.grad, tm[1].running_mean, tm[3][0].running_var))
    s_e, s_t = ember.nn.SyncBatchNorm(3), torch.nn.SyncBatchNorm(3)
    for lib, s in ((ember, s_e), (torch, s_t)):
        with pytest.raises(ValueError, match="expected at least 2D input"):
            s(lib.ones(3))
    assert_same(s_e(ember.ones(2, 3, 4) * 2), s_t(torch.ones(2, 3, 4) * 2))


@pytest.mark.parametrize("size,C", [(2, 3), (3, 6), (4, 6), (5, 3), (7, 6)])
def test_cross_map_lrn2d(size, C):
    x = np.random.default_rng(size).standard_normal((2, C, 3, 4))
    g = np.random.default_rng(size + 1).standard_normal((2, C, 3, 4))
    out = []
    for lib in (ember, torch):
        t = lib.tensor(x, requires_grad=True)
        m = lib.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.7, k=2)
        y = m(t)
        y.backward(lib.tensor(g))
        out.append((y, t.grad, repr(m)))
    assert out[0][2] == out[1][2]
    assert_same(out[0][:2], out[1][:2])
    for lib in (ember, torch):
        with pytest.raises(ValueError, match="Expected input to be 4D, got 3D"):
            lib.nn.CrossMapLRN2d(3)(lib.ones(2, 3, 4))
