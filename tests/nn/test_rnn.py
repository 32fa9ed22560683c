"""RNN / LSTM / GRU and cells against torch with copied weights: outputs, final states and
the gradients of the input, the initial states and every parameter."""
import numpy as np
import pytest

from oracle import assert_same, check_error, gradcheck

torch = pytest.importorskip("torch")
import ember  # noqa: E402
from ember.nn.utils import rnn as ern  # noqa: E402


def to_ember(t, rg=False):
    return ember.tensor(t.detach().numpy(), requires_grad=rg)


def pair(cls_name, *args, **kwargs):
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls_name)(*args, **kwargs)
    em = getattr(ember.nn, cls_name)(*args, **kwargs)
    em.load_state_dict({k: to_ember(v) for k, v in tm.state_dict().items()})
    return tm, em


def leaf(arr, lib):
    return lib.tensor(arr, requires_grad=True)


def run_both(tm, em, x, hx=None, lstm=False):
    """Forward both, backward a random weighting of every output; compare everything."""
    tx, ex = leaf(x, torch), leaf(x, ember)
    th = eh = None
    if hx is not None:
        if lstm:
            th = tuple(leaf(a, torch) for a in hx)
            eh = tuple(leaf(a, ember) for a in hx)
        else:
            th, eh = leaf(hx, torch), leaf(hx, ember)
    to, ts = tm(tx, th) if th is not None else tm(tx)
    eo, es = em(ex, eh) if eh is not None else em(ex)
    touts = [to] + (list(ts) if lstm else [ts])
    eouts = [eo] + (list(es) if lstm else [es])
    assert_same(eouts, touts, atol=1e-5)
    rng = np.random.default_rng(1)
    gs = [rng.standard_normal(tuple(o.shape)).astype(np.float32) for o in touts]
    sum((o * torch.tensor(g)).sum() for o, g in zip(touts, gs)).backward()
    sum((o * ember.tensor(g)).sum() for o, g in zip(eouts, gs)).backward()
    assert_same(ex.grad, tx.grad, atol=1e-5, what="grad input")
    if hx is not None:
        for a, b in zip(eh if lstm else [eh], th if lstm else [th]):
            assert_same(a.grad, b.grad, atol=1e-5, what="grad hx")
    tp = dict(tm.named_parameters())
    for name, p in em.named_parameters():
        assert_same(p.grad, tp[name].grad, atol=1e-5, what=f"grad {name}")


FLAGS = [dict(), dict(num_layers=2), dict(bidirectional=True), dict(batch_first=True),
         dict(bias=False), dict(num_layers=2, bidirectional=True, batch_first=True)]


@pytest.mark.parametrize("flags", FLAGS)
@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_layers_match_torch(cls, flags):
    tm, em = pair(cls, 4, 6, **flags)
    rng = np.random.default_rng(0)
    shape = (3, 5, 4) if flags.get("batch_first") else (5, 3, 4)
    x = rng.standard_normal(shape).astype(np.float32)
    run_both(tm, em, x, lstm=cls == "LSTM")
    d = (2 if flags.get("bidirectional") else 1) * flags.get("num_layers", 1)
    h0 = rng.standard_normal((d, 3, 6)).astype(np.float32)
    hx = (h0, rng.standard_normal((d, 3, 6)).astype(np.float32)) if cls == "LSTM" else h0
    run_both(tm, em, x, hx, lstm=cls == "LSTM")


def test_rnn_relu():
    tm, em = pair("RNN", 4, 6, 2, nonlinearity="relu", bidirectional=True)
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    run_both(tm, em, x)


@pytest.mark.parametrize("flags", [dict(), dict(num_layers=2, bidirectional=True)])
def test_lstm_proj(flags):
    tm, em = pair("LSTM", 4, 6, proj_size=3, **flags)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 2, 4)).astype(np.float32)
    d = (2 if flags.get("bidirectional") else 1) * flags.get("num_layers", 1)
    hx = (rng.standard_normal((d, 2, 3)).astype(np.float32),
          rng.standard_normal((d, 2, 6)).astype(np.float32))
    run_both(tm, em, x, hx, lstm=True)
    assert tuple(em.weight_hr_l0.shape) == (3, 6)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_unbatched(cls):
    tm, em = pair(cls, 4, 5, bidirectional=True)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    h = rng.standard_normal((2, 5)).astype(np.float32)
    run_both(tm, em, x, (h, h * 0.5) if cls == "LSTM" else h, lstm=cls == "LSTM")


def test_dropout_between_layers():
    em = ember.nn.LSTM(4, 8, 3, dropout=0.5)
    x = ember.randn(5, 2, 4)
    em.eval()
    a, _ = em(x)
    b, _ = em(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    em.train()
    ember.manual_seed(0)
    c, _ = em(x)
    assert not np.allclose(c.detach().numpy(), a.detach().numpy())
    c.sum().backward()
    assert em.weight_ih_l0.grad is not None


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "RNN"])
def test_packed_matches_torch(cls):
    tm, em = pair(cls, 3, 5, 2, bidirectional=True)
    rng = np.random.default_rng(0)
    lengths = [4, 6, 1, 3]
    x = rng.standard_normal((6, 4, 3)).astype(np.float32)
    tx, ex = leaf(x, torch), leaf(x, ember)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, enforce_sorted=False)
    ep = ern.pack_padded_sequence(ex, lengths, enforce_sorted=False)
    assert_same(ep.data, tp.data)
    assert_same(ep.batch_sizes, tp.batch_sizes)
    to, ts = tm(tp)
    eo, es = em(ep)
    assert isinstance(eo, ern.PackedSequence)
    to_pad, tl = torch.nn.utils.rnn.pad_packed_sequence(to, batch_first=True)
    eo_pad, el = ern.pad_packed_sequence(eo, batch_first=True)
    assert_same(el, tl)
    touts = [to_pad] + (list(ts) if cls == "LSTM" else [ts])
    eouts = [eo_pad] + (list(es) if cls == "LSTM" else [es])
    assert_same(eouts, touts, atol=1e-5)
    sum((o * o).sum() for o in touts).backward()
    sum((o * o).sum() for o in eouts).backward()
    assert_same(ex.grad, tx.grad, atol=1e-5)
    for name, p in em.named_parameters():
        assert_same(p.grad, dict(tm.named_parameters())[name].grad, atol=1e-5)


def test_packed_lstm_equals_padded_on_valid_steps():
    em = ember.nn.LSTM(3, 5)
    lengths = [5, 3, 2]
    x = ember.randn(5, 3, 3)
    out_p, (h_p, c_p) = em(ern.pack_padded_sequence(x, lengths))
    pad, _ = ern.pad_packed_sequence(out_p)
    for b, n in enumerate(lengths):
        o, (h, c) = em(x[:n, b:b + 1])
        np.testing.assert_allclose(pad[:n, b].detach().numpy(), o[:, 0].detach().numpy(),
                                   atol=1e-6)
        assert np.all(pad[n:, b].detach().numpy() == 0)
        np.testing.assert_allclose(h_p[0, b].detach().numpy(), h[0, 0].detach().numpy(),
                                   atol=1e-6)
        np.testing.assert_allclose(c_p[0, b].detach().numpy(), c[0, 0].detach().numpy(),
                                   atol=1e-6)


@pytest.mark.parametrize("cls,pairwise", [("LSTMCell", True), ("GRUCell", False),
                                          ("RNNCell", False)])
@pytest.mark.parametrize("bias", [True, False])
def test_cells(cls, pairwise, bias):
    tm, em = pair(cls, 4, 5, bias=bias)
    rng = np.random.default_rng(0)
    for shape in [(3, 4), (4,)]:
        x = rng.standard_normal(shape).astype(np.float32)
        hs = shape[:-1] + (5,)
        h = rng.standard_normal(hs).astype(np.float32)
        hx = (h, h * 0.3) if pairwise else h
        tx, ex = leaf(x, torch), leaf(x, ember)
        th = tuple(leaf(a, torch) for a in hx) if pairwise else leaf(hx, torch)
        eh = tuple(leaf(a, ember) for a in hx) if pairwise else leaf(hx, ember)
        to, eo = tm(tx, th), em(ex, eh)
        assert_same(eo, to, atol=1e-5)
        tl = sum((o * o).sum() for o in (to if pairwise else [to]))
        el = sum((o * o).sum() for o in (eo if pairwise else [eo]))
        tl.backward()
        el.backward()
        assert_same(ex.grad, tx.grad, atol=1e-5)
        for name, p in em.named_parameters():
            assert_same(p.grad, dict(tm.named_parameters())[name].grad, atol=1e-5)
            p.grad = None
        tm.zero_grad()
    assert_same(em(ember.ones(2, 4)) if not pairwise else em(ember.ones(2, 4))[0],
                tm(torch.ones(2, 4)) if not pairwise else tm(torch.ones(2, 4))[0], atol=1e-5)


def test_rnn_cell_relu():
    tm, em = pair("RNNCell", 4, 5, nonlinearity="relu")
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)).detach(), atol=1e-6)


def test_reprs_and_state_dict_both_ways():
    specs = [("LSTM", (3, 4, 2), dict(batch_first=True, bidirectional=True, proj_size=2,
                                      dropout=0.5)),
             ("GRU", (3, 4), {}), ("RNN", (3, 4), dict(nonlinearity="relu", bias=False)),
             ("LSTMCell", (3, 4), {}), ("GRUCell", (3, 4), dict(bias=False)),
             ("RNNCell", (3, 4), dict(nonlinearity="relu"))]
    for name, args, kw in specs:
        tm, em = pair(name, *args, **kw)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        t2 = getattr(torch.nn, name)(*args, **kw)
        t2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in em.state_dict().items()})
        for k, v in t2.state_dict().items():
            np.testing.assert_array_equal(v.numpy(), em.state_dict()[k].numpy())


def test_init_range_and_flatten():
    m = ember.nn.GRU(3, 16, 2)
    m.flatten_parameters()
    for p in m.parameters():
        assert float(p.abs().max()) <= 0.25 + 1e-6
    assert len(m.all_weights) == 2 and len(m._flat_weights) == 8


def test_errors():
    for cls in ["LSTM", "GRU"]:
        check_error(lambda lib: getattr(lib.nn, cls)(3, 4)(lib.ones(2, 3, 5)), RuntimeError)
        check_error(lambda lib: getattr(lib.nn, cls)(3, 4)(lib.ones(2, 3, 3, 1)), ValueError)
    check_error(lambda lib: lib.nn.GRU(3, 4)(lib.ones(2, 3, 3), lib.zeros(1, 2, 4)),
                RuntimeError, "Expected hidden size")
    check_error(lambda lib: lib.nn.LSTM(3, 4, 2)(lib.ones(2, 3, 3), (lib.zeros(1, 3, 4),
                                                                     lib.zeros(2, 3, 4))),
                RuntimeError, r"Expected hidden\[0\] size")
    check_error(lambda lib: lib.nn.LSTM(3, 4)(lib.ones(2, 3), (lib.zeros(1, 3, 4),
                                                               lib.zeros(1, 3, 4))),
                RuntimeError, "unbatched")
    check_error(lambda lib: lib.nn.LSTM(3, 4, proj_size=4), ValueError)
    check_error(lambda lib: lib.nn.GRU(3, 4, proj_size=2), ValueError)
    check_error(lambda lib: lib.nn.LSTM(3, 4, dropout=2), ValueError)
    check_error(lambda lib: lib.nn.LSTM(3, 0), ValueError)
    check_error(lambda lib: lib.nn.LSTM(3, 4.0), TypeError)
    check_error(lambda lib: lib.nn.RNN(3, 4, nonlinearity="foo"), ValueError)
    check_error(lambda lib: lib.nn.LSTMCell(3, 4)(lib.ones(2, 2, 3)), ValueError)
    check_error(lambda lib: lib.nn.LSTMCell(3, 4)(lib.ones(2, 5)), RuntimeError)
    check_error(lambda lib: lib.nn.GRUCell(3, 4)(lib.ones(2, 3), lib.ones(3, 4)), RuntimeError)
    with pytest.warns(UserWarning):
        ember.nn.LSTM(3, 4, dropout=0.5)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH"])
def test_gradcheck_and_double_backward(mode):
    from ember.ops.rnn import rnn_layer
    g = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1}[mode]

    def fn(lib, x, h, c, wih, whh, bih, bhh):
        out, hn, cn = rnn_layer(mode, x, h, c if mode == "LSTM" else None, wih, whh, bih, bhh,
                                reverse=True, batch_sizes=[2, 2, 1])
        return out.sum() + (hn * hn).sum() + ((cn * 2).sum() if cn is not None else 0)
    gradcheck(fn, [(3, 2, 3), (2, 4), (2, 4), (g * 4, 3), (g * 4, 4), (g * 4,), (g * 4,)])
    # Double backward goes through the composite (differentiable) path.
    rng = np.random.default_rng(0)
    mk = lambda *s: ember.tensor(rng.standard_normal(s) * 0.5, requires_grad=True)  # noqa
    x, h, c = mk(3, 2, 3), mk(2, 4), mk(2, 4)
    ws = [mk(g * 4, 3), mk(g * 4, 4), mk(g * 4), mk(g * 4)]
    out, _, _ = rnn_layer(mode, x, h, c if mode == "LSTM" else None, *ws)
    (gx,) = ember.autograd.grad((out * out).sum(), x, create_graph=True)
    gx.sum().backward()
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    tws = [torch.tensor(w.detach().numpy(), requires_grad=True) for w in ws]
    tm = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN_TANH": torch.nn.RNN}[mode](3, 4)
    tm = tm.double()
    with torch.no_grad():
        for p, w in zip(tm.parameters(), tws):
            p.copy_(w)
    th = torch.tensor(h.detach().numpy())[None]
    to, _ = tm(tx, (th, torch.tensor(c.detach().numpy())[None]) if mode == "LSTM" else th)
    (tgx,) = torch.autograd.grad((to * to).sum(), tx, create_graph=True)
    tgx.sum().backward()
    assert_same(x.grad, tx.grad, rtol=1e-6, atol=1e-8)
    tp = list(tm.parameters())
    assert_same(ws[0].grad, tp[0].grad, rtol=1e-6, atol=1e-8)
