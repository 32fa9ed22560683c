"""The torch.* namespace that real programs touch beyond the core."""
import warnings

import pytest

import ember
from oracle import torch


def test_cuda_queries_without_gpu():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    assert ember.cuda.device_count() == 0
    assert ember.cuda.memory_allocated() == 0 and ember.cuda.max_memory_allocated() == 0
    ember.cuda.manual_seed_all(0)
    ember.cuda.empty_cache()
    ember.cuda.synchronize()


def test_backend_flags_and_accelerator():
    ember.backends.cudnn.benchmark = True
    assert ember.backends.cudnn.benchmark is True
    ember.backends.cudnn.deterministic = True
    assert ember.backends.mps.is_available() is False
    assert ember.accelerator.is_available() == ember.cuda.is_available()
    if not ember.cuda.is_available():
        assert ember.accelerator.current_accelerator() is None


def test_threads_default_device_determinism():
    n = ember.get_num_threads()
    ember.set_num_threads(1)
    assert ember.get_num_threads() == 1
    ember.set_num_threads(n)
    ember.set_default_device("cpu")
    assert ember.zeros(2).device.type == "cpu"
    ember.set_default_device(None)
    ember.use_deterministic_algorithms(True)
    assert ember.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(False)
    assert not ember.are_deterministic_algorithms_enabled()
    with pytest.raises(ValueError):
        ember.set_num_threads(0)


def test_compile_and_jit_return_what_they_get():
    f = lambda x: x * 2  # noqa: E731
    assert ember.compile(f) is f
    assert ember.compile()(f) is f
    assert ember.jit.script(f) is f and ember.jit.trace(f, ember.ones(1)) is f
    assert not ember.jit.is_scripting()


def test_version_compares_like_torch():
    from packaging.version import Version
    assert Version(ember.__version__) >= Version("2.0")
    assert ember.__version__.split("+")[0] == torch.__version__.split("+")[0]


def test_autocast_casts_matmul_only():
    x = ember.ones(2, 2)
    with ember.autocast("cpu"):
        y = x @ x
    assert y.dtype is ember.bfloat16  # tests/amp/test_autocast.py covers the op lists
    with ember.amp.autocast(device_type="cpu", dtype=ember.bfloat16):
        assert (x + 1).dtype is ember.float32

    @ember.autocast("cpu")
    def f(a):
        return a * 2
    assert f(x).tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_grad_scaler_disables_itself_without_cuda_and_scales_on_cpu():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s = ember.cuda.amp.GradScaler()
    assert any("CUDA is not available" in str(x.message) for x in w)
    assert not s.is_enabled() and s.get_scale() == 1.0
    p = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([p], lr=1.0)
    loss = (p * 3).sum()
    assert s.scale(loss) is loss
    scaler = ember.amp.GradScaler("cpu", init_scale=4.0)
    scaled = scaler.scale((p * 3).sum())
    assert scaled.item() == 24.0
    scaled.backward()
    scaler.step(opt)
    scaler.update()
    assert p.tolist() == [-2.0, -2.0]  # the gradient was unscaled to 3 before the step
    p.grad = None
    (scaler.scale((p * float("inf")).sum())).backward()
    before = p.tolist()
    scaler.step(opt)
    scaler.update()
    assert p.tolist() == before and scaler.get_scale() == 2.0  # skipped, scale backed off


def test_checkpoint_recomputes_and_matches_plain_gradients():
    from ember.utils.checkpoint import checkpoint
    ember.manual_seed(0)
    lin = ember.nn.Linear(4, 4)
    x = ember.randn(3, 4, requires_grad=True)
    calls = []

    def block(inp):
        calls.append(1)
        return lin(inp).tanh() * 2

    out = checkpoint(block, x, use_reentrant=False)
    out.sum().backward()
    gx, gw = x.grad.clone(), lin.weight.grad.clone()
    assert len(calls) == 2  # forward, then recomputation in backward
    x.grad = None
    lin.weight.grad = None
    block(x).sum().backward()
    assert ember.allclose(gx, x.grad) and ember.allclose(gw, lin.weight.grad)
    # parameters get gradients even when the input does not require grad
    lin.weight.grad = None
    checkpoint(block, x.detach(), use_reentrant=False).sum().backward()
    assert lin.weight.grad is not None


def test_hub_and_onnx_say_why():
    with pytest.raises(RuntimeError, match="network"):
        ember.hub.load("pytorch/vision", "resnet18")
    assert ember.onnx.is_in_onnx_export() is False
    with pytest.raises(RuntimeError, match="ONNX"):
        ember.onnx.export(None, (), "m.onnx")
