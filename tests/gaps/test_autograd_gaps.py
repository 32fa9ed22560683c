"""Autograd gaps closed against torch: multi-output view nodes (unbind / split / chunk),
first gradients of activations under create_graph, and inference_mode semantics."""
import numpy as np
import pytest

from oracle import check_error

torch = pytest.importorskip("torch")
import ember  # noqa: E402

LIBS = [torch, ember]


# ---------------------------------------------------------------- unbind / split family
SPLITS = {
    "unbind": lambda x: x.unbind(1), "fn_unbind": lambda x: x.__class__.unbind(x),
    "split": lambda x: x.split(2, 1), "split_list": lambda x: x.split([1, 3], 1),
    "split_with_sizes": lambda x: x.split_with_sizes([3, 1], 1), "chunk": lambda x: x.chunk(3, 1),
    "tensor_split": lambda x: x.tensor_split(3, 1), "tensor_split_idx": lambda x: x.tensor_split([1, 2], 1),
    "unsafe_split": lambda x: x.unsafe_split(2, 1), "unsafe_chunk": lambda x: x.unsafe_chunk(2, 1),
    "unsafe_split_ws": lambda x: x.unsafe_split_with_sizes([1, 3], 1), "iter": lambda x: list(x),
}


def _split_facts(lib, name):
    x = lib.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    outs = SPLITS[name](x * 1)
    names = [o.grad_fn.name() for o in outs]
    nrs = [o.output_nr for o in outs]
    nodes = len({id(o.grad_fn) for o in outs})
    nxt = [type(n).__name__ for n, _ in outs[0].grad_fn.next_functions]
    (g,) = lib.autograd.grad(sum((o * (k + 2)).sum() for k, o in enumerate(outs)), x,
                             retain_graph=True)
    (g1,) = lib.autograd.grad(outs[-1].sum(), x)
    return names, nrs, nodes, nxt, g.tolist(), g1.tolist()


@pytest.mark.parametrize("name", sorted(SPLITS))
def test_split_family_nodes_match_torch(name):
    assert _split_facts(ember, name) == _split_facts(torch, name)


def test_unbind_backward_and_grad_of_one_output():
    for lib in LIBS:
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
        a, b, c = x.unbind()
        (a * 2 + b * 3).sum().backward()
        assert x.grad.tolist() == [[2.0, 2.0], [3.0, 3.0], [0.0, 0.0]]
        assert a.grad_fn is c.grad_fn and (a.output_nr, c.output_nr) == (0, 2)


@pytest.mark.parametrize("op", ["unbind", "split", "chunk"])
def test_split_family_double_backward(op):
    def run(lib):
        x = lib.tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)
        outs = {"unbind": x.unbind(1), "split": x.split(3, 1), "chunk": x.chunk(2, 0)}[op]
        y = sum((o ** 3).sum() * (i + 1) for i, o in enumerate(outs))
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        return g.detach().numpy(), h.numpy()
    for a, b in zip(run(ember), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    x = ember.tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: t.unbind(1)[1].unsqueeze(1) * t.split(1)[0], (x,))


@pytest.mark.parametrize("op", ["unbind", "split", "split_list", "chunk"])
def test_inplace_on_multi_output_view_raises(op):
    f = SPLITS[op]
    check_error(lambda lib: f(lib.ones(3, 4, requires_grad=True) * 1)[0].mul_(2), RuntimeError,
                "returns multiple views")
    check_error(lambda lib: f(lib.ones(3, 4, requires_grad=True))[0].add_(1), RuntimeError,
                "returns multiple views")
    check_error(lambda lib: f(lib.ones(3, 4, requires_grad=True) * 1)[0][1:].zero_(),
                RuntimeError, "returns multiple views")


def test_multi_output_view_after_base_inplace_raises():
    def fn(lib):
        y = lib.ones(3, 4, requires_grad=True) * 1
        a = y.unbind()[0]
        y.mul_(2)
        return a.grad_fn
    check_error(fn, RuntimeError, "its base or another view of its base has been modified")


def test_inplace_allowed_without_grad_and_on_unsafe_split():
    for lib in LIBS:
        z = lib.ones(3, 4)
        z.unbind()[0].mul_(2)
        assert z.sum().item() == 16
        y = lib.ones(3, 4, requires_grad=True) * 1
        u = y.unsafe_split(2)
        u[0].add_(1)
        assert u[0].grad_fn.name() == "AddBackward0" and y._version == 0


# ---------------------------------------------------------------- activations under create_graph
F_ACTS = {
    "relu": lambda F, x: F.relu(x), "relu_method": lambda F, x: x.relu(),
    "relu6": lambda F, x: F.relu6(x), "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 2.0), "elu": lambda F, x: F.elu(x, 1.3),
    "selu": lambda F, x: F.selu(x), "celu": lambda F, x: F.celu(x, 0.7),
    "gelu": lambda F, x: F.gelu(x), "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda F, x: F.silu(x), "mish": lambda F, x: F.mish(x),
    "softplus": lambda F, x: F.softplus(x, 2.0, 3.0), "logsigmoid": lambda F, x: F.logsigmoid(x),
    "hardswish": lambda F, x: F.hardswish(x), "hardshrink": lambda F, x: F.hardshrink(x, 0.4),
    "softshrink": lambda F, x: F.softshrink(x, 0.4), "tanhshrink": lambda F, x: F.tanhshrink(x),
    "softsign": lambda F, x: F.softsign(x), "threshold": lambda F, x: F.threshold(x, 0.5, -2.0),
    "rrelu_eval": lambda F, x: F.rrelu(x), "glu": lambda F, x: F.glu(x, -1),
    "sigmoid": lambda F, x: F.sigmoid(x), "tanh": lambda F, x: F.tanh(x),
    "softmax": lambda F, x: F.softmax(x, 1), "log_softmax": lambda F, x: F.log_softmax(x, 1),
    "elu_inplace": lambda F, x: F.elu(x * 1, inplace=True),
    "relu_inplace": lambda F, x: F.relu(x * 1, inplace=True),
    "leaky_inplace": lambda F, x: F.leaky_relu(x * 1, 0.1, True),
}
# composite or core-op formulas whose first-gradient node PyTorch names differently
NAME_DIFFERS = {"glu", "sigmoid", "tanh", "softmax", "log_softmax"}


def _second_order(lib, name, v_requires_grad):
    rng = np.random.RandomState(0)
    xa = rng.randn(3, 4) * 3
    xa[0, 0] = 0.0  # the kink of the piecewise activations
    x = lib.tensor(xa, requires_grad=True)
    v = lib.tensor(rng.randn(3, 2 if name == "glu" else 4), requires_grad=v_requires_grad)
    (g,) = lib.autograd.grad(F_ACTS[name](lib.nn.functional, x), x, v, create_graph=True)
    w = lib.tensor(rng.randn(3, 4))
    ins = [x, v] if v_requires_grad else [x]
    second = lib.autograd.grad(g, ins, w, allow_unused=True) if g.requires_grad else None
    return g, second


@pytest.mark.parametrize("v_requires_grad", [False, True])
@pytest.mark.parametrize("name", sorted(F_ACTS))
def test_activation_second_order_matches_torch(name, v_requires_grad):
    ge, se = _second_order(ember, name, v_requires_grad)
    gt, st = _second_order(torch, name, v_requires_grad)
    np.testing.assert_allclose(ge.detach().numpy(), gt.detach().numpy(), rtol=1e-7, atol=1e-12)
    assert ge.requires_grad == gt.requires_grad
    if name not in NAME_DIFFERS:
        assert ge.grad_fn.name() == gt.grad_fn.name()
    for a, b in zip(se, st):
        assert (a is None) == (b is None)
        if b is not None:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-12)


def test_hardsigmoid_second_order_not_implemented_like_torch():
    for lib in LIBS:
        x = lib.tensor([-4.0, 0.5, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad(lib.nn.functional.hardsigmoid(x).sum(), x, create_graph=True)
        assert g.requires_grad and g.grad_fn.name() == "torch::autograd::NotImplemented"
        with pytest.raises(RuntimeError, match="hardsigmoid_backward is not implemented"):
            g.sum().backward()


def test_rrelu_training_first_gradient_requires_grad():
    for lib in LIBS:
        x = lib.tensor([-1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad(lib.nn.functional.rrelu(x, training=True).sum(), x,
                                 create_graph=True)
        assert g.requires_grad and g.grad_fn.name() == "RreluWithNoiseBackwardBackward0"
        (h,) = lib.autograd.grad(g.sum(), x)
        assert h.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("name", ["elu", "selu", "gelu", "gelu_tanh", "softplus", "logsigmoid",
                                  "leaky_relu", "hardswish"])
def test_activation_gradgradcheck(name):
    x = ember.tensor(np.array([-2.3, -0.7, 0.4, 1.9, 2.6]), requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: F_ACTS[name](ember.nn.functional, t), (x,))


def test_third_order_through_activation():
    def run(lib):
        x = lib.tensor([-1.5, 0.3, 2.0], requires_grad=True, dtype=lib.float64)
        y = lib.nn.functional.gelu(x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (k,) = lib.autograd.grad(h.sum(), x)
        return k.numpy()
    np.testing.assert_allclose(run(ember), run(torch), rtol=1e-9)


# ---------------------------------------------------------------- inference_mode
def test_inference_tensors_and_flags():
    for lib in LIBS:
        x = lib.ones(2, 3, requires_grad=True)
        n = lib.ones(2, 3)
        with lib.inference_mode():
            y = x * 2
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
            assert y.is_inference() and not y.requires_grad and y.grad_fn is None
            assert not n[0].is_inference() and not n.detach().is_inference()
            assert y[0].is_inference()
            with lib.enable_grad():  # grad mode on, but nothing is recorded
                assert lib.is_grad_enabled() and not (x * 2).requires_grad
            with lib.inference_mode(False):
                assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
                w = x * 2
                assert w.requires_grad and not w.is_inference()
            y.add_(1)  # in-place on inference tensors is fine inside the mode
        assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()
        assert lib.is_inference(y) and (y + 1).is_inference() is False
        assert (y + x).grad_fn.name() == "AddBackward0"  # add saves nothing
        with lib.no_grad():
            with lib.inference_mode(False):
                assert lib.is_grad_enabled()


@pytest.mark.parametrize("op", [
    lambda lib, t, x: t * x, lambda lib, t, x: x * t, lambda lib, t, x: t @ x.t(),
    lambda lib, t, x: lib.nn.functional.linear(t, x), lambda lib, t, x: lib.relu(t * x),
])
def test_inference_tensor_saved_for_backward_raises(op):
    def fn(lib):
        with lib.inference_mode():
            t = lib.ones(2, 2)
        return op(lib, t, lib.ones(2, 2, requires_grad=True))
    check_error(fn, RuntimeError, "Inference tensors cannot be saved for backward")


@pytest.mark.parametrize("op", [
    lambda t: t.add_(1), lambda t: t.mul_(2), lambda t: t.zero_(), lambda t: t.fill_(3.0),
    lambda t: t.copy_(t * 0), lambda t: t.__setitem__(0, 5.0), lambda t: t.clamp_(0, 1),
    lambda t: t[0:1].mul_(2), lambda t: t.uniform_(),
])
@pytest.mark.parametrize("grad_on", [True, False])
def test_inplace_on_inference_tensor_outside_raises(op, grad_on):
    def fn(lib):
        with lib.inference_mode():
            t = lib.ones(2)
        with lib.set_grad_enabled(grad_on):
            op(t)
    check_error(fn, RuntimeError, "Inplace update to inference tensor outside InferenceMode")


def test_inference_tensor_requires_grad_and_version_errors():
    for lib in LIBS:
        with lib.inference_mode():
            t = lib.ones(2)
            c = lib.ones(2, requires_grad=True)
        assert c.requires_grad and c.is_inference()
        with pytest.raises(RuntimeError, match="Setting requires_grad=True on inference tensor"):
            t.requires_grad_()
        with pytest.raises(RuntimeError, match="do not track version counter"):
            t._version
        assert t.clone().requires_grad_().requires_grad  # a clone is a normal tensor


def test_inference_mode_decorators():
    for lib in LIBS:
        @lib.inference_mode()
        def f(a):
            return a * 2, lib.is_inference_mode_enabled()

        @lib.inference_mode
        def g(a):
            return a * 2

        @lib.inference_mode(False)
        def h(a):
            return a * 2

        x = lib.ones(2, requires_grad=True)
        y, on = f(x)
        assert on and y.is_inference() and g(x).is_inference()
        with lib.inference_mode():
            assert h(x).requires_grad
        assert not lib.is_inference_mode_enabled()


def test_inference_mode_is_thread_local():
    import threading
    got = []
    with ember.inference_mode():
        th = threading.Thread(target=lambda: got.append(
            (ember.ones(1).is_inference(), ember.is_inference_mode_enabled())))
        th.start()
        th.join()
    assert got == [(False, False)]
