"""Storages (untyped / typed / legacy classes) and DLPack exchange."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, torch

import ember


def _both(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(torch), fn(ember)


def test_untyped_storage_basics():
    t, e = _both(lambda lib: lib.arange(6.0).untyped_storage())
    assert (e.nbytes(), e.size(), len(e), e.element_size()) == \
        (t.nbytes(), t.size(), len(t), t.element_size())
    assert e.tolist() == t.tolist()
    assert str(e.device) == str(t.device) == "cpu"
    assert e[4] == t[4]
    assert repr(e).splitlines()[-1] == repr(t).splitlines()[-1]


def test_views_share_storage_pointer():
    for lib in (torch, ember):
        a = lib.arange(12.0)
        ptr = a.untyped_storage().data_ptr()
        assert a[1:].untyped_storage().data_ptr() == ptr
        assert a.view(3, 4).t().untyped_storage().data_ptr() == ptr
        assert a.as_strided((2, 2), (1, 2)).untyped_storage().data_ptr() == ptr
        assert a[1:].untyped_storage().nbytes() == 48
        assert a.clone().untyped_storage().data_ptr() != ptr
        assert a.untyped_storage().data_ptr() == a.data_ptr()


def test_storage_writes_reach_tensor():
    a = ember.zeros(4, dtype=ember.uint8)
    s = a.untyped_storage()
    s[2] = 7
    assert a.tolist() == [0, 0, 7, 0]
    s.fill_(1)
    assert a.tolist() == [1, 1, 1, 1]


def test_typed_storage():
    t, e = _both(lambda lib: lib.arange(6.0)[2:].storage())
    assert e.size() == t.size() == 6
    assert e.dtype is ember.float32 and e.tolist() == t.tolist()
    assert e[1] == t[1] and e.element_size() == t.element_size()
    assert repr(e).splitlines()[-1] == repr(t).splitlines()[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert ember.randn(2).storage_type() is ember.FloatStorage
        assert ember.ones(2, dtype=ember.int64).storage_type() is ember.LongStorage
        assert isinstance(ember.randn(2).storage(), ember.FloatStorage)
        assert not isinstance(ember.randn(2).storage(), ember.DoubleStorage)
        assert isinstance(ember.randn(2).storage(), ember.TypedStorage)
        assert ember.FloatStorage([1, 2]).tolist() == torch.FloatStorage([1, 2]).tolist()
        assert ember.TypedStorage(3, dtype=ember.float64).size() == 3
    assert ember.UntypedStorage(5).nbytes() == torch.UntypedStorage(5).nbytes()
    assert ember.is_storage(ember.randn(2).untyped_storage())
    assert not ember.is_storage(ember.randn(2))


def test_dlpack_from_torch_and_numpy():
    src = torch.arange(6.0).view(2, 3).t()
    e = ember.from_dlpack(src)
    assert_same(e, src)
    assert e.stride() == src.stride()
    e.mul_(2)  # shares memory
    assert src[1, 0].item() == 2.0
    cap = torch.utils.dlpack.to_dlpack(torch.arange(4))
    e = ember.utils.dlpack.from_dlpack(cap)
    assert e.tolist() == [0, 1, 2, 3] and e.dtype is ember.int64
    e.add_(1)  # writable through a capsule too
    n = np.arange(5.0, dtype=np.float32)
    e = ember.from_dlpack(n)
    e[0] = 9
    assert n[0] == 9
    assert ember.from_dlpack(torch.tensor([True, False])).tolist() == [True, False]


def test_dlpack_to_torch_and_numpy():
    a = ember.arange(6.0).view(2, 3)
    t = torch.from_dlpack(a)
    assert t.tolist() == a.tolist()
    t.add_(1)
    assert a[0, 0].item() == 1.0
    t2 = torch.utils.dlpack.from_dlpack(ember.utils.dlpack.to_dlpack(ember.ones(3)))
    assert t2.tolist() == [1.0, 1.0, 1.0]
    assert np.from_dlpack(ember.arange(3)).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError):
        ember.utils.dlpack.to_dlpack(ember.ones(2, requires_grad=True))
    with pytest.raises(TypeError):
        ember.from_dlpack(3)
