"""More top-level names: method forwards, convolution / padding, the native_* normalizations
and dropout, functional RNN cells, in-place dropout forms, strided construction and scatter,
set_ / is_set_to, histogramdd, deprecated norms and removed functions."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, rand_array, torch

import ember


# ---------------------------------------------------------------- forwards of Tensor methods
def test_method_forwards():
    check(lambda lib, x: lib.put(x, lib.tensor([0, 5, -1]), lib.tensor([9., 8., 7.])), [(2, 3)])
    check(lambda lib, x: lib.put(x, lib.tensor([0, 0]), lib.tensor([1., 2.]), accumulate=True),
          [(2, 3)])
    check(lambda lib, x: lib.split_with_sizes(x, [1, 3], 1), [(2, 4)], noncontig=True)
    check(lambda lib, x: lib.nonzero_static(x > 0, size=5), [(2, 3)], grad=False)
    check(lambda lib, x: lib.nonzero_static(x > 0, size=1, fill_value=7), [(2, 3)], grad=False)
    check(lambda lib, x: lib.resolve_neg(x) * 2, [(3,)])
    for lib in (torch, ember):
        x = lib.ones(2)
        assert lib.is_conj(x) is False and lib.is_neg(x) is False
        assert lib.conj_physical_(x) is x
    check(lambda lib, y, m, v: lib.addmv_(y.detach().clone(), m, v, beta=2, alpha=3),
          [(3,), (3, 2), (2,)], grad=False)
    check(lambda lib, x: lib.as_strided_(x.detach().clone(), (2, 2), (3, 1), 1), [(9,)],
          grad=False)
    for lib in (torch, ember):
        a = lib.zeros(2, 3)
        assert lib.resize_as_(a, lib.zeros(3, 2)) is a and tuple(a.shape) == (3, 2)


# ---------------------------------------------------------------- convolution / padding
@pytest.mark.parametrize("case", [
    ((2, 3, 9), (4, 3, 3), [2], [1], [1], False, [0], 1),
    ((1, 4, 6, 5), (6, 2, 3, 2), [1, 2], [1, 0], [2, 1], False, [0, 0], 2),
    ((1, 2, 4, 4, 3), (3, 2, 2, 2, 2), [1, 1, 1], [0, 1, 0], [1, 1, 1], False, [0, 0, 0], 1),
    ((2, 4, 5), (4, 3, 3), [2], [1], [1], True, [1], 1),
    ((1, 4, 3, 4), (4, 1, 3, 3), [2, 1], [1, 1], [1, 1], True, [1, 0], 2),
])
def test_convolution(case):
    xs, ws, stride, pad, dil, tr, opad, groups = case
    check(lambda lib, x, w, b: lib.convolution(x, w, b, stride, pad, dil, tr, opad, groups),
          [xs, ws, (ws[1] * groups if tr else ws[0],)], atol=1e-4)
    check(lambda lib, x, w: lib.convolution(x, w, None, stride, pad, dil, tr, opad, groups),
          [xs, ws], atol=1e-4)


def test_convolution_gradcheck():
    gradcheck(lambda lib, x, w, b: lib.convolution(x, w, b, [1, 2], [1, 0], [1, 1], False,
                                                   [0, 0], 1), [(1, 2, 4, 5), (3, 2, 2, 2), (3,)])


def test_conv_tbc():
    check(lambda lib, x, w, b: lib.conv_tbc(x, w, b, 1), [(6, 2, 3), (3, 3, 4), (4,)], atol=1e-4)
    check_error(lambda lib: lib.conv_tbc(lib.ones(6, 2, 3), lib.ones(3, 2, 4), lib.ones(4)))


def test_constant_pad_nd():
    check(lambda lib, x: lib.constant_pad_nd(x, [1, 2], 3.0), [(2, 3)], noncontig=True)
    check(lambda lib, x: lib.constant_pad_nd(x, [-1, 2, 0, 1]), [(2, 3, 4)])
    check(lambda lib, x: lib.constant_pad_nd(x, [1, 1, 2, 0, 1, 1], -1.5), [(2, 3, 4)])
    check(lambda lib, x: lib.constant_pad_nd(x, [1, 2]), [(4,)], dtype="int64", grad=False)
    gradcheck(lambda lib, x: lib.constant_pad_nd(x, [1, -1, 2, 0]), [(3, 4)])
    check_error(lambda lib: lib.constant_pad_nd(lib.ones(2, 2), [1, 2, 3]))


def test_grid_sampler_and_affine_grid_generator():
    theta = rand_array((2, 2, 3), seed=3) * 0.5
    check(lambda lib, t: lib.affine_grid_generator(t, [2, 1, 3, 4], False), [theta])
    grid = rand_array((1, 3, 2, 2), seed=4) * 0.9
    for interp, padm in ((0, 0), (1, 1), (0, 2)):
        check(lambda lib, x, g: lib.grid_sampler(x, g, interp, padm, True),
              [(1, 2, 4, 5), grid], grad=interp == 0)
        check(lambda lib, x, g: lib.grid_sampler_2d(x, g, interp, padm, False),
              [(1, 2, 4, 5), grid], grad=False)


def test_channel_shuffle_and_norm_except_dim():
    check(lambda lib, x: lib.native_channel_shuffle(x, 2), [(2, 4, 3)], grad=False)
    for p, d in ((2, 0), (2, 1), (3, 1), (2, -1), (1, 2)):
        check(lambda lib, x: lib.norm_except_dim(x, p, d), [(2, 3, 4)])
    gradcheck(lambda lib, x: lib.norm_except_dim(x, 2, 1), [(3, 4)])


# ---------------------------------------------------------------- native_* normalizations
@pytest.mark.parametrize("shape,norm", [((3, 4), [4]), ((2, 3, 4), [3, 4]), ((5, 6), [6])])
def test_native_layer_norm(shape, norm):
    n = int(np.prod(norm))
    w = rand_array(tuple(norm), seed=7)
    check(lambda lib, x, w, b: lib.native_layer_norm(x, norm, w, b, 1e-5),
          [shape, w, tuple(norm)])
    check(lambda lib, x: lib.native_layer_norm(x, norm, None, None, 1e-3), [shape],
          noncontig=True)
    check(lambda lib, x: lib.native_layer_norm(x, norm, None, None, 1e-5), [shape],
          dtype="float64")
    assert n > 0
    gradcheck(lambda lib, x, w: lib.native_layer_norm(x, norm, w, None, 1e-5)[0],
              [shape, tuple(norm)])
    out = ember.native_layer_norm(ember.ones(shape, requires_grad=True), norm, None, None, 1e-5)
    assert out[0].requires_grad and not out[1].requires_grad and not out[2].requires_grad


@pytest.mark.parametrize("training", [True, False])
def test_native_batch_norm(training):
    res = {}
    for lib in (torch, ember):
        x = lib.tensor(rand_array((4, 3, 5), seed=1), requires_grad=True)
        w = lib.tensor(rand_array((3,), seed=2), requires_grad=True)
        b = lib.tensor(rand_array((3,), seed=3), requires_grad=True)
        rm, rv = lib.zeros(3), lib.ones(3)
        out = lib.native_batch_norm(x, w, b, rm, rv, training, 0.1, 1e-5)
        (out[0] * lib.arange(60.).reshape(4, 3, 5)).sum().backward()
        res[lib] = (out, rm, rv, x.grad, w.grad, b.grad)
    assert_same(res[ember], res[torch], atol=1e-5)
    check(lambda lib, x: lib.native_batch_norm(x, None, None, None, None, True, 0.1, 1e-5),
          [(3, 2, 2, 2)], dtype="float64")


def test_native_group_norm():
    check(lambda lib, x, w, b: lib.native_group_norm(x, w, b, 2, 6, 5, 3, 1e-5),
          [(2, 6, 5), (6,), (6,)], atol=1e-5)
    check(lambda lib, x: lib.native_group_norm(x, None, None, 3, 4, 6, 2, 1e-5),
          [(3, 4, 2, 3)], atol=1e-5)
    gradcheck(lambda lib, x: lib.native_group_norm(x, None, None, 2, 4, 3, 2, 1e-5)[0],
              [(2, 4, 3)])
    gradcheck(lambda lib, x: lib.native_group_norm(x, None, None, 2, 4, 3, 2, 1e-5)[2],
              [(2, 4, 3)])


def test_native_dropout():
    for lib in (torch, ember):
        x = lib.ones(200, 50, requires_grad=True)
        out, mask = lib.native_dropout(x, 0.4, True)
        assert mask.dtype == lib.bool and tuple(mask.shape) == (200, 50)
        vals = out.detach().numpy()
        keep = mask.numpy()
        np.testing.assert_allclose(vals[keep], 1 / 0.6, rtol=1e-6)
        assert np.all(vals[~keep] == 0) and 0.5 < keep.mean() < 0.7
        out.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), vals, rtol=1e-6)
    check(lambda lib, x: lib.native_dropout(x, 0.5, False), [(3, 4)])
    for lib in (torch, ember):
        out, mask = lib.native_dropout(lib.ones(10), 1.0, True)
        assert not mask.any() and (out == 0).all()


def test_inplace_dropout_forms():
    for lib in (torch, ember):
        x = lib.ones(64, 8, 5)
        assert lib.feature_dropout_(x, 0.5, True) is x
        v = x.numpy()
        assert np.all((v == 0) | (v == 2)) and np.all(v.std(axis=2) == 0)  # whole channels
        x = lib.ones(64, 8)
        lib.feature_dropout_(x, 0.5, True)
        assert 0 < (x == 0).sum() < 64 * 8  # 2-D input: per element
        y = lib.ones(64, 8, 5)
        assert lib.feature_alpha_dropout_(y, 0.5, True) is y
        assert np.all(y.numpy().std(axis=2) < 1e-6)
        z = lib.ones(2000)
        assert lib.alpha_dropout_(z, 0.2, True) is z
        assert len(np.unique(np.round(z.numpy(), 4))) == 2
        w = lib.ones(5)
        assert lib.alpha_dropout_(w, 0.2, False) is w and bool((w == 1).all())
        r = -lib.ones(1000)
        assert lib.rrelu_(r, 0.1, 0.3, True) is r
        assert r.min() >= -0.3 and r.max() <= -0.1
        r = -lib.ones(3)
        lib.rrelu_(r, 0.1, 0.3, False)
        np.testing.assert_allclose(r.numpy(), -0.2, rtol=1e-6)
    check(lambda lib, x: lib.feature_dropout(x, 0.3, False), [(3, 4)])
    check(lambda lib, x: lib.feature_alpha_dropout(x, 0.3, False), [(3, 4, 2)])
    check_error(lambda lib: lib.feature_dropout_(lib.ones(2, 2), 1.5, True))


# ---------------------------------------------------------------- functional RNN cells
@pytest.mark.parametrize("bias", [True, False])
def test_rnn_cells(bias):
    H, I, B = 5, 4, 3

    def shapes(g):
        return [(B, I), (B, H), (g * H, I), (g * H, H)] + ([(g * H,), (g * H,)] if bias else [])

    def bs(rest):
        return rest if bias else (None, None)

    check(lambda lib, x, h, wi, wh, *r: lib.rnn_tanh_cell(x, h, wi, wh, *bs(r)), shapes(1),
          atol=1e-5)
    check(lambda lib, x, h, wi, wh, *r: lib.rnn_relu_cell(x, h, wi, wh, *bs(r)), shapes(1),
          atol=1e-5)
    check(lambda lib, x, h, wi, wh, *r: lib.gru_cell(x, h, wi, wh, *bs(r)), shapes(3),
          atol=1e-5)
    check(lambda lib, x, h, c, wi, wh, *r: lib.lstm_cell(x, (h, c), wi, wh, *bs(r)),
          [(B, I), (B, H), (B, H), (4 * H, I), (4 * H, H)] +
          ([(4 * H,), (4 * H,)] if bias else []), atol=1e-5)


def test_rnn_cells_gradcheck_and_errors():
    gradcheck(lambda lib, x, h, c, wi, wh: lib.lstm_cell(x, (h, c), wi, wh)[1],
              [(2, 3), (2, 2), (2, 2), (8, 3), (8, 2)])
    gradcheck(lambda lib, x, h, wi, wh, b: lib.gru_cell(x, h, wi, wh, b, b),
              [(2, 3), (2, 2), (6, 3), (6, 2), (6,)])
    x, h = (3, 4), (3, 5)
    check_error(lambda lib: lib.lstm_cell(lib.ones(*x), (lib.ones(*h),), lib.ones(20, 4),
                                          lib.ones(20, 5)), RuntimeError, "two hidden states")
    check_error(lambda lib: lib.lstm_cell(lib.ones(*x), (lib.ones(*h), lib.ones(*h)),
                                          lib.ones(20, 3), lib.ones(20, 5)), RuntimeError,
                "inconsistent input_size")
    check_error(lambda lib: lib.gru_cell(lib.ones(*x), lib.ones(*h), lib.ones(20, 4),
                                         lib.ones(20, 5)), RuntimeError, "3 \\* hidden_size")
    check_error(lambda lib: lib.rnn_tanh_cell(lib.ones(*x), lib.ones(2, 5), lib.ones(5, 4),
                                              lib.ones(5, 5)), RuntimeError, "batch size")
    check_error(lambda lib: lib.rnn_relu_cell(lib.ones(4), lib.ones(5), lib.ones(5, 4),
                                              lib.ones(5, 5)), IndexError)


# ---------------------------------------------------------------- strided construction / scatter
def test_empty_permuted():
    for lib in (torch, ember):
        t = lib.empty_permuted((2, 3, 4), (0, 2, 1))
        assert tuple(t.shape) == (2, 3, 4) and t.stride() == (12, 1, 3)
        t = lib.empty_permuted((2, 3, 4, 5), (0, 2, 3, 1), dtype=lib.float64,
                               requires_grad=True)
        assert t.stride() == (60, 1, 15, 3) and t.dtype == lib.float64 and t.is_leaf
        assert t.requires_grad


def test_new_empty_strided():
    for lib in (torch, ember):
        t = lib.zeros(2, dtype=lib.float64).new_empty_strided((2, 3), (1, 2))
        assert t.stride() == (1, 2) and t.dtype == lib.float64
        t = lib.zeros(2).new_empty_strided((2, 3), (3, 1), dtype=lib.int64)
        assert t.dtype == lib.int64 and t.stride() == (3, 1)


def _scatter_check(fn, shapes):
    """Forward and src gradient against torch; input gradient against the mathematics
    (torch 2.13 sends the region's gradient to ``input`` instead of to everything else)."""
    check(fn, shapes, grad=False)
    xa, sa = rand_array(shapes[0], seed=1), rand_array(shapes[1], seed=2)
    grads = {}
    for lib in (torch, ember):
        x = lib.tensor(xa, requires_grad=True)
        s = lib.tensor(sa, requires_grad=True)
        out = fn(lib, x, s)
        g = lib.tensor(rand_array(tuple(out.shape), seed=3))
        out.backward(g)
        grads[lib] = (s.grad, x.grad, g)
    assert_same(grads[ember][0], grads[torch][0])
    ones = ember.ones(shapes[1])
    region = fn(ember, ember.zeros(shapes[0]), ones)  # 1 where src lands
    expected = grads[ember][2] * (1 - region)
    if tuple(expected.shape) != tuple(grads[ember][1].shape):  # fn transposed its input
        expected = expected.t()
    np.testing.assert_allclose(grads[ember][1].numpy(), expected.numpy(), rtol=1e-6)


def test_as_strided_scatter():
    _scatter_check(lambda lib, x, s: lib.as_strided_scatter(x, s, (2, 2), (3, 1), 1),
                   [(9,), (2, 2)])
    _scatter_check(lambda lib, x, s: lib.as_strided_scatter(x, s, (2,), (4,)), [(3, 4), (2,)])
    _scatter_check(lambda lib, x, s: x.as_strided_scatter(s, (3, 2), (1, 3), 2),
                   [(4, 3), (3, 2)])
    # a transposed input keeps its layout: positions are read in its storage order
    check(lambda lib, x, s: lib.as_strided_scatter(x.t(), s, (2,), (1,), 1),
          [(3, 4), (2,)], grad=False)
    gradcheck(lambda lib, x, s: lib.as_strided_scatter(x, s, (2, 2), (1, 2), 1),
              [(2, 4), (2, 2)])
    check_error(lambda lib: lib.as_strided_scatter(lib.zeros(9), lib.ones(3), (2,), (1,), 0),
                RuntimeError, "src to have a size")
    check_error(lambda lib: lib.as_strided_scatter(lib.zeros(4), lib.ones(3), (3,), (2,), 0))


def test_set_and_is_set_to():
    for lib in (torch, ember):
        a = lib.arange(6.)
        b = lib.zeros(2)
        assert b.set_(a) is b and tuple(b.shape) == (6,)
        assert b.is_set_to(a) and a.is_set_to(b) and not b.is_set_to(a[1:])
        b[0] = 100
        assert a[0].item() == 100
        c = lib.zeros(3)
        c.set_(a.untyped_storage(), 1, (2, 2), (2, 1))
        assert c.tolist() == [[1, 2], [3, 4]] and c.stride() == (2, 1)
        assert c.storage_offset() == 1
        c.set_()
        assert tuple(c.shape) == (0,)
        d = lib.zeros(1)
        d.set_(a.untyped_storage())
        assert d.tolist() == [100, 1, 2, 3, 4, 5]
        q = lib.arange(6.)
        q.set_(q.untyped_storage(), 0, (3,), (2,))
        assert q.tolist() == [0, 2, 4] and not q.is_contiguous()
    check_error(lambda lib: lib.zeros(3, dtype=lib.float64).set_(lib.arange(6.)),
                RuntimeError, "Could not set tensor of type float to a tensor of type double")
    check_error(lambda lib: lib.zeros(3, requires_grad=True).set_(lib.arange(6.)),
                RuntimeError, "leaf Variable")
    # PyTorch grows the storage here; Ember's storages cannot grow, so it refuses.
    with pytest.raises(RuntimeError, match="out of bounds"):
        ember.zeros(3).set_(ember.arange(6.).untyped_storage(), 4, (2, 2), (2, 1))


def test_tensor_lu_module_load_and_removed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, a: a.lu(), [(3, 3)], grad=False)
        check(lambda lib, a: a.lu(get_infos=True), [(2, 4, 4)], grad=False)
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        ember.eye(2).lu()
    for lib in (torch, ember):
        p = lib.zeros(3)
        out = p.module_load(lib.ones(3))
        assert out is not p and out.tolist() == [1, 1, 1] and p.tolist() == [1, 1, 1]
        src = lib.full((3,), 2.0, requires_grad=True)
        out = p.module_load(src, assign=True)
        assert out is not src and not out.requires_grad and out.tolist() == [2, 2, 2]
        assert lib.zeros(2, 3).dense_dim() == 2 and lib.zeros(2).sparse_dim() == 0
    for name, args in (("lstsq", 2), ("solve", 2), ("eig", 1), ("symeig", 1),
                       ("matrix_rank", 1)):
        check_error(lambda lib: getattr(lib, name)(*[lib.eye(2)] * args), RuntimeError,
                    "deprecated since version 1.9")
    for name in ("lstsq", "solve", "eig", "symeig"):
        check_error(lambda lib: getattr(lib.eye(2), name)(lib.eye(2)) if name in (
            "lstsq", "solve") else getattr(lib.eye(2), name)(), RuntimeError, "removed")
    check_error(lambda lib: lib.ones(2).reinforce(1), RuntimeError, "reinforce")


# ---------------------------------------------------------------- deprecated norms
def test_frobenius_and_nuclear_norm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: lib.frobenius_norm(x, [0, 1]), [(2, 3)])
        check(lambda lib, x: lib.frobenius_norm(x, [1], True), [(2, 3)], noncontig=True)
        check(lambda lib, x: lib.frobenius_norm(x, [-1, 0]), [(2, 3, 4)])
        check(lambda lib, x: lib.nuclear_norm(x), [(3, 3)], atol=1e-5)
        check(lambda lib, x: lib.nuclear_norm(x, True), [(3, 2)], atol=1e-5)
        check(lambda lib, x: lib.nuclear_norm(x, [1, 2], True), [(2, 3, 4)], atol=1e-5)
        check(lambda lib, x: lib.nuclear_norm(x), [(2, 3, 3)], atol=1e-5)
        gradcheck(lambda lib, x: lib.nuclear_norm(x, [0, 1]), [(3, 2)])
        check_error(lambda lib: lib.frobenius_norm(lib.ones(2, 2, 2), [0, 1, 2]))
    with pytest.warns(UserWarning, match="deprecated"):
        ember.frobenius_norm(ember.ones(2, 2), [0, 1])


# ---------------------------------------------------------------- histogramdd
def test_histogramdd():
    pts = np.array([[0., 1.], [1., 0.], [2., 0.], [2., 2.], [0.4, 1.7]], np.float32)
    w = np.array([1., 2., 4., 8., 3.], np.float32)
    check(lambda lib, x, w: lib.histogramdd(x, bins=[3, 4], weight=w), [pts, w], grad=False)
    check(lambda lib, x: lib.histogramdd(x, bins=2, range=[0., 1., 0., 1.], density=True),
          [pts], grad=False)
    check(lambda lib, x: lib.histogramdd(x, bins=[lib.tensor([0., 1., 2.5]),
                                                  lib.tensor([-1., 0.5, 3.])]), [pts],
          grad=False)
    check(lambda lib, x: lib.histogramdd(x, bins=3), [(4, 5, 3)], grad=False)
    check(lambda lib, x: lib.histogramdd(x, bins=2),
          [np.array([[0.5, 0.5, 0.5]], np.float64)], grad=False)
    r = ember.histogramdd(ember.tensor(pts), bins=2)
    assert type(r).__name__ == "histogramdd" and len(r.bin_edges) == 2
    check_error(lambda lib: lib.histogramdd(lib.ones(3, 2, dtype=lib.int64), bins=2),
                NotImplementedError)
    check_error(lambda lib: lib.histogramdd(lib.ones(3, 2), bins=[2, 2, 2]), RuntimeError)
