"""nn.utils.parametrizations.orthogonal against torch: same raw parameter, same weight,
same gradients, every map, tall / wide / square / batched / complex weights."""
import numpy as np
import pytest
import torch

import ember

P_E = ember.nn.utils.parametrizations
P_T = torch.nn.utils.parametrizations


def _pair(shape, dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        w = w + 1j * rng.standard_normal(shape)
    w = w.astype(dtype)


    mods = []
    for lib in (ember, torch):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(lib.tensor(w.copy()))
        mods.append(m)
    return mods


def _orig(m):
    return m.parametrizations.weight.original


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 4, 3)])
@pytest.mark.parametrize("orth_map", [None, "matrix_exp", "cayley", "householder"])
def test_weight_and_gradients_match_torch(shape, orth_map):
    me, mt = _pair(shape)
    P_E.orthogonal(me, orthogonal_map=orth_map)
    P_T.orthogonal(mt, orthogonal_map=orth_map)
    assert me.parametrizations.weight[0].orthogonal_map.name == \
        mt.parametrizations.weight[0].orthogonal_map.name
    if shape[-2] != shape[-1]:
        # a non-square weight is completed with random columns: use torch's completion
        base = mt.parametrizations.weight[0].base
        np.testing.assert_allclose(me.parametrizations.weight[0].base.numpy()[..., :shape[-1]]
                                   if shape[-2] > shape[-1] else
                                   me.parametrizations.weight[0].base.numpy()[..., :shape[-2]],
                                   base.numpy()[..., :min(shape[-2:])], atol=1e-10)
        me.parametrizations.weight[0].base = ember.tensor(base.numpy())
    # the registration stores the initial weight in `base` and resets the parameter to -I
    np.testing.assert_allclose(_orig(me).detach().numpy(), _orig(mt).detach().numpy())
    np.testing.assert_allclose(me.weight.detach().numpy(), mt.weight.detach().numpy(),
                               atol=1e-10)
    # move the raw parameter off -I, then compare the weight and the raw gradient (the
    # diagonal holds householder's sign flags: an optimizer never moves it, no gradient)
    rng = np.random.default_rng(1)
    step = 0.3 * rng.standard_normal(shape)
    step[..., np.arange(min(shape[-2:])), np.arange(min(shape[-2:]))] = 0
    with ember.no_grad():
        _orig(me).add_(ember.tensor(step))
    with torch.no_grad():
        _orig(mt).add_(torch.tensor(step))
    we, wt = me.weight, mt.weight
    np.testing.assert_allclose(we.detach().numpy(), wt.detach().numpy(), atol=1e-10)
    tall = wt if shape[-2] >= shape[-1] else wt.mT
    eye = np.broadcast_to(np.eye(tall.shape[-1]), tall.shape[:-2] + (tall.shape[-1],) * 2)
    np.testing.assert_allclose((tall.mT @ tall).detach().numpy(), eye, atol=1e-10)
    c = rng.standard_normal(shape)
    (we * ember.tensor(c)).sum().backward()
    (wt * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(_orig(me).grad.numpy(), _orig(mt).grad.numpy(), atol=1e-9)


def test_assignment_goes_to_base_and_wide_matrices_complete():
    me, mt = _pair((4, 4))
    P_E.orthogonal(me)
    P_T.orthogonal(mt)
    q = np.linalg.qr(np.random.default_rng(3).standard_normal((4, 4)))[0]
    me.weight = ember.tensor(q)
    mt.weight = torch.tensor(q)
    np.testing.assert_allclose(me.weight.detach().numpy(), q, atol=1e-12)
    np.testing.assert_allclose(mt.weight.detach().numpy(), q, atol=1e-12)
    np.testing.assert_array_equal(_orig(me).detach().numpy(), -np.eye(4))
    # a non-orthogonal assignment is replaced by its Q factor (diag(R) >= 0), as torch does
    a = np.random.default_rng(4).standard_normal((4, 4))
    me.weight = ember.tensor(a)
    mt.weight = torch.tensor(a)
    np.testing.assert_allclose(me.weight.detach().numpy(), mt.weight.detach().numpy(),
                               atol=1e-12)


def test_complex_weight_is_unitary():
    me, mt = _pair((3, 3), "complex128")
    P_E.orthogonal(me)
    P_T.orthogonal(mt)
    w = me.weight.detach().numpy()
    np.testing.assert_allclose(w.conj().T @ w, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(w, mt.weight.detach().numpy(), atol=1e-12)


def test_householder_without_trivialization_assigns_through_geqrf():
    me, mt = _pair((5, 3))
    P_E.orthogonal(me, orthogonal_map="householder", use_trivialization=False)
    P_T.orthogonal(mt, orthogonal_map="householder", use_trivialization=False)
    assert "base" not in me.parametrizations.weight[0]._buffers
    np.testing.assert_allclose(_orig(me).detach().numpy(), _orig(mt).detach().numpy(),
                               atol=1e-12)
    np.testing.assert_allclose(me.weight.detach().numpy(), mt.weight.detach().numpy(),
                               atol=1e-12)


def test_errors_match_torch():
    for lib, P in ((ember, P_E), (torch, P_T)):
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices"):
            P.orthogonal(lib.nn.Linear(3, 3), "bias")
        with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
            P.orthogonal(lib.nn.Linear(3, 3), orthogonal_map="qr")
        with pytest.raises(ValueError, match="has no parameter or buffer"):
            P.orthogonal(lib.nn.Linear(3, 3), "nope")
        m = P.orthogonal(lib.nn.Linear(3, 3), orthogonal_map="cayley", use_trivialization=False)
        with pytest.raises(NotImplementedError, match="not possible to assign"):
            m.weight = lib.eye(3)
        c = lib.nn.Module()
        c.weight = lib.nn.Parameter(lib.ones(3, 2, dtype=lib.complex64))
        with pytest.raises(ValueError, match="householder parametrization does not support"):
            P.orthogonal(c, orthogonal_map="householder")


def test_trains_as_a_module_and_reprs_like_torch():
    ember.manual_seed(0)
    m = P_E.orthogonal(ember.nn.Linear(6, 4))
    opt = ember.optim.SGD(m.parameters(), lr=0.1)
    x = ember.randn(8, 6)
    for _ in range(3):
        opt.zero_grad()
        m(x).pow(2).sum().backward()
        opt.step()
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w @ w.T, np.eye(4), atol=1e-5)
    assert "_Orthogonal()" in repr(m)
    assert "_Orthogonal()" in repr(P_T.orthogonal(torch.nn.Linear(6, 4)))
