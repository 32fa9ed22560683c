"""Shape ops and views against torch: values, gradients, and storage sharing."""
import numpy as np
import pytest

from oracle import check, check_error, gradcheck, torch

import ember

VIEW_OPS = {
    "view": lambda lib, x: x.view(4, 6),
    "view_infer": lambda lib, x: x.view(-1, 3),
    "reshape": lambda lib, x: x.reshape(2, -1),
    "transpose": lambda lib, x: x.transpose(0, 2),
    "permute": lambda lib, x: x.permute(2, 0, 1),
    "expand": lambda lib, x: x[:, :1].expand(2, 5, 4),
    "squeeze": lambda lib, x: x[:, :1].squeeze(1),
    "squeeze_all": lambda lib, x: x[:1, :, :1].squeeze(),
    "unsqueeze": lambda lib, x: x.unsqueeze(-1),
    "unflatten": lambda lib, x: x.unflatten(2, (2, 2)),
    "narrow": lambda lib, x: x.narrow(1, 1, 2),
    "diagonal": lambda lib, x: x.diagonal(0, 1, 2),
    "t": lambda lib, x: x[0].t(),
    "slice": lambda lib, x: x[1:, ::2, 1:3],
    "select": lambda lib, x: x.select(1, -1),
    "flatten": lambda lib, x: x.flatten(1),
    "mT": lambda lib, x: x.mT,
    "movedim": lambda lib, x: lib.movedim(x, 0, -1),
    "swapaxes": lambda lib, x: lib.swapaxes(x, 0, 1),
    "as_strided": lambda lib, x: x.as_strided((3, 2), (4, 2), 5),
    "as_strided_of_slice": lambda lib, x: x[1:].as_strided((2, 3), (1, 4)),
    "unfold": lambda lib, x: x[:, 1:].unfold(2, 2, 1),
}


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_ops(name):
    fn = VIEW_OPS[name]
    check(fn, [(2, 3, 4)])
    if name not in ("view", "view_infer") and not name.startswith("as_strided"):
        check(fn, [(2, 3, 4)], noncontig=True)  # as_strided reads storage, not the layout
    gradcheck(fn, [(2, 3, 4)])


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_views_share_storage(name):
    fn = VIEW_OPS[name]
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    eb, tb = ember.tensor(a), torch.tensor(a)
    ev, tv = fn(ember, eb), fn(torch, tb)
    assert ev.stride() == tv.stride(), (ev.stride(), tv.stride())
    assert ev.storage_offset() == tv.storage_offset()
    assert ev.is_contiguous() == tv.is_contiguous()
    # a write through the view reaches the base
    if name != "expand":
        ev.view(-1)[0:1].fill_(-7.0) if ev.is_contiguous() and ev.ndim else \
            ev.__setitem__((0,) * ev.ndim, -7.0)
        tv.view(-1)[0:1].fill_(-7.0) if tv.is_contiguous() and tv.ndim else \
            tv.__setitem__((0,) * tv.ndim, -7.0)
        np.testing.assert_array_equal(eb.numpy(), tb.numpy())


def test_reshape_copies_only_when_needed():
    x = ember.arange(12.0).reshape(3, 4)
    assert x.reshape(4, 3).data_ptr() == x.data_ptr()
    y = x.t().reshape(12)
    assert y.data_ptr() != x.data_ptr()
    c = x.t()
    assert not c.is_contiguous() and c.contiguous().is_contiguous()
    assert x.contiguous() is x
    check_error(lambda lib: lib.arange(12.0).reshape(3, 4).t().view(12), RuntimeError)
    check_error(lambda lib: lib.ones(6).view(4, -1), RuntimeError)
    check_error(lambda lib: lib.ones(6).view(-1, -1), RuntimeError)


def test_view_grad_through_inplace_on_view():
    def fn(lib, x):
        y = x * 2
        v = y.view(-1)
        v[1:3].mul_(10)
        y.transpose(0, 1)[0].add_(1)
        return y
    check(fn, [(3, 4)])


def test_unbind_split_chunk():
    check(lambda lib, x: x.unbind(1), [(2, 3, 4)])
    check(lambda lib, x: lib.split(x, 2, dim=2), [(2, 3, 5)])
    check(lambda lib, x: lib.split(x, [1, 3, 1], dim=2), [(2, 3, 5)])
    check(lambda lib, x: x.chunk(3, 1), [(2, 5, 4)])
    check(lambda lib, x: x.chunk(4, 0), [(3, 2)])
    check(lambda lib, x: lib.tensor_split(x, 3, 1), [(2, 5)])
    check(lambda lib, x: lib.tensor_split(x, [1, 4], 1), [(2, 5)])
    parts = ember.arange(6.0).split(2)
    assert parts[1].storage_offset() == 2 and parts[1].data_ptr() != parts[0].data_ptr()
    gradcheck(lambda lib, x: x.split([1, 2], 0)[1] * 3, [(3, 2)])
    check_error(lambda lib: lib.ones(5).split([2, 2]), RuntimeError)
    check_error(lambda lib: lib.ones(5).chunk(0), RuntimeError)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cat_stack(dim):
    check(lambda lib, a, b: lib.cat([a, b], dim), [(2, 3), (2, 3)])
    check(lambda lib, a, b: lib.stack([a, b], dim), [(2, 3), (2, 3)])
    check(lambda lib, a, b: lib.cat((a, b), dim), [(2, 3), (2, 3)], noncontig=True)
    gradcheck(lambda lib, a, b: lib.stack([a, b], dim), [(2, 3), (2, 3)])
    gradcheck(lambda lib, a, b: lib.cat([a, b], dim), [(2, 3), (2, 3)])


def test_cat_mixed():
    check(lambda lib, a, b: lib.cat([a, b], 0), [(2, 3), (1, 3)])
    check(lambda lib, a, b: lib.cat([a, b.double()], 0), [(2, 3), (1, 3)])
    check(lambda lib, a, b: lib.cat([a, b], 0), [(2, 3), np.zeros((0,), np.float32)])
    check(lambda lib, a, b: lib.cat([a, b.long()], 1), [(2, 3), (2, 2)])
    check_error(lambda lib: lib.cat([lib.ones(2), lib.ones(3, 2)]), RuntimeError)
    check_error(lambda lib: lib.cat([lib.ones(2, 2), lib.ones(3, 3)], 1), RuntimeError)
    check_error(lambda lib: lib.cat([]), RuntimeError)
    check_error(lambda lib: lib.stack([lib.ones(2), lib.ones(3)]), RuntimeError)
    check_error(lambda lib: lib.cat([lib.ones(2)], dim=2), IndexError)


@pytest.mark.parametrize("op", ["hstack", "vstack", "dstack", "column_stack", "row_stack"])
@pytest.mark.parametrize("shapes", [[(3,), (3,)], [(2, 3), (2, 3)], [(), ()]])
def test_hvd_stack(op, shapes):
    if op == "column_stack" and shapes[0] == (2, 3):
        shapes = [(2, 3), (2, 1)]
    check(lambda lib, a, b: getattr(lib, op)([a, b]), shapes)


def test_copying_shape_ops():
    check(lambda lib, x: x.repeat(2, 1, 3), [(2, 3)])
    check(lambda lib, x: x.repeat(2, 2), [(2, 3)], noncontig=True)
    check(lambda lib, x: lib.tile(x, (2,)), [(2, 3)])
    check(lambda lib, x: x.flip(0, 1), [(2, 3)])
    check(lambda lib, x: lib.flip(x, (0, 1)), [(2, 3)])
    check(lambda lib, x: lib.flip(x, [-1]), [(2, 3)], noncontig=True)
    check(lambda lib, x: lib.fliplr(x), [(2, 3)])
    check(lambda lib, x: lib.roll(x, 1), [(2, 3)])
    check(lambda lib, x: lib.roll(x, (1, -2), (0, 1)), [(2, 3)])
    check(lambda lib, x: lib.roll(x, -1, 1), [(2, 3)])
    for k in (1, 2, 3, -1, 0):
        check(lambda lib, x: lib.rot90(x, k, (0, 1)), [(2, 3)])
    check(lambda lib, x: lib.rot90(x, 1, (1, 2)), [(2, 3, 4)])
    check(lambda lib, x: lib.repeat_interleave(x, 2), [(2, 3)])
    check(lambda lib, x: x.repeat_interleave(2, dim=1), [(2, 3)])
    check(lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=1), [(2, 3)])
    check(lambda lib: lib.repeat_interleave(lib.tensor([2, 0, 1])), [])
    for fn in (lambda lib, x: x.repeat(2, 3), lambda lib, x: lib.roll(x, 1, 0),
               lambda lib, x: lib.rot90(x), lambda lib, x: x.repeat_interleave(2, dim=0),
               lambda lib, x: x.flip(0)):
        gradcheck(fn, [(2, 3)])
    check_error(lambda lib: lib.ones(2, 3).repeat(2), RuntimeError)


def test_broadcast():
    check(lambda lib, a, b: lib.broadcast_tensors(a, b), [(3, 1), (1, 4)])
    check(lambda lib, a: lib.broadcast_to(a, (2, 3, 4)), [(3, 1)])
    assert ember.broadcast_shapes((3, 1), (4,)) == torch.broadcast_shapes((3, 1), (4,))
    e = ember.broadcast_to(ember.ones(3, 1), (3, 4))
    assert e.stride() == (1, 0)
    check_error(lambda lib: lib.broadcast_to(lib.ones(3), (2, 4)), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).expand(3, 3), RuntimeError)
    check_error(lambda lib: lib.broadcast_shapes((2,), (3,)), RuntimeError)


def test_zero_dim_and_empty():
    check(lambda lib, x: x.reshape(1, 1), [()])
    check(lambda lib, x: x.unsqueeze(0).squeeze(0), [()])
    check(lambda lib, x: x.flatten(), [()])
    check(lambda lib, x: x.view(0, 3).transpose(0, 1), [(0, 3)])
    check(lambda lib, x: x.permute(1, 0).reshape(-1), [(0, 3)])
    check(lambda lib, x: x.expand(2, 3), [()])


def test_shape_errors():
    check_error(lambda lib: lib.ones(2, 3).permute(0, 0), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).permute(0), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).transpose(0, 2), IndexError)
    check_error(lambda lib: lib.ones(2, 3, 4).t(), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).narrow(1, 2, 3), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).unflatten(1, (2, 2)), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).flatten(1, 0), RuntimeError)
    check_error(lambda lib: lib.ones(2, 3).select(1, 3), IndexError)
    check_error(lambda lib: lib.ones(2, 3).diagonal(0, 1, 1), RuntimeError)


def test_as_strided_views_report_their_storage_offset():
    a = np.arange(30, dtype=np.float32)
    for lib in (ember, torch):
        x = lib.tensor(a)
        v = x.as_strided((3, 3), (6, 1), 7)
        chained = v.as_strided((2,), (5,), 3)  # offsets are absolute in the storage
        got = [v.storage_offset(), chained.storage_offset(), chained.tolist(),
               x[4:].unfold(0, 3, 2).storage_offset(), x[2:].as_strided((2,), (1,)).storage_offset()]
        if lib is ember:
            mine = got
    assert mine == got == [7, 3, [3.0, 8.0], 4, 2]


def test_saved_as_strided_view_keeps_sharing_storage(tmp_path):
    x = ember.arange(10.0)
    ember.save([x, x.as_strided((2, 2), (2, 1), 3)], tmp_path / "v.pt")
    for lib in (ember, torch):
        y, w = lib.load(tmp_path / "v.pt")
        assert w.storage_offset() == 3
        w[0, 0] = 100.0
        assert y[3].item() == 100.0
