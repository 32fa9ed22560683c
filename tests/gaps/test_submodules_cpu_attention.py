"""``torch.cpu`` and ``torch.nn.attention`` against torch."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, torch

import ember
import ember.cpu
import ember.nn.attention as eattn
import torch.nn.attention as tattn
from torch.nn.attention import bias as tbias
from ember.nn.attention import bias as ebias


def test_cpu_queries_match_torch():
    for name in ["is_available", "device_count", "current_device", "is_initialized"]:
        assert getattr(ember.cpu, name)() == getattr(torch.cpu, name)()
    assert ember.cpu.synchronize() is None and ember.cpu.synchronize("cpu") is None
    assert ember.cpu.set_device("cpu") is None
    assert sorted(ember.cpu.__all__) == sorted(torch.cpu.__all__)
    caps = ember.cpu.get_capabilities()
    assert caps["architecture"] == torch.cpu.get_capabilities()["architecture"]
    assert caps.get("avx2", False) == torch.cpu.get_capabilities().get("avx2", False)
    with pytest.raises(TypeError):
        caps["avx2"] = True  # read-only, as PyTorch's mapping


def test_cpu_streams_nest_and_restore():
    default = ember.cpu.current_stream()
    s1, s2 = ember.cpu.Stream(), ember.cpu.Stream(priority=0)
    with ember.cpu.stream(s1):
        assert ember.cpu.current_stream() is s1
        with ember.cpu.StreamContext(s2):
            assert ember.cpu.current_stream() is s2
        with ember.cpu.stream(None):  # None keeps the current stream, as in PyTorch
            assert ember.cpu.current_stream() is s1
        assert ember.cpu.current_stream() is s1
    assert ember.cpu.current_stream() is default
    ev = ember.cpu.Event()
    assert ev.query() is True and ev.record() is None and s1.record_event() is None


def test_cpu_amp_autocast_and_scaler():
    with pytest.warns(FutureWarning, match="torch.amp.autocast"):
        ac = ember.cpu.amp.autocast()
    assert ac.device_type == "cpu" and ac.fast_dtype is ember.bfloat16
    with ac:
        assert ember.is_autocast_enabled("cpu")
    assert not ember.is_autocast_enabled("cpu")
    with pytest.warns(FutureWarning, match="torch.amp.GradScaler"):
        sc = ember.cpu.amp.GradScaler(init_scale=8.0)
    assert sc.is_enabled() and sc.get_scale() == 8.0
    w = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([w], lr=1.0)
    sc.scale((w * 3).sum()).backward()
    assert w.grad.tolist() == [24.0, 24.0]
    sc.step(opt)  # unscales to 3 before stepping
    sc.update()
    assert w.detach().tolist() == [-2.0, -2.0]


def test_sdpbackend_members_match_torch():
    assert [(m.name, int(m)) for m in ember.nn.attention.SDPBackend] == \
        [(n, int(v)) for n, v in tattn.SDPBackend.__members__.items()]
    assert repr(eattn.SDPBackend.MATH) == repr(tattn.SDPBackend.MATH)
    assert str(eattn.SDPBackend.FLASH_ATTENTION) == str(tattn.SDPBackend.FLASH_ATTENTION)
    assert eattn.SDPBackend(0) is eattn.SDPBackend.MATH


def _state(lib, attn):
    b = lib.backends.cuda
    return (b.flash_sdp_enabled(), b.mem_efficient_sdp_enabled(), b.math_sdp_enabled())


@pytest.mark.parametrize("choice", [["MATH"], ["FLASH_ATTENTION", "MATH"],
                                    ["EFFICIENT_ATTENTION"], ["CUDNN_ATTENTION", "MATH"]])
def test_sdpa_kernel_flags_and_restore(choice):
    before = _state(ember, eattn)
    for lib, attn in ((ember, eattn), (torch, tattn)):
        backends = [getattr(attn.SDPBackend, c) for c in choice]
        with attn.sdpa_kernel(backends) as ctx:
            assert ctx == {}
            inside = _state(lib, attn)
        if lib is ember:
            e_inside = inside
    assert e_inside == inside  # same flags as torch's inside the context
    assert _state(ember, eattn) == before


def test_sdpa_kernel_priority_order():
    S = eattn.SDPBackend
    order = eattn._get_priority_order()
    assert order == torch._C._get_sdp_priority_order()
    with eattn.sdpa_kernel([S.CUDNN_ATTENTION, S.MATH], set_priority=True):
        with tattn.sdpa_kernel([tattn.SDPBackend.CUDNN_ATTENTION, tattn.SDPBackend.MATH],
                               set_priority=True):
            assert eattn._get_priority_order() == torch._C._get_sdp_priority_order()
    assert eattn._get_priority_order() == order


@pytest.mark.parametrize("bad", ["math", (0,), 3, None])
def test_sdpa_kernel_rejects_non_backends(bad):
    for attn in (eattn, tattn):
        with pytest.raises(AssertionError, match="Backend must be an instance of SDPBackend"):
            with attn.sdpa_kernel(bad):
                pass


def test_sdpa_result_is_the_same_under_every_backend():
    rng = np.random.default_rng(0)
    q, k, v = (ember.tensor(rng.standard_normal((2, 3, 5, 4)).astype(np.float32))
               for _ in range(3))
    ref = ember.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
    for b in eattn.SDPBackend:
        with eattn.sdpa_kernel(b):
            out = ember.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        assert np.array_equal(out.numpy(), ref.numpy())


@pytest.mark.parametrize("fn", ["causal_upper_left", "causal_lower_right"])
@pytest.mark.parametrize("size", [(3, 5), (5, 3), (4, 4)])
def test_causal_bias(fn, size):
    warns = fn == "causal_lower_right" and size[0] > size[1]
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        e, t = getattr(ebias, fn)(*size), getattr(tbias, fn)(*size)
    assert len(rec) == 2 * warns and all("NaNs" in str(r.message) for r in rec)
    assert_same(e._materialize(), t._materialize())
    assert (e.seq_len_q, e.seq_len_kv, int(e.variant)) == (t.seq_len_q, t.seq_len_kv,
                                                           int(t.variant))
    assert repr(e) == repr(t)
    rng = np.random.default_rng(1)
    qa = rng.standard_normal((1, 2, size[0], 4)).astype(np.float32)
    ka = rng.standard_normal((1, 2, size[1], 4)).astype(np.float32)
    out_e = ember.nn.functional.scaled_dot_product_attention(
        ember.tensor(qa), ember.tensor(ka), ember.tensor(ka), attn_mask=e)
    out_t = torch.nn.functional.scaled_dot_product_attention(
        torch.tensor(qa), torch.tensor(ka), torch.tensor(ka), attn_mask=t)
    assert_same(out_e, out_t)
    with pytest.raises(AssertionError, match="only supports 2D"):
        getattr(ebias, fn)(3)


FLAG_FNS = ("flash_sdp_enabled", "mem_efficient_sdp_enabled", "math_sdp_enabled",
            "cudnn_sdp_enabled")


@pytest.mark.parametrize("flags", [(False, True, True, True), (True, False, False, True),
                                   (False, False, False, False), (True, True, True, False)])
def test_deprecated_sdp_kernel_matches_torch(flags):
    kw = dict(zip(("enable_flash", "enable_math", "enable_mem_efficient", "enable_cudnn"), flags))
    seen = {}
    for lib in (torch, ember):
        cuda = lib.backends.cuda
        with pytest.warns(FutureWarning, match="sdp_kernel"):
            with cuda.sdp_kernel(**kw) as ctx:
                inside = [getattr(cuda, f)() for f in FLAG_FNS]
        seen[lib.__name__] = (ctx, inside, [getattr(cuda, f)() for f in FLAG_FNS])
    assert seen["ember"] == seen["torch"]
    assert seen["ember"][2] == [True] * 4


def test_cudnn_sdp_flag_and_flash_availability():
    cuda = ember.backends.cuda
    assert cuda.is_flash_attention_available() is torch.backends.cuda.is_flash_attention_available()
    cuda.enable_cudnn_sdp(False)
    try:
        assert cuda.cudnn_sdp_enabled() is False
    finally:
        cuda.enable_cudnn_sdp(True)
    assert cuda.cudnn_sdp_enabled() is True
