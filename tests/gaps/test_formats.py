"""Memory formats and layouts: objects, conversions, stride predicates, modules."""
import pickle

import numpy as np
import pytest

from oracle import assert_same, check, check_error, torch

import ember


@pytest.mark.parametrize("name", ["contiguous_format", "channels_last", "channels_last_3d",
                                  "preserve_format"])
def test_memory_format_objects(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert isinstance(e, ember.memory_format)
    assert pickle.loads(pickle.dumps(e)) is e


def test_layout_objects():
    assert repr(ember.strided) == repr(torch.strided) == "torch.strided"
    assert isinstance(ember.strided, ember.layout)
    assert ember.randn(2).layout is ember.strided
    assert ember.randn(2).layout != ember.sparse_coo
    assert pickle.loads(pickle.dumps(ember.strided)) is ember.strided


SHAPES = [(2, 3, 4, 5), (2, 3, 1, 1), (1, 3, 4, 1), (2, 1, 4, 5)]


@pytest.mark.parametrize("shape", SHAPES)
def test_to_channels_last_strides(shape):
    a = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    for fmt in ("channels_last", "contiguous_format"):
        t = torch.tensor(a).to(memory_format=getattr(torch, fmt))
        e = ember.tensor(a).to(memory_format=getattr(ember, fmt))
        assert e.stride() == t.stride()
        assert_same(e, t)
        for q in ("channels_last", "contiguous_format", "preserve_format"):
            assert e.is_contiguous(memory_format=getattr(ember, q)) == \
                t.is_contiguous(memory_format=getattr(torch, q))


def test_channels_last_3d_and_predicates():
    a = np.random.default_rng(0).standard_normal((2, 3, 4, 5, 6)).astype(np.float32)
    t = torch.tensor(a).contiguous(memory_format=torch.channels_last_3d)
    e = ember.tensor(a).contiguous(memory_format=ember.channels_last_3d)
    assert e.stride() == t.stride()
    assert e.is_contiguous(memory_format=ember.channels_last_3d)
    assert not e.is_contiguous()
    assert not e.is_contiguous(memory_format=ember.channels_last)
    # permuted views: the predicate is computed from strides
    p = ember.randn(2, 4, 5, 3).permute(0, 3, 1, 2)
    assert p.is_contiguous(memory_format=ember.channels_last)
    assert not ember.randn(0, 3, 4, 5).is_contiguous(memory_format=ember.channels_last)
    assert not ember.randn(3, 4, 5).is_contiguous(memory_format=ember.channels_last)


def test_format_conversions_keep_grad():
    check(lambda lib, x: (x.to(memory_format=lib.channels_last) * 2).contiguous(), [(2, 3, 4, 5)])
    check(lambda lib, x: x.contiguous(memory_format=lib.channels_last).sum(1), [(2, 3, 4, 5)],
          noncontig=True)
    check(lambda lib, x: lib.clone(x, memory_format=lib.channels_last), [(2, 3, 4, 5)])


def test_clone_preserves_channels_last():
    for lib in (torch, ember):
        x = lib.randn(2, 3, 4, 5).to(memory_format=lib.channels_last)
        assert x.clone().is_contiguous(memory_format=lib.channels_last)
        assert x.clone(memory_format=lib.contiguous_format).is_contiguous()
        assert (x + 1).stride() == x.stride()
        assert x.contiguous().is_contiguous()
    x = ember.randn(2, 3, 4, 5).to(memory_format=ember.channels_last)
    assert x.to(memory_format=ember.channels_last) is x
    assert x.contiguous(memory_format=ember.channels_last) is x


def test_format_errors():
    check_error(lambda lib: lib.randn(3, 4, 5).to(memory_format=lib.channels_last), RuntimeError,
                "rank 4")
    check_error(lambda lib: lib.randn(3, 4, 5).contiguous(memory_format=lib.channels_last),
                RuntimeError)
    check_error(lambda lib: lib.randn(2, 3, 4, 5).to(memory_format=lib.channels_last).contiguous(
        memory_format=lib.preserve_format), RuntimeError, "preserve")
    check_error(lambda lib: lib.randn(3, 4, 5).contiguous(memory_format=lib.channels_last_3d),
                RuntimeError, "rank 5")


def test_module_to_channels_last():
    tm = torch.nn.Conv2d(3, 4, 3)
    em = ember.nn.Conv2d(3, 4, 3)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tm.to(memory_format=torch.channels_last)
    em.to(memory_format=ember.channels_last)
    assert em.weight.stride() == tm.weight.stride()
    assert em.bias.stride() == tm.bias.stride()
    a = np.random.default_rng(1).standard_normal((2, 3, 8, 8)).astype(np.float32)
    to = tm(torch.tensor(a).to(memory_format=torch.channels_last))
    eo = em(ember.tensor(a).to(memory_format=ember.channels_last))
    assert_same(eo, to)
