"""The speed paths of the sequence/dense layers, each against float64 references or the torch
oracle: the fast float32 erf, exact GELU (NumPy chunked and native), the compiled LSTM cell
(and the NumPy step code it replaces), the one-node ``F.linear`` and the array-level MSE
backward."""
import math

import numpy as np
import pytest

from oracle import assert_same, check, gradcheck

torch = pytest.importorskip("torch")
import ember  # noqa: E402
from ember.backends import native as NK  # noqa: E402
from ember.backends import special  # noqa: E402
from ember.ops import activation as act  # noqa: E402

try:
    from ember.backends import _native_seq  # noqa: F401
    HAVE_NATIVE = True
except ImportError:
    HAVE_NATIVE = False


@pytest.fixture(params=["native", "numpy"])
def path(request, monkeypatch):
    if request.param == "native":
        if not HAVE_NATIVE:
            pytest.skip("the native kernels are not built")
        monkeypatch.setattr(NK, "ENABLED", True)
    else:
        monkeypatch.setattr(NK, "ENABLED", False)
    return request.param


def _erf64(x):
    return np.vectorize(math.erf, otypes=[np.float64])(np.asarray(x, np.float64))


# ---------------------------------------------------------------- erf
def test_fast_erf_accuracy_float32():
    # dense core, the tails up to and past the clamp, tiny magnitudes (odd, relative accuracy)
    x = np.concatenate([np.linspace(-6, 6, 200001), np.logspace(-30, 0.7, 3000),
                        -np.logspace(-30, 0.7, 3000)]).astype(np.float32)
    got = special.erf(x)
    assert got.dtype == np.float32
    ref = _erf64(x)
    assert np.abs(got - ref).max() < 5e-7
    small = (np.abs(x) < 1) & (x != 0)
    rel = np.abs(got[small] - ref[small]) / np.abs(ref[small])
    assert rel.max() < 5e-7  # erf(x) ~ 2x/sqrt(pi) stays accurate in relative terms near 0
    assert np.all(np.abs(got) <= 1)


def test_fast_erf_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 4.0, -4.0, 10.0], np.float32)
    got = special.erf(x)
    assert got[0] == 0 and got[1] == 0 and np.signbit(got[1])
    assert got[2] == 1 and got[3] == -1 and np.isnan(got[4])
    np.testing.assert_allclose(got[5:], [1, -1, 1], atol=1e-7)


def test_fast_erf_matches_torch_and_keeps_dtype():
    x = np.random.default_rng(0).standard_normal((7, 33)).astype(np.float32) * 3
    assert_same(ember.erf(ember.tensor(x)), torch.erf(torch.tensor(x)), atol=5e-7)
    h = special.erf(x.astype(np.float16))
    assert h.dtype == np.float16
    np.testing.assert_allclose(h.astype(np.float64), _erf64(x.astype(np.float16)), atol=1e-3)
    d = special.erf(x.astype(np.float64))  # float64 keeps the precise path
    np.testing.assert_allclose(d, _erf64(x), rtol=1e-14, atol=1e-15)


def test_fast_erf_chunks_and_out():
    x = np.random.default_rng(1).standard_normal(special._CHUNK * 2 + 17).astype(np.float32)
    out = np.empty_like(x)
    res = special.erf_f32(x, out=out)
    assert res is out
    np.testing.assert_allclose(out, _erf64(x), atol=5e-7)
    nc = x.reshape(-1, 1)[::2]  # non-contiguous input
    np.testing.assert_allclose(special.erf(nc), _erf64(nc), atol=5e-7)


# ---------------------------------------------------------------- exact GELU
@pytest.mark.parametrize("shape", [(3, 5), (2, 70000), (0, 4)])
def test_gelu_both_paths(path, shape):
    check(lambda lib, x: lib.nn.functional.gelu(x * 3), [shape], atol=2e-6, rtol=1e-5)


def test_gelu_noncontiguous_and_module(path):
    check(lambda lib, x: lib.nn.GELU()(x.transpose(0, 1) * 2), [(9, 6)], noncontig=True,
          atol=2e-6)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_gelu_half_dtypes(path, dt):
    x = np.random.default_rng(2).standard_normal((4, 50)).astype(np.float32) * 3
    tx = torch.tensor(x, dtype=getattr(torch, dt), requires_grad=True)
    ex = ember.tensor(x, dtype=getattr(ember, dt), requires_grad=True)
    ty, ey = torch.nn.functional.gelu(tx), ember.nn.functional.gelu(ex)
    assert ey.dtype == getattr(ember, dt)
    assert_same(ey, ty, atol=2e-2, rtol=2e-2)
    ty.sum().backward()
    ey.sum().backward()
    assert_same(ex.grad, tx.grad, atol=2e-2, rtol=2e-2)


def test_gelu_tails_against_float64(path):
    x = np.linspace(-12, 12, 4001).astype(np.float32)
    x64 = x.astype(np.float64)
    cdf = 0.5 * (1 + _erf64(x64 / math.sqrt(2)))
    np.testing.assert_allclose(act._gelu_chunked(x), x64 * cdf, atol=2e-6)
    g = np.ones_like(x)
    d = cdf + x64 * np.exp(-0.5 * x64 * x64) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(act._gelu_chunked(x, g), d, atol=2e-6)


def test_gelu_float64_gradcheck():
    gradcheck(lambda lib, x: lib.nn.functional.gelu(x), [(3, 4)])


# ---------------------------------------------------------------- LSTM cell
LSTM_CASES = [dict(), dict(bidirectional=True), dict(num_layers=2, batch_first=True),
              dict(proj_size=3), dict(bias=False)]


def _pair(**kw):
    torch.manual_seed(0)
    tm = torch.nn.LSTM(4, 6, **kw)
    em = ember.nn.LSTM(4, 6, **kw)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                        tm.state_dict().items()})
    return tm, em


def _compare(tm, em, x, states=None):
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    targs = (tx,) if states is None else (tx, tuple(torch.tensor(s, requires_grad=True)
                                                   for s in states))
    eargs = (ex,) if states is None else (ex, tuple(ember.tensor(s, requires_grad=True)
                                                   for s in states))
    to, (th, tc) = tm(*targs)
    eo, (eh, ec) = em(*eargs)
    assert_same([eo, eh, ec], [to, th, tc], atol=2e-6)
    rng = np.random.default_rng(5)
    gs = [rng.standard_normal(tuple(o.shape)).astype(np.float32) for o in (to, th, tc)]
    sum((o * torch.tensor(g)).sum() for o, g in zip((to, th, tc), gs)).backward()
    sum((o * ember.tensor(g)).sum() for o, g in zip((eo, eh, ec), gs)).backward()
    assert_same(ex.grad, tx.grad, atol=5e-6, what="grad input")
    if states is not None:
        for a, b in zip(eargs[1], targs[1]):
            assert_same(a.grad, b.grad, atol=5e-6, what="grad state")
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_same(p.grad, tp[name].grad, atol=5e-6, what=f"grad {name}")


@pytest.mark.parametrize("kw", LSTM_CASES)
def test_lstm_cell_paths(path, kw):
    tm, em = _pair(**kw)
    x = np.random.default_rng(3).standard_normal((7, 3, 4)).astype(np.float32) * 2
    _compare(tm, em, x)


def test_lstm_cell_paths_initial_states(path):
    tm, em = _pair(bidirectional=True)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 2, 4)).astype(np.float32)
    states = [rng.standard_normal((2, 2, 6)).astype(np.float32) for _ in range(2)]
    _compare(tm, em, x, states)


def test_lstm_cell_paths_packed(path):
    tm, em = _pair(bidirectional=True)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((6, 3, 4)).astype(np.float32)
    lengths = [6, 4, 2]
    tp = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x, requires_grad=True), lengths)
    ep = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x, requires_grad=True), lengths)
    to, (th, tc) = tm(tp)
    eo, (eh, ec) = em(ep)
    assert_same([eo.data, eh, ec], [to.data, th, tc], atol=2e-6)
    (to.data.sum() + th.sum() + (tc * 2).sum()).backward()
    (eo.data.sum() + eh.sum() + (ec * 2).sum()).backward()
    tpar = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_same(p.grad, tpar[name].grad, atol=5e-6, what=f"grad {name}")


def test_lstm_cell_saturated_gates(path):
    # large pre-activations: the rational tanh must saturate to exactly +-1 like tanh
    tm, em = _pair()
    with torch.no_grad():
        for p in tm.parameters():
            p.mul_(40)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                        tm.state_dict().items()})
    x = np.random.default_rng(7).standard_normal((4, 2, 4)).astype(np.float32)
    _compare(tm, em, x)


# ---------------------------------------------------------------- one-node linear
@pytest.mark.parametrize("xshape,bias,name", [((5, 4), True, "AddmmBackward0"),
                                              ((5, 4), False, "MmBackward0"),
                                              ((2, 3, 4), True, "ViewBackward0"),
                                              ((2, 3, 4), False, "UnsafeViewBackward0")])
def test_linear_node(xshape, bias, name):
    def fn(lib, x, w, b):
        return lib.nn.functional.linear(x, w, b if bias else None)
    eo, _ = check(fn, [xshape, (3, 4), (3,)])
    assert eo.grad_fn.name() == name
    check(fn, [xshape, (3, 4), (3,)], noncontig=True)


def test_linear_node_fallbacks_and_double_backward():
    check(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(4,), (3, 4), (3,)])
    check(lambda lib, x, w: lib.nn.functional.linear(x, w), [(2, 4), (4,)])
    gradcheck(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), [(2, 3, 4), (3, 4), (3,)])
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda a, b: ember.nn.functional.linear(a, b).tanh(),
                                        (x, w))


def test_linear_inplace_modified_input_raises():
    x = ember.randn(3, 4, requires_grad=True)
    h = x * 1
    y = ember.nn.functional.linear(h, ember.randn(2, 4, requires_grad=True))
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace"):
        y.sum().backward()


def test_linear_module_parametrized_weight():
    lin = ember.nn.Linear(4, 3)
    ember.nn.utils.parametrizations.weight_norm(lin)
    x = ember.randn(2, 4)
    w = lin.weight
    np.testing.assert_allclose(lin(x).detach().numpy(),
                               (x @ w.t() + lin.bias).detach().numpy(), rtol=1e-6)


# ---------------------------------------------------------------- MSE array-level backward
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_fast_backward(reduction):
    check(lambda lib, x, y: lib.nn.functional.mse_loss(x, y, reduction=reduction),
          [(4, 3), (4, 3)])
    gradcheck(lambda lib, x, y: lib.nn.functional.mse_loss(x, y, reduction=reduction),
              [(3, 2), (3, 2)])


# ---------------------------------------------------------------- layer norm rows
@pytest.mark.parametrize("affine", ["both", "none", "bias", "weight"])
def test_layer_norm_paths(path, affine):
    def fn(lib, x, w, b):
        return lib.nn.functional.layer_norm(
            x * 3 + 1, (24,), w if affine in ("both", "weight") else None,
            b if affine in ("both", "bias") else None)
    check(fn, [(3, 50, 24), (24,), (24,)], atol=2e-5, rtol=1e-4)


def test_layer_norm_paths_noncontig_and_rms(path):
    check(lambda lib, x, w, b: lib.nn.functional.layer_norm(x.transpose(0, 1), (5, 4), w, b),
          [(7, 3, 5, 4), (5, 4), (5, 4)], noncontig=True, atol=2e-5, rtol=1e-4)
    check(lambda lib, x, w: lib.nn.functional.rms_norm(x, (16,), w, eps=1e-6),
          [(130, 16), (16,)], atol=2e-5, rtol=1e-4)
    check(lambda lib, x: lib.nn.LayerNorm(8, elementwise_affine=False)(x), [(4, 8)], atol=2e-5)


def test_layer_norm_constant_rows(path):
    # zero variance: rstd = 1/sqrt(eps), finite outputs and gradients as torch's
    x = np.ones((3, 10), np.float32)
    check(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (10,), w, b),
          [x, (10,), (10,)], atol=1e-4)


def test_layer_norm_no_rows_gives_zero_parameter_grads(path):
    # the kernel still zeroes its one chunk of column sums when there are no rows
    grads = []
    for lib in (torch, ember):
        x = lib.zeros(0, 8, requires_grad=True)
        ln = lib.nn.LayerNorm(8)
        ln(x).sum().backward()
        grads.append([ln.weight.grad.numpy(), ln.bias.grad.numpy()])
    for a, b in zip(*grads):
        np.testing.assert_array_equal(b, a)


def test_native_seq_kernels_check_lengths():
    if not HAVE_NATIVE:
        pytest.skip("the native kernels are not built")
    k = _native_seq
    f = np.zeros(64, np.float32)
    s = np.zeros(15, np.float32)
    with pytest.raises(ValueError):            # rows x 4 hid = 64, one state array too short
        k.lstm_cell_fwd(f, f, f, f, f, s, f, 4, 4)
    with pytest.raises(ValueError):
        k.lstm_cell_bwd(f, f, f, f, f, f, f, 2 ** 62, 2 ** 62)   # the size overflows
    with pytest.raises(ValueError):
        k.layer_norm_fwd(f, f, f, f, f, f, 8, 9, 1e-5, True, False, False)
    with pytest.raises(ValueError):
        k.layer_norm_bwd(f, f, f, f, f, f, f, -1, 8, True, False, True)
    with pytest.raises(ValueError):            # affine needs n weights
        k.layer_norm_bwd(f, f, f, s, f, f, f, 4, 16, True, True, True)
    with pytest.raises(ValueError):
        k.gelu_bwd(f, s, f)
    with pytest.raises(TypeError):
        k.gelu_fwd(f.astype(np.float64), f)
    assert k.ROWS == 64


def test_single_blas_thread_restores():
    from ember.backends import seq_kernels as SK
    fns = SK._blas_thread_fns()
    if fns is None:
        pytest.skip("NumPy's OpenBLAS is not reachable")
    before = ember.get_num_threads()
    ember.set_num_threads(2)
    try:
        n = fns[0]()
        with SK.single_blas_thread():
            assert fns[0]() == 1
        assert fns[0]() == n
    finally:
        ember.set_num_threads(before)
