"""The compiled (native) kernels and their NumPy fallbacks, each against the torch oracle.

Every case runs twice: with the compiled kernels (skipped when they were not built) and with
them switched off (``native.ENABLED = False``, what ``EMBER_NO_NATIVE_KERNELS=1`` does).
"""
import numpy as np
import pytest

from oracle import assert_same, check, ember, torch
from ember.backends import host_tuning
from ember.backends import native as NK


@pytest.fixture(params=["native", "numpy"])
def path(request, monkeypatch):
    if request.param == "native":
        monkeypatch.setattr(NK, "ENABLED", True)
        if NK.kernels() is None:
            pytest.skip("the native kernels are not built")
    else:
        monkeypatch.setattr(NK, "ENABLED", False)
        assert NK.kernels() is None
    return request.param


CONV2D = [
    ((2, 3, 9, 8), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 9, 8), (4, 3, 3, 2), dict(stride=2, padding=(2, 1), dilation=(1, 2))),
    ((1, 2, 7, 7), (3, 2, 2, 2), dict(padding="same")),   # asymmetric padding
    ((2, 2, 6, 6), (3, 2, 5, 5), dict()),
]


@pytest.mark.parametrize("xs,ws,kw", CONV2D)
def test_conv2d(path, xs, ws, kw):
    check(lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, **kw), [xs, ws, (ws[0],)])


def test_conv1d_and_transposed(path):
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w, stride=2, padding=2, dilation=2),
          [(2, 3, 11), (4, 3, 3)])
    check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, stride=2, padding=1,
                                                               output_padding=1),
          [(2, 4, 5, 5), (4, 3, 3, 3)])


def test_unfold_fold(path):
    check(lambda lib, x: lib.nn.functional.unfold(x, 3, padding=1, stride=2), [(2, 3, 7, 6)])
    check(lambda lib, x: lib.nn.functional.fold(x, (5, 5), 2, stride=1), [(2, 12, 16)])


@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 3, 7, 9), (3, 5, 6)])
def test_max_pool2x2(path, shape):
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 2), [shape])
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 2, return_indices=True)[1], [shape],
          grad=False)


def test_max_pool2x2_ties_and_noncontig(path):
    ties = np.zeros((1, 2, 4, 6), np.float32)
    ties[0, 0, 1:3, 1:3] = 1.0
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 2, return_indices=True), [ties])
    check(lambda lib, x: lib.nn.functional.max_pool2d(x, 2), [(2, 3, 8, 6)], noncontig=True)


def test_max_pool2x2_nan_value(path):
    a = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    a[0, 0, 0, 1] = np.nan
    e = ember.nn.functional.max_pool2d(ember.tensor(a), 2)
    t = torch.nn.functional.max_pool2d(torch.tensor(a), 2)
    assert_same(e, t)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(path, training):
    def run(lib, x, w, b):
        rm = lib.tensor(np.linspace(-0.5, 0.5, 4, dtype=np.float32))
        rv = lib.tensor(np.linspace(0.5, 2.0, 4, dtype=np.float32))
        y = lib.nn.functional.batch_norm(x, rm, rv, w, b, training=training, momentum=0.2)
        return y, rm, rv
    check(run, [(3, 4, 5, 6), (4,), (4,)])
    check(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True),
          [(5, 4, 7)])


def test_bn_cnn_training_step(path):
    """A conv-BN-ReLU-pool step with Adam, parameters after the step against torch."""
    def model(lib):
        nn = lib.nn
        lib.manual_seed(0)
        return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Conv2d(8, 4, 3), nn.Flatten(),
                             nn.Linear(4 * 2 * 2, 3))
    x = np.random.default_rng(0).standard_normal((4, 3, 8, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 1])
    params = {}
    for lib in (ember, torch):
        m = model(lib)
        if lib is ember:
            m.load_state_dict({k: ember.tensor(v.detach().numpy())
                               for k, v in model(torch).state_dict().items()})
        opt = lib.optim.Adam(m.parameters(), lr=1e-2)
        for _ in range(3):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(m(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
        params[lib.__name__] = [p.detach().numpy() for p in m.parameters()]
    for e, t in zip(params["ember"], params["torch"]):
        np.testing.assert_allclose(e, t, rtol=1e-4, atol=1e-5)
        assert e.dtype == np.float32


@pytest.mark.parametrize("amsgrad,wd", [(False, 0.0), (False, 0.1), (True, 0.0)])
def test_adam(path, amsgrad, wd):
    rng = np.random.default_rng(1)
    p0 = rng.standard_normal((70, 1000)).astype(np.float32)   # several parallel chunks
    grads = [rng.standard_normal(p0.shape).astype(np.float32) for _ in range(3)]
    out = {}
    for lib in (ember, torch):
        p = lib.tensor(p0.copy(), requires_grad=True)
        opt = lib.optim.AdamW([p], lr=1e-2, weight_decay=wd, amsgrad=amsgrad)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
        out[lib.__name__] = p.detach().numpy()
    np.testing.assert_allclose(out["ember"], out["torch"], rtol=1e-5, atol=1e-6)


def test_disable_switch_in_subprocess():
    """EMBER_NO_NATIVE_KERNELS=1 turns the kernels off for the whole process."""
    import os
    import subprocess
    import sys
    code = "from ember.backends import native as N; print(N.kernels() is None)"
    env = dict(os.environ, EMBER_NO_NATIVE_KERNELS="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.stdout.strip() == "True", out.stderr


def test_host_tuning_reports():
    # malloc tuning is applied on glibc unless opted out; the BLAS switch never overrides an
    # explicit OPENBLAS_CORETYPE and only ever moves to an AVX-512 kernel set.
    assert host_tuning.applied["done"]
    blas = host_tuning.applied["blas"]
    assert blas is None or blas[1].lower() in ("skylakex", "cooperlake", "sapphirerapids")


@pytest.mark.parametrize("shape", [(3,), (2, 3, 4)])
def test_relu_backward_blocks_nan_and_inf_like_torch(path, shape):
    """torch's threshold_backward returns 0 where the output is 0, whatever the gradient."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    g.reshape(-1)[:2] = [np.nan, np.inf]
    x.reshape(-1)[:2] = [-1.0, 0.0]
    grads = []
    for lib in (torch, ember):
        xt = lib.tensor(x, requires_grad=True)
        lib.relu(xt).backward(lib.tensor(g))
        grads.append(xt.grad)
    assert_same(grads[1], grads[0])
    check(lambda lib, x: lib.nn.functional.relu(x), [shape])


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("shape", [(7,), (3, 33), (2, 3, 4, 5)])
def test_saved_output_activation_grads(path, name, shape):
    """tanh / sigmoid backward from the same output and gradient as torch's kernels: bit for
    bit on the native path (same operation order and fused multiply-add), to rounding on
    NumPy's; also through a graph (create_graph) and on non-contiguous gradients."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    y = (np.tanh(x) if name == "tanh" else 1 / (1 + np.exp(-x))).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    want = getattr(torch.ops.aten, name + "_backward")(torch.tensor(g), torch.tensor(y)).numpy()
    from ember.backends import cpu_kernels
    got = cpu_kernels.activation_grad(name + "_grad", g, y)
    if path == "native":
        np.testing.assert_array_equal(got, want)
    else:
        assert got is None
    check(lambda lib, x: getattr(lib, name)(x), [shape], noncontig=True)
    check(lambda lib, x: lib.autograd.grad(getattr(lib, name)(x).sum(), x,
                                                create_graph=True)[0], [shape])
