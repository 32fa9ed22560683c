"""Vision modules: reprs, state_dict keys, padding layers, conv padding modes, batch/instance
norm modules in train and eval mode."""
import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch, ember


def _same_module(make, *shapes, train=True, steps=2, **kw):
    """Build the module in both libs with torch's weights; compare outputs, grads, buffers."""
    tm = make(torch)
    em = make(ember)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    tm.train(train)
    em.train(train)
    for step in range(steps):
        check(lambda lib, *xs: (tm if lib is torch else em)(*xs), list(shapes), seed=step, **kw)
    for (k, a), (k2, b) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert k == k2
        assert_same(a, b, what=k)
    for (k, a), (_, b) in zip(em.named_parameters(), tm.named_parameters()):
        if b.grad is not None:
            assert_same(a.grad, b.grad, what=f"grad of {k}", rtol=1e-4, atol=1e-4)
    return tm, em


REPRS = [
    lambda nn: nn.Conv2d(3, 4, 3),
    lambda nn: nn.Conv2d(3, 4, (3, 2), stride=2, padding=1, dilation=2, bias=False,
                         padding_mode="reflect"),
    lambda nn: nn.Conv1d(2, 4, 3, padding="same"),
    lambda nn: nn.Conv3d(2, 4, 3, groups=2),
    lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1),
    lambda nn: nn.MaxPool2d(2), lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True),
    lambda nn: nn.AvgPool1d(3), lambda nn: nn.AvgPool2d(2), lambda nn: nn.AvgPool3d(2),
    lambda nn: nn.AdaptiveAvgPool2d((1, None)), lambda nn: nn.AdaptiveMaxPool2d(3),
    lambda nn: nn.LPPool2d(2, 3), lambda nn: nn.LPPool1d(2, 3), lambda nn: nn.MaxUnpool2d(2),
    lambda nn: nn.BatchNorm2d(4),
    lambda nn: nn.BatchNorm1d(3, affine=False, momentum=None, track_running_stats=False),
    lambda nn: nn.InstanceNorm2d(3),
    lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True),
    lambda nn: nn.Upsample(scale_factor=2), lambda nn: nn.UpsamplingBilinear2d(size=3),
    lambda nn: nn.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
    lambda nn: nn.PixelShuffle(2), lambda nn: nn.PixelUnshuffle(2),
    lambda nn: nn.ChannelShuffle(2), lambda nn: nn.Fold((4, 5), 2),
    lambda nn: nn.Unfold(2, padding=1), lambda nn: nn.ZeroPad2d(1),
    lambda nn: nn.ConstantPad1d((1, 2), 3.5), lambda nn: nn.ReflectionPad2d(2),
    lambda nn: nn.ReplicationPad3d(1), lambda nn: nn.CircularPad2d(1),
    lambda nn: nn.ConstantPad3d(1, 0.0),
]


@pytest.mark.parametrize("make", REPRS)
def test_repr_and_state_dict(make):
    t, e = make(torch.nn), make(ember.nn)
    assert repr(e) == repr(t)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    for (k, a), (_, b) in zip(e.state_dict().items(), t.state_dict().items()):
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype)[-5:] == str(b.dtype)[-5:], k


def test_conv_init_statistics():
    w = ember.nn.Conv2d(16, 32, 3).weight.detach().numpy()
    bound = 1 / np.sqrt(16 * 9)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv_padding_modes(mode):
    _same_module(lambda lib: lib.nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode=mode),
                 (2, 3, 6, 7))
    _same_module(lambda lib: lib.nn.Conv1d(3, 4, 4, padding="same", padding_mode=mode),
                 (2, 3, 7))


def test_conv_transpose_module_output_size():
    _same_module(lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), (2, 3, 4, 5))
    tm = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    em = ember.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    x = np.random.randn(1, 3, 4, 5).astype(np.float32)
    assert tuple(em(ember.tensor(x), output_size=[8, 10]).shape) == \
        tuple(tm(torch.tensor(x), output_size=[8, 10]).shape)
    check_error(lambda lib: lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(lib.randn(1, 3, 4, 5),
                                                                       output_size=[20, 20]))


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm2d_train_eval(momentum, affine):
    mk = lambda lib: lib.nn.BatchNorm2d(3, momentum=momentum, affine=affine)  # noqa: E731
    tm, em = _same_module(mk, (4, 3, 5, 5), steps=3)
    assert int(em.num_batches_tracked) == 3
    tm.eval()
    em.eval()
    check(lambda lib, x: (tm if lib is torch else em)(x), [(4, 3, 5, 5)], seed=7)


def test_batchnorm_1d_3d_and_no_tracking():
    _same_module(lambda lib: lib.nn.BatchNorm1d(4), (8, 4))
    _same_module(lambda lib: lib.nn.BatchNorm1d(4, track_running_stats=False), (8, 4, 5))
    _same_module(lambda lib: lib.nn.BatchNorm3d(2), (2, 2, 3, 4, 3), noncontig=True)
    _same_module(lambda lib: lib.nn.BatchNorm2d(3).double(), (4, 3, 5, 5), dtype="float64")
    tm, em = _same_module(lambda lib: lib.nn.BatchNorm2d(3, track_running_stats=False),
                          (4, 3, 2, 2), train=False)


def test_instancenorm():
    _same_module(lambda lib: lib.nn.InstanceNorm2d(3), (2, 3, 4, 5))
    tm, em = _same_module(lambda lib: lib.nn.InstanceNorm2d(3, affine=True,
                                                            track_running_stats=True),
                          (2, 3, 4, 5))
    tm.eval()
    em.eval()
    check(lambda lib, x: (tm if lib is torch else em)(x), [(2, 3, 4, 5)], seed=3)
    _same_module(lambda lib: lib.nn.InstanceNorm1d(3, affine=True), (3, 6))   # unbatched
    _same_module(lambda lib: lib.nn.InstanceNorm3d(2), (2, 2, 3, 3, 3))
    gradcheck(lambda lib, x, w, b: ember.nn.functional.instance_norm(x, weight=w, bias=b),
              [(2, 3, 4), (3,), (3,)])


@pytest.mark.parametrize("cls,pad,shape", [
    ("ZeroPad2d", (1, 2, 0, 1), (2, 3, 4, 4)), ("ConstantPad1d", 2, (2, 3, 4)),
    ("ReflectionPad1d", (1, 2), (2, 3, 5)), ("ReflectionPad2d", 2, (2, 3, 4, 5)),
    ("ReplicationPad2d", (1, 0, 2, 1), (2, 3, 4, 5)), ("ReplicationPad3d", 1, (1, 2, 3, 3, 3)),
    ("CircularPad2d", 1, (2, 3, 4, 5)), ("ZeroPad3d", 1, (1, 2, 2, 3, 2)),
])
def test_padding_modules(cls, pad, shape):
    args = (pad, 1.5) if cls.startswith("Constant") else (pad,)
    check(lambda lib, x: getattr(lib.nn, cls)(*args)(x), [shape])


def test_errors():
    check_error(lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2))
    check_error(lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2))
    check_error(lambda lib: lib.nn.Conv2d(4, 4, 3, padding_mode="bogus"))
    check_error(lambda lib: lib.nn.Conv2d(4, 4, 3, stride=2, padding="same"))
    check_error(lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"))
    check_error(lambda lib: lib.nn.BatchNorm2d(3)(lib.randn(2, 3, 4)))
    check_error(lambda lib: lib.nn.BatchNorm1d(3)(lib.randn(1, 3)))
    check_error(lambda lib: lib.nn.InstanceNorm2d(3)(lib.randn(2, 3, 1, 1)))
    check_error(lambda lib: lib.nn.functional.batch_norm(lib.randn(2, 3), lib.zeros(4),
                                                         lib.ones(4)))
