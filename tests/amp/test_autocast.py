"""torch.autocast: which ops cast to what (ember/amp/_policy.py), compared with real PyTorch.

Each case runs ``fn(lib, *tensors)`` inside ``lib.autocast("cpu", dtype=...)`` with float32
leaves, through the oracle's ``check``: output dtype and values, then the float32 gradients
of the leaves (which flow back through the casts).
"""
import threading
import warnings

import numpy as np
import pytest
from oracle import assert_same, check, ember, rand_array, to_numpy, torch

LOW = ["bfloat16", "float16"]
TOL = dict(rtol=2e-2, atol=2e-2, grad_rtol=3e-2, grad_atol=3e-2)


def _ac(fn, dt):
    """fn run inside a CPU autocast region of dtype ``dt``."""
    def run(lib, *xs):
        with lib.autocast("cpu", dtype=getattr(lib, dt)):
            return fn(lib, *xs)
    return run


def _F(lib):
    return lib.nn.functional


# ---------------------------------------------------------------- lower-precision ops
LOWER = {
    "linear": (lambda lib, x, w, b: _F(lib).linear(x, w, b), [(3, 4), (5, 4), (5,)]),
    "linear_3d": (lambda lib, x, w, b: _F(lib).linear(x, w, b), [(2, 3, 4), (5, 4), (5,)]),
    "linear_nobias": (lambda lib, x, w: _F(lib).linear(x, w), [(3, 4), (5, 4)]),
    "matmul_op": (lambda lib, x, y: x @ y, [(3, 4), (4, 5)]),
    "matmul": (lambda lib, x, y: lib.matmul(x, y), [(2, 3, 4), (4, 5)]),
    "matmul_vec": (lambda lib, x, y: x.matmul(y), [(3, 4), (4,)]),
    "mm": (lambda lib, x, y: lib.mm(x, y), [(3, 4), (4, 5)]),
    "mm_method": (lambda lib, x, y: x.mm(y), [(3, 4), (4, 5)]),
    "bmm": (lambda lib, x, y: lib.bmm(x, y), [(2, 3, 4), (2, 4, 5)]),
    "addmm": (lambda lib, b, x, y: lib.addmm(b, x, y), [(5,), (3, 4), (4, 5)]),
    "addmm_method": (lambda lib, b, x, y: b.addmm(x, y, beta=0.5, alpha=2), [(3, 5), (3, 4),
                                                                             (4, 5)]),
    "baddbmm": (lambda lib, b, x, y: lib.baddbmm(b, x, y), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    "addbmm": (lambda lib, b, x, y: lib.addbmm(b, x, y), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "conv1d": (lambda lib, x, w, b: _F(lib).conv1d(x, w, b, padding=1), [(2, 3, 8), (4, 3, 3),
                                                                         (4,)]),
    "conv2d": (lambda lib, x, w, b: _F(lib).conv2d(x, w, b, stride=2, padding=1),
               [(2, 3, 7, 7), (4, 3, 3, 3), (4,)]),
    "conv3d": (lambda lib, x, w: _F(lib).conv3d(x, w), [(1, 2, 4, 4, 4), (3, 2, 2, 2, 2)]),
    "conv_transpose1d": (lambda lib, x, w: _F(lib).conv_transpose1d(x, w, stride=2),
                         [(1, 2, 5), (2, 3, 3)]),
    "conv_transpose2d": (lambda lib, x, w, b: _F(lib).conv_transpose2d(x, w, b, stride=2),
                         [(1, 2, 4, 4), (2, 3, 3, 3), (3,)]),
    "sdpa": (lambda lib, q, k, v: _F(lib).scaled_dot_product_attention(q, k, v),
             [(2, 2, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)]),
    "sdpa_causal": (lambda lib, q, k, v: _F(lib).scaled_dot_product_attention(
        q, k, v, is_causal=True), [(1, 2, 4, 8), (1, 2, 4, 8), (1, 2, 4, 8)]),
    "prelu": (lambda lib, x, w: _F(lib).prelu(x, w), [(3, 4), (4,)]),
    "vecdot": (lambda lib, x, y: lib.linalg.vecdot(x, y), [(3, 4), (3, 4)]),
    "einsum": (lambda lib, x, y: lib.einsum("ij,jk->ik", x, y), [(3, 4), (4, 5)]),
    "tensordot": (lambda lib, x, y: lib.tensordot(x, y, dims=1), [(3, 4), (4, 5)]),
    "inner": (lambda lib, x, y: lib.inner(x, y), [(3, 4), (2, 4)]),
    "multi_dot": (lambda lib, x, y, z: lib.linalg.multi_dot([x, y, z]), [(3, 4), (4, 5),
                                                                          (5, 2)]),
    "matrix_power": (lambda lib, x: lib.matrix_power(x, 3), [(3, 3)]),
}


@pytest.mark.parametrize("dt", LOW)
@pytest.mark.parametrize("name", sorted(LOWER))
def test_lower_precision_ops(name, dt):
    fn, shapes = LOWER[name]
    eo, to = check(_ac(fn, dt), shapes, **TOL)
    assert str(eo.dtype) == f"torch.{dt}"


# ---------------------------------------------------------------- ops that keep float32 on CPU
KEEP = {
    "dot": (lambda lib, x, y: lib.dot(x, y), [(4,), (4,)]),
    "mv": (lambda lib, x, y: lib.mv(x, y), [(3, 4), (4,)]),
    "addmv": (lambda lib, b, x, y: lib.addmv(b, x, y), [(3,), (3, 4), (4,)]),
    "addr": (lambda lib, m, x, y: lib.addr(m, x, y), [(3, 4), (3,), (4,)]),
    "outer": (lambda lib, x, y: lib.outer(x, y), [(3,), (4,)]),
    "kron": (lambda lib, x, y: lib.kron(x, y), [(2, 2), (2, 3)]),
    "softmax": (lambda lib, x: lib.softmax(x, -1), [(3, 4)]),
    "log_softmax": (lambda lib, x: _F(lib).log_softmax(x, -1), [(3, 4)]),
    "layer_norm": (lambda lib, x: _F(lib).layer_norm(x, (4,)), [(3, 4)]),
    "group_norm": (lambda lib, x: _F(lib).group_norm(x, 2), [(2, 4, 3)]),
    "gelu": (lambda lib, x: _F(lib).gelu(x), [(3, 4)]),
    "sum": (lambda lib, x: x.sum(), [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(KEEP))
def test_ops_outside_the_lists_keep_float32(name):
    fn, shapes = KEEP[name]
    eo, _ = check(_ac(fn, "bfloat16"), shapes)
    assert eo.dtype is ember.float32


def test_bilinear_keeps_float32():
    """PyTorch's CPU bilinear keeps float32 but its inner matmuls autocast (bfloat16-rounded
    values); Ember's stays exact float32 (docs/differences.md)."""
    check(_ac(lambda lib, x, y, w: _F(lib).bilinear(x, y, w), "bfloat16"),
          [(3, 4), (3, 5), (2, 4, 5)], rtol=5e-2, atol=5e-2, grad_rtol=5e-2, grad_atol=5e-2)


# ---------------------------------------------------------------- float32 ops
def _bf(lib, *xs):
    return [x.to(lib.bfloat16) for x in xs]


def _idx(lib, *v):
    return lib.tensor(list(v))


FP32 = {
    "cross_entropy": (lambda lib, x: _F(lib).cross_entropy(*_bf(lib, x), _idx(lib, 0, 2, 1)),
                      [(3, 4)]),
    "cross_entropy_probs": (lambda lib, x, t: _F(lib).cross_entropy(
        *_bf(lib, x, t.softmax(-1))), [(3, 4), (3, 4)]),
    "cross_entropy_module": (lambda lib, x: lib.nn.CrossEntropyLoss(label_smoothing=0.1)(
        *_bf(lib, x), _idx(lib, 0, 2, 1)), [(3, 4)]),
    "nll_loss": (lambda lib, x: _F(lib).nll_loss(*_bf(lib, x), _idx(lib, 0, 2, 1)), [(3, 4)]),
    "mse_loss": (lambda lib, x, t: _F(lib).mse_loss(*_bf(lib, x, t)), [(3, 4), (3, 4)]),
    "mse_loss_mixed": (lambda lib, x, t: _F(lib).mse_loss(_bf(lib, x)[0], t), [(3, 4),
                                                                               (3, 4)]),
    "l1_loss": (lambda lib, x, t: _F(lib).l1_loss(*_bf(lib, x, t)), [(3, 4), (3, 4)]),
    "smooth_l1_loss": (lambda lib, x, t: _F(lib).smooth_l1_loss(*_bf(lib, x, t)),
                       [(3, 4), (3, 4)]),
    "huber_loss": (lambda lib, x, t: _F(lib).huber_loss(*_bf(lib, x, t)), [(3, 4), (3, 4)]),
    "binary_cross_entropy": (lambda lib, x, t: _F(lib).binary_cross_entropy(
        *_bf(lib, x.sigmoid(), t.sigmoid())), [(3, 4), (3, 4)]),
    "bce_with_logits": (lambda lib, x, t: _F(lib).binary_cross_entropy_with_logits(
        *_bf(lib, x, t.sigmoid())), [(3, 4), (3, 4)]),
    "kl_div": (lambda lib, x, t: _F(lib).kl_div(*_bf(lib, x.log_softmax(-1), t.softmax(-1)),
                                                reduction="batchmean"), [(3, 4), (3, 4)]),
    "poisson_nll_loss": (lambda lib, x, t: _F(lib).poisson_nll_loss(*_bf(lib, x, t.abs())),
                         [(3, 4), (3, 4)]),
    "soft_margin_loss": (lambda lib, x, t: _F(lib).soft_margin_loss(
        *_bf(lib, x, t.sign().detach())),
                         [(3, 4), (3, 4)]),
    "hinge_embedding_loss": (lambda lib, x, t: _F(lib).hinge_embedding_loss(
        *_bf(lib, x, t.sign())), [(3, 4), (3, 4)]),
    "margin_ranking_loss": (lambda lib, x, y, t: _F(lib).margin_ranking_loss(
        *_bf(lib, x, y, t.sign())), [(5,), (5,), (5,)]),
    "cosine_embedding_loss": (lambda lib, x, y: _F(lib).cosine_embedding_loss(
        *_bf(lib, x, y), lib.tensor([1.0, -1.0, 1.0])), [(3, 4), (3, 4)]),
    "triplet_margin_loss": (lambda lib, a, p, n: _F(lib).triplet_margin_loss(
        *_bf(lib, a, p, n)), [(3, 4), (3, 4), (3, 4)]),
    "multi_margin_loss": (lambda lib, x: _F(lib).multi_margin_loss(*_bf(lib, x),
                                                                   _idx(lib, 0, 2, 1)), [(3, 4)]),
    "multilabel_margin_loss": (lambda lib, x: _F(lib).multilabel_margin_loss(
        *_bf(lib, x), lib.tensor([[0, 1, -1, 0], [2, -1, 0, 0], [3, 0, 1, -1]])), [(3, 4)]),
    "ctc_loss": (lambda lib, x: _F(lib).ctc_loss(
        *_bf(lib, x.log_softmax(-1)), lib.tensor([[1, 2], [2, 2]]), [6, 5], [2, 2]),
                 [(6, 2, 4)]),
    "prod": (lambda lib, x: _bf(lib, x)[0].prod(), [(2, 3)]),
    "trace": (lambda lib, x: _bf(lib, x)[0].trace(), [(3, 3)]),
    "cdist": (lambda lib, x, y: lib.cdist(*_bf(lib, x, y)), [(3, 4), (2, 4)]),
}


@pytest.mark.parametrize("dt", LOW)
@pytest.mark.parametrize("name", sorted(FP32))
def test_float32_ops(name, dt):
    fn, shapes = FP32[name]
    eo, _ = check(_ac(fn, dt), shapes, **TOL)
    assert eo.dtype is ember.float32


def _spd(lib, a):
    return a @ a.mT + 4 * lib.eye(a.shape[-1])


FP32_MORE = {
    "quantile": (lambda lib, x: lib.quantile(x, 0.3), [(7,)]),
    "nanquantile": (lambda lib, x: x.nanquantile(0.6, dim=1), [(3, 4)]),
    "stft": (lambda lib, x: lib.stft(x, 16, window=lib.hann_window(16), return_complex=True),
             [(64,)]),
    "polar": (lambda lib, a, t: lib.polar(a.abs(), t), [(4,), (4,)]),
    "view_as_complex": (lambda lib, x: lib.view_as_complex(x), [(3, 2)]),
    "cholesky": (lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), [(3, 3)]),
    "inverse": (lambda lib, a: _spd(lib, a).inverse(), [(3, 3)]),
    "pinverse": (lambda lib, a: a.pinverse(), [(3, 3)]),
    "solve": (lambda lib, a, b: lib.linalg.solve(_spd(lib, a), b), [(3, 3), (3,)]),
    "svdvals": (lambda lib, a: lib.linalg.svdvals(a), [(3, 3)]),
    "eigvalsh": (lambda lib, a: lib.linalg.eigvalsh(_spd(lib, a)), [(3, 3)]),
    "lstsq": (lambda lib, a, b: lib.linalg.lstsq(_spd(lib, a), b).solution, [(3, 3), (3, 2)]),
    "cholesky_solve": (lambda lib, b, a: lib.cholesky_solve(b, lib.linalg.cholesky(
        _spd(lib, a))), [(3, 2), (3, 3)]),
    "matrix_rank": (lambda lib, a: lib.linalg.matrix_rank(a), [(3, 3)]),
    "fft": (lambda lib, x: lib.fft.fft(x), [(8,)]),
    "rfft2": (lambda lib, x: lib.fft.rfft2(x), [(4, 4)]),
    "irfft": (lambda lib, x: lib.fft.irfft(x), [(5,)]),
    "max_pool3d": (lambda lib, x: _F(lib).max_pool3d(x, 2), [(1, 2, 4, 4, 4)]),
    "avg_pool3d": (lambda lib, x: _F(lib).avg_pool3d(x, 2), [(1, 2, 4, 4, 4)]),
    "adaptive_avg_pool3d": (lambda lib, x: _F(lib).adaptive_avg_pool3d(x, 2),
                            [(1, 2, 4, 4, 4)]),
    "adaptive_max_pool3d": (lambda lib, x: _F(lib).adaptive_max_pool3d(x, 2),
                            [(1, 2, 4, 4, 4)]),
    "max_unpool2d": (lambda lib, x: _F(lib).max_unpool2d(
        *_F(lib).max_pool2d(x, 2, return_indices=True), 2), [(1, 2, 4, 4)]),
    "reflection_pad2d": (lambda lib, x: _F(lib).pad(x, (1, 1, 2, 0), mode="reflect"),
                         [(1, 2, 4, 4)]),
    "replication_pad3d": (lambda lib, x: _F(lib).pad(x, (1, 1, 1, 1, 1, 0), mode="replicate"),
                          [(1, 2, 3, 3, 3)]),
    "grid_sample": (lambda lib, x, g: _F(lib).grid_sample(x, g.tanh(), align_corners=False),
                    [(1, 2, 4, 4), (1, 3, 3, 2)]),
}


@pytest.mark.parametrize("name", sorted(FP32_MORE))
def test_more_float32_ops(name):
    """The rest of PyTorch's CPU float32 list, on bfloat16 inputs: float32 results."""
    fn, shapes = FP32_MORE[name]

    def low_inputs(lib, *xs):
        return fn(lib, *[x.to(lib.bfloat16) for x in xs])
    check(_ac(low_inputs, "bfloat16"), shapes, grad=False, rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- CUDA lists
def test_cuda_lists(monkeypatch):
    """The CUDA policies, with CPU tensors standing in for CUDA ones (no GPU here): Ember's
    choices against PyTorch's documented CUDA lists."""
    from ember.amp import _policy
    monkeypatch.setattr(_policy, "_first_device", lambda args: "cuda")
    monkeypatch.setattr(_policy, "_eligible", lambda t, dev: t._data.dtype in _policy._ELIGIBLE)
    F = ember.nn.functional
    x, v = ember.randn(3, 4), ember.randn(4)
    h = x.half()
    ember.set_autocast_enabled("cuda", True)
    try:
        assert ember.mv(x, v).dtype is ember.float16           # lower: CUDA only
        assert ember.addr(x, ember.randn(3), v).dtype is ember.float16
        assert (x @ v).dtype is ember.float16
        assert ember.dot(v, v.half()).dtype is ember.float32    # promote: CUDA only
        assert ember.dot(v.half(), v.half()).dtype is ember.float16
        assert F.layer_norm(h, (4,)).dtype is ember.float32     # fp32: CUDA only
        assert F.group_norm(h.reshape(3, 4, 1), 2).dtype is ember.float32
        assert ember.softmax(h, -1).dtype is ember.float32
        assert F.log_softmax(h, -1, dtype=ember.float16).dtype is ember.float16
        assert F.mse_loss(h, h).dtype is ember.float32
        assert h.prod().dtype is ember.float32
        assert ember.cat([h, h]).dtype is ember.float16         # CPU lists only
        assert h.trace().dtype is ember.float16
        with pytest.raises(RuntimeError, match="unsafe to autocast"):
            F.binary_cross_entropy(h.sigmoid(), h.sigmoid())
    finally:
        ember.set_autocast_enabled("cuda", False)


# ---------------------------------------------------------------- promote ops
PROMOTE = {
    "cat_mixed": (lambda lib, x, y: lib.cat([x, y.to(lib.bfloat16)]), [(2, 3), (2, 3)]),
    "cat_low": (lambda lib, x, y: lib.cat(_bf(lib, x, y), 1), [(2, 3), (2, 2)]),
    "stack_mixed": (lambda lib, x, y: lib.stack([x.to(lib.bfloat16), y]), [(2, 3), (2, 3)]),
    "index_copy": (lambda lib, x, s: x.to(lib.bfloat16).index_copy(0, lib.tensor([2, 0]), s),
                   [(3, 4), (2, 4)]),
}


@pytest.mark.parametrize("name", sorted(PROMOTE))
def test_promote_ops(name):
    fn, shapes = PROMOTE[name]
    check(_ac(fn, "bfloat16"), shapes, **TOL)


def test_promote_rejects_a_foreign_low_precision_dtype():
    for lib in (torch, ember):
        a = lib.ones(2, dtype=lib.bfloat16)
        b = lib.ones(2, dtype=lib.float16)
        with lib.autocast("cpu", dtype=lib.bfloat16):
            with pytest.raises(RuntimeError, match="prioritize"):
                lib.cat([a, b])
            assert lib.cat([a.float(), b]).dtype is lib.float32  # float32 first: no error


# ---------------------------------------------------------------- eligibility
@pytest.mark.parametrize("dt", LOW)
def test_float64_integer_and_out_inputs_are_left_alone(dt):
    a64 = rand_array((3, 4), "float64")
    ai = rand_array((3, 4), "int64")
    res = {}
    for lib in (torch, ember):
        with lib.autocast("cpu", dtype=getattr(lib, dt)):
            x64, xi = lib.tensor(a64), lib.tensor(ai)
            out = lib.empty(3, 3)
            lib.mm(lib.ones(3, 4), lib.ones(4, 3), out=out)
            res[lib] = [x64 @ x64.t(), _F(lib).linear(x64, x64), xi @ xi.t(),
                        lib.cat([xi, xi.to(getattr(lib, dt))]), lib.cat([x64, x64.float()]),
                        _F(lib).mse_loss(x64, x64 + 1), out]
    for e, t in zip(res[ember], res[torch]):
        assert_same(e, t)


def test_integer_inputs_pass_through_lower_ops():
    for lib in (torch, ember):
        with lib.autocast("cpu"):
            emb = lib.tensor([[1, 2], [3, 4]])
            assert lib.mm(emb, emb).dtype is lib.int64


# ---------------------------------------------------------------- region handling
def test_nested_disabled_region_and_restore():
    x = ember.randn(3, 4)
    w = ember.randn(5, 4)
    F = ember.nn.functional
    with ember.autocast("cpu"):
        assert F.linear(x, w).dtype is ember.bfloat16
        with ember.autocast("cpu", enabled=False):
            assert not ember.is_autocast_enabled("cpu")
            assert F.linear(x, w).dtype is ember.float32
            with ember.autocast("cpu", dtype=ember.float16):
                assert F.linear(x, w).dtype is ember.float16
            assert F.linear(x, w).dtype is ember.float32
        assert ember.is_autocast_enabled("cpu")
        assert F.linear(x, w).dtype is ember.bfloat16
    assert not ember.is_autocast_enabled("cpu")
    assert F.linear(x, w).dtype is ember.float32


def test_decorator():
    @ember.autocast("cpu")
    def f(x, w):
        assert ember.is_autocast_enabled("cpu")
        return x @ w

    @torch.autocast("cpu")
    def g(x, w):
        return x @ w

    a, b = rand_array((3, 4)), rand_array((4, 2), seed=1)
    assert_same(f(ember.tensor(a), ember.tensor(b)), g(torch.tensor(a), torch.tensor(b)))
    assert not ember.is_autocast_enabled("cpu")
    with pytest.raises(TypeError, match="requires a callable"):
        ember.autocast("cpu")(3)


def test_state_restored_after_an_exception():
    with pytest.raises(ValueError):
        with ember.autocast("cpu", dtype=ember.float16):
            assert ember.get_autocast_dtype("cpu") is ember.float16
            raise ValueError("boom")
    assert not ember.is_autocast_enabled("cpu")
    assert ember.get_autocast_dtype("cpu") is ember.bfloat16
    assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype is ember.float32


def test_state_queries():
    assert not ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled()
    assert ember.get_autocast_dtype("cpu") is ember.bfloat16
    assert ember.get_autocast_dtype("cuda") is ember.float16
    with ember.amp.autocast("cpu", dtype=ember.float16, cache_enabled=False) as ac:
        assert ac.fast_dtype is ember.float16 and ac.device == "cpu"
        assert ember.is_autocast_enabled("cpu") and not ember.is_autocast_enabled("cuda")
        assert ember.get_autocast_dtype("cpu") is ember.float16
        assert not ember.is_autocast_cache_enabled()
    assert ember.is_autocast_cache_enabled()
    ember.set_autocast_enabled("cpu", True)
    try:
        assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype is ember.bfloat16
    finally:
        ember.set_autocast_enabled("cpu", False)
    assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype is ember.float32


@pytest.mark.parametrize("kwargs", [dict(device_type="cpu", dtype="float32"),
                                    dict(device_type="cuda")])
def test_unusable_regions_warn_and_disable_as_pytorch(kwargs):
    """A CPU dtype other than bfloat16/float16, or CUDA without a GPU: a warning, then a
    disabled region (this machine has no CUDA for either library)."""
    if kwargs["device_type"] == "cuda" and (torch.cuda.is_available() or
                                            ember.cuda.is_available()):
        pytest.skip("a GPU is present")
    for lib in (torch, ember):
        kw = dict(kwargs)
        if "dtype" in kw:
            kw["dtype"] = getattr(lib, kw["dtype"])
        with pytest.warns(UserWarning, match="Disabling autocast"):
            ac = lib.autocast(**kw)
        with ac:
            assert not lib.is_autocast_enabled(kw["device_type"])
    with pytest.raises(RuntimeError, match="unsupported autocast device_type"):
        ember.autocast("tpu")


def test_state_is_thread_local():
    seen = {}

    def worker():
        seen["enabled"] = ember.is_autocast_enabled("cpu")
        seen["dtype"] = (ember.ones(2, 2) @ ember.ones(2, 2)).dtype

    with ember.autocast("cpu"):
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert (ember.ones(2, 2) @ ember.ones(2, 2)).dtype is ember.bfloat16
    assert seen == {"enabled": False, "dtype": ember.float32}


# ---------------------------------------------------------------- gradients and training
def _mlp(lib, seed=0):
    rng = np.random.default_rng(seed)
    net = lib.nn.Sequential(lib.nn.Linear(6, 16), lib.nn.ReLU(), lib.nn.Linear(16, 16),
                            lib.nn.GELU(), lib.nn.LayerNorm(16), lib.nn.Linear(16, 3))
    with lib.no_grad():
        for p in net.parameters():
            p.copy_(lib.tensor(rng.uniform(-0.4, 0.4, tuple(p.shape)).astype(np.float32)))
    return net


@pytest.mark.parametrize("dt", LOW)
def test_gradients_reach_float32_parameters(dt):
    x = rand_array((8, 6), seed=3)
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1])
    grads = {}
    for lib in (torch, ember):
        net = _mlp(lib)
        with lib.autocast("cpu", dtype=getattr(lib, dt)):
            out = net(lib.tensor(x))
            loss = _F(lib).cross_entropy(out, lib.tensor(y))
        assert out.dtype is getattr(lib, dt) and loss.dtype is lib.float32
        loss.backward()
        grads[lib] = (loss, [p.grad for p in net.parameters()])
    assert_same(grads[ember][0], grads[torch][0], rtol=1e-2, atol=1e-2)
    for e, t in zip(grads[ember][1], grads[torch][1]):
        assert e.dtype is ember.float32
        assert_same(e, t, rtol=5e-2, atol=2e-2)


def test_training_steps_follow_pytorch():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(16, 6)).astype(np.float32)
    y = rng.integers(0, 3, size=16)
    losses = {}
    for lib in (torch, ember):
        net = _mlp(lib, seed=1)
        opt = lib.optim.SGD(net.parameters(), lr=0.1)
        seq = []
        for _ in range(5):
            opt.zero_grad()
            with lib.autocast("cpu", dtype=lib.bfloat16):
                loss = _F(lib).cross_entropy(net(lib.tensor(x)), lib.tensor(y))
            assert loss.dtype is lib.float32
            loss.backward()
            opt.step()
            seq.append(loss.item())
        losses[lib] = seq
        assert all(p.dtype is lib.float32 for p in net.parameters())
    np.testing.assert_allclose(losses[ember], losses[torch], rtol=2e-2, atol=1e-2)
    assert losses[ember][-1] < losses[ember][0]


def test_conv_net_under_autocast():
    x = rand_array((2, 3, 8, 8), seed=4)
    outs = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        rng = np.random.default_rng(5)
        net = lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3, padding=1), lib.nn.BatchNorm2d(4),
                                lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                                lib.nn.Linear(64, 5))
        with lib.no_grad():
            for p in net.parameters():
                p.copy_(lib.tensor(rng.uniform(-0.3, 0.3, tuple(p.shape)).astype(np.float32)))
        with lib.autocast("cpu"):
            out = net(lib.tensor(x))
        out.float().sum().backward()
        outs[lib] = (out, net[0].weight.grad, net[1].running_mean)
    for e, t in zip(outs[ember], outs[torch]):
        assert_same(e, t, rtol=5e-2, atol=5e-2)


# ---------------------------------------------------------------- custom autograd Functions
def _scaled_fn(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", cast_inputs=lib.float32)
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            ctx.seen = (x.dtype, lib.is_autocast_enabled("cpu"))
            return x @ w

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            ctx.seen_bwd = lib.is_autocast_enabled("cpu")
            return g @ w.t(), x.t() @ g
    return Scale


def test_custom_fwd_casts_inputs_and_disables_autocast():
    a, b = rand_array((3, 4)), rand_array((4, 2), seed=1)
    res = {}
    for lib in (torch, ember):
        fn = _scaled_fn(lib)
        x = lib.tensor(a).to(lib.bfloat16).requires_grad_()
        w = lib.tensor(b, requires_grad=True)
        with lib.autocast("cpu"):
            y = fn.apply(x, w)
            inside = lib.is_autocast_enabled("cpu")
        y.sum().backward()
        res[lib] = (y, x.grad, w.grad, str(y.grad_fn.seen[0]), y.grad_fn.seen[1], inside,
                    y.grad_fn.seen_bwd)
    for e, t in zip(res[ember], res[torch]):
        if isinstance(t, torch.Tensor):
            assert_same(e, t, rtol=2e-2, atol=2e-2)
        else:
            assert e == t


def test_custom_fwd_without_cast_inputs_keeps_the_region():
    res = {}
    for lib in (torch, ember):
        class Mm(lib.autograd.Function):
            @staticmethod
            @lib.amp.custom_fwd(device_type="cpu")
            def forward(ctx, x, w):
                ctx.save_for_backward(x, w)
                return x @ w

            @staticmethod
            @lib.amp.custom_bwd(device_type="cpu")
            def backward(ctx, g):
                x, w = ctx.saved_tensors
                ctx.bwd_dtype = (g @ w.t()).dtype
                return (g @ w.t()).to(x.dtype), (x.t() @ g).to(w.dtype)

        x = lib.ones(2, 3, requires_grad=True)
        w = lib.ones(3, 2, requires_grad=True)
        with lib.autocast("cpu"):
            y = Mm.apply(x, w)
        y.float().sum().backward()
        res[lib] = (str(y.dtype), str(y.grad_fn.bwd_dtype), str(x.grad.dtype))
    assert res[ember] == res[torch]


# ---------------------------------------------------------------- half dtypes outside autocast
HALF_OPS = {
    "matmul": (lambda lib, x, y: x @ y, [(3, 4), (4, 5)]),
    "linear": (lambda lib, x, w, b: _F(lib).linear(x, w, b), [(3, 4), (5, 4), (5,)]),
    "conv2d": (lambda lib, x, w: _F(lib).conv2d(x, w, padding=1), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    "sdpa": (lambda lib, q, k, v: _F(lib).scaled_dot_product_attention(q, k, v),
             [(1, 2, 3, 4), (1, 2, 3, 4), (1, 2, 3, 4)]),
    "layer_norm": (lambda lib, x, w, b: _F(lib).layer_norm(x, (4,), w, b),
                   [(3, 4), (4,), (4,)]),
    "group_norm": (lambda lib, x: _F(lib).group_norm(x, 2), [(2, 4, 3)]),
    "batch_norm": (lambda lib, x: _F(lib).batch_norm(x, None, None, training=True),
                   [(3, 4, 2)]),
    "max_pool2d": (lambda lib, x: _F(lib).max_pool2d(x, 2), [(1, 2, 4, 4)]),
}


@pytest.mark.parametrize("dt", LOW)
@pytest.mark.parametrize("name", sorted(HALF_OPS))
def test_half_inputs_give_half_results(name, dt):
    """Without autocast too, float16/bfloat16 inputs give results and gradients in their own
    dtype (computed in float32 and rounded once, as PyTorch's CPU kernels)."""
    fn, shapes = HALF_OPS[name]
    check(fn, shapes, dtype=dt, **TOL)


def test_no_autocast_costs_no_casts():
    """Outside any region the module flag stays False (the ops' only added check)."""
    from ember.amp import _policy
    assert not _policy.active
    with ember.autocast("cpu"):
        assert _policy.active
        with ember.autocast("cpu", enabled=False):
            assert not _policy.active
    assert not _policy.active
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autocast("cpu", dtype=ember.float64):
            assert not _policy.active
    x = ember.randn(2, 3)
    assert to_numpy(x @ x.t()).dtype == np.float32
