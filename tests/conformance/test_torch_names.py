"""torch.* names real programs touch: in-place forms, nn.functional kernels at top level,
in-place shape methods, fill_diagonal_, resize_, bernoulli/multinomial methods, special."""
import pytest
from oracle import assert_same, check, ember, torch


@pytest.mark.parametrize("fn", [
    lambda lib: lib.relu_(lib.tensor([-1., 1.])),
    lambda lib: lib.sigmoid_(lib.tensor([0.])),
    lambda lib: lib.clamp_(lib.tensor([5.]), max=1),
    lambda lib: lib.exp_(lib.tensor([0.])),
    lambda lib: lib.zero_(lib.ones(2)),
    lambda lib: lib.fill(lib.ones(2), 3),
    lambda lib: lib.detach(lib.ones(1, requires_grad=True)),
    lambda lib: lib.conv2d(lib.ones(1, 1, 3, 3), lib.ones(1, 1, 2, 2)),
    lambda lib: lib.max_pool2d(lib.arange(16.).reshape(1, 1, 4, 4), 2),
    lambda lib: lib.dropout(lib.ones(2), 0.5, False),
    lambda lib: lib.batch_norm(lib.arange(6.).reshape(2, 3), None, None, None, None, True, 0.1,
                               1e-5, False),
    lambda lib: lib.selu(lib.ones(1)),
    lambda lib: lib.threshold(lib.tensor([1., 3.]), 2., 0.),
    lambda lib: lib.pixel_shuffle(lib.arange(16.).reshape(1, 4, 2, 2), 2),
    lambda lib: lib.cosine_similarity(lib.ones(2, 3), lib.arange(6.).reshape(2, 3)),
    lambda lib: lib.pdist(lib.tensor([[0., 0.], [3., 4.], [6., 8.]])),
    lambda lib: lib.index_put_(lib.zeros(3), (lib.tensor([1]),), lib.tensor(1.)),
    lambda lib: lib.special.round(lib.tensor([1.5, 2.5])),
    lambda lib: lib.special.i0e(lib.tensor([1., -2.])),
    lambda lib: lib.special.i1(lib.tensor([1.])),
    lambda lib: lib.special.zeta(lib.tensor([2.]), lib.tensor([1.])),
    lambda lib: lib.special.gammainc(lib.tensor([1.]), lib.tensor([2.])),
    lambda lib: lib.special.bessel_j0(lib.tensor([1.])),
    lambda lib: lib.ones(2, 3).unsqueeze_(0),
    lambda lib: lib.ones(1, 3).squeeze_(),
    lambda lib: lib.arange(6.).view(2, 3).t_(),
    lambda lib: lib.arange(6.).view(2, 3).transpose_(0, 1),
    lambda lib: lib.arange(6.).resize_(3, 2),
    lambda lib: lib.arange(4.).resize_as_(lib.ones(2, 2)),
    lambda lib: lib.zeros(3, 3).fill_diagonal_(5),
    lambda lib: lib.zeros(7, 3).fill_diagonal_(5, wrap=True),
    lambda lib: lib.ones(2, 3).is_signed(),
    lambda lib: lib.tensor([0., 1.]).multinomial(1),
    lambda lib: lib.tensor([0., 1.]).bernoulli(),
])
def test_namespace_forms(fn):
    assert_same(fn(ember), fn(torch))


def test_inplace_shape_ops_keep_autograd():
    def fn(lib, x):
        y = x * 2
        y.unsqueeze_(0)
        y.t_()
        return y
    check(fn, [(3,)])


def test_fill_diagonal_grad():
    def fn(lib, x):
        y = x * 1
        y.fill_diagonal_(0.5)
        return y
    check(fn, [(3, 3)])
