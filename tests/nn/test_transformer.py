"""Transformer layers and stacks against torch with copied weights (dropout 0, train mode so
torch takes its reference path)."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, check_error

torch = pytest.importorskip("torch")
import ember  # noqa: E402


def pair(name, *args, **kwargs):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = getattr(torch.nn, name)(*args, **kwargs)
    em = getattr(ember.nn, name)(*args, **kwargs)
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    assert repr(em) == repr(tm)
    return tm, em


def compare(tm, em, arrays, kwargs_fn=lambda lib: {}, atol=2e-5):
    res = []
    for lib, m in ((torch, tm), (ember, em)):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = m(*xs, **kwargs_fn(lib))
        (out * out).sum().backward()
        res.append((out, xs, dict(m.named_parameters())))
    (to, txs, tps), (eo, exs, eps) = res
    assert_same(eo, to, atol=atol)
    for a, b in zip(exs, txs):
        assert_same(a.grad, b.grad, atol=atol, rtol=1e-3, what="grad input")
    for name, p in eps.items():
        assert_same(p.grad, tps[name].grad, atol=atol, rtol=1e-3, what=f"grad {name}")


rng = np.random.default_rng(0)
X = rng.standard_normal((5, 3, 8)).astype(np.float32)
MEM = rng.standard_normal((4, 3, 8)).astype(np.float32)


@pytest.mark.parametrize("kw", [dict(), dict(norm_first=True), dict(activation="gelu"),
                                dict(batch_first=True), dict(bias=False, layer_norm_eps=1e-3)])
def test_encoder_layer(kw):
    tm, em = pair("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, **kw)
    compare(tm, em, [X])


def test_encoder_layer_callable_activation_and_masks():
    tm, em = pair("TransformerEncoderLayer", 8, 2, 16, dropout=0.0,
                  activation=lambda x: x.tanh())
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True

    def kw(lib):
        return dict(src_mask=lib.nn.Transformer.generate_square_subsequent_mask(5),
                    src_key_padding_mask=lib.tensor(kpm))
    compare(tm, em, [X], kw)
    compare(tm, em, [X], lambda lib: dict(
        src_mask=lib.nn.Transformer.generate_square_subsequent_mask(5), is_causal=True))


@pytest.mark.parametrize("kw", [dict(), dict(norm_first=True, activation="gelu")])
def test_decoder_layer(kw):
    tm, em = pair("TransformerDecoderLayer", 8, 2, 16, dropout=0.0, **kw)
    kpm = np.zeros((3, 4), bool)
    kpm[0, 2:] = True
    compare(tm, em, [X, MEM], lambda lib: dict(
        tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(5),
        memory_key_padding_mask=lib.tensor(kpm)))


def test_encoder_decoder_stacks():
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8),
                                     enable_nested_tensor=False)
    em = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2,
                                     norm=ember.nn.LayerNorm(8), enable_nested_tensor=False)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    assert repr(em) == repr(tm)
    compare(tm, em, [X], lambda lib: dict(
        mask=lib.nn.Transformer.generate_square_subsequent_mask(5)))
    td = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2)
    ed = ember.nn.TransformerDecoder(ember.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2)
    ed.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in td.state_dict().items()})
    compare(td, ed, [X, MEM])


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer(batch_first):
    tm, em = pair("Transformer", d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                  dim_feedforward=16, dropout=0.0, batch_first=batch_first)
    src = rng.standard_normal((3, 4, 8) if batch_first else (4, 3, 8)).astype(np.float32)
    tgt = rng.standard_normal((3, 5, 8) if batch_first else (5, 3, 8)).astype(np.float32)
    compare(tm, em, [src, tgt], lambda lib: dict(
        tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(5)))


def test_square_mask_and_errors():
    assert_same(ember.nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4))
    check_error(lambda lib: lib.nn.TransformerEncoderLayer(8, 2, activation="tanh"), RuntimeError)

    def bad_batch(lib):
        m = lib.nn.Transformer(8, 2, 1, 1, 16)
        return m(lib.ones(4, 3, 8), lib.ones(4, 2, 8))
    check_error(bad_batch, RuntimeError)

    def bad_feat(lib):
        m = lib.nn.Transformer(8, 2, 1, 1, 16)
        return m(lib.ones(4, 3, 6), lib.ones(4, 3, 6))
    check_error(bad_feat, RuntimeError)


def test_dropout_train_eval():
    em = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.tensor(X)
    em.eval()
    a, b = em(x), em(x)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    em.train()
    c = em(x)
    assert not np.allclose(a.detach().numpy(), c.detach().numpy())
