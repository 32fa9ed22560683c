"""Tensor methods beyond the core: new/put/map_/resize/nonzero_static/igamma ..."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember


def test_new():
    for lib in (torch, ember):
        x = lib.ones(2, dtype=lib.float64)
        assert x.new(3).shape == (3,) and x.new(3).dtype == lib.float64
        assert x.new([1, 2]).tolist() == [1.0, 2.0] and x.new([1, 2]).dtype == lib.float64
        assert x.new().shape == (0,)
        assert x.new(lib.Size([2, 2])).shape == (2, 2)


def test_put():
    idx = np.array([0, 5, 3])
    check(lambda lib, x, s: x.put(lib.tensor(idx), s), [(2, 3), (3,)])
    check(lambda lib, x, s: x.put(lib.tensor([1, 1, -1]), s, accumulate=True), [(2, 3), (3,)])
    check(lambda lib, x, s: (x * 1).put_(lib.tensor(idx), s), [(2, 3), (3,)], noncontig=True)
    check_error(lambda lib: lib.zeros(2, 3).put(lib.tensor([6]), lib.ones(1)), IndexError)


def test_map_and_map2():
    for lib in (torch, ember):
        b = lib.zeros(3)
        b.map_(lib.tensor([1.0, 2.0, 3.0]), lambda u, v: u + v * 2)
        assert b.tolist() == [2.0, 4.0, 6.0]
        c = lib.zeros(2, 2)
        c.map2_(lib.ones(2), lib.tensor([1.0, 2.0]), lambda u, v, w: u + v + w)
        assert c.tolist() == [[2.0, 3.0], [2.0, 3.0]]


def test_resize_and_narrow_copy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: x.resize(3, 4), [(2, 6)])
        check(lambda lib, x, y: x.resize_as(y), [(2, 6), (4, 3)])
        check_error(lambda lib: lib.ones(2, 6).resize(5), RuntimeError)
    with pytest.warns(UserWarning, match="non-inplace resize"):
        ember.ones(4).resize(2, 2)
    check(lambda lib, x: x.narrow_copy(1, 1, 2), [(3, 4)], noncontig=True)


def test_nonzero_static_and_is_nonzero():
    for x in ([0, 1, 0, 2], [[0, 1], [1, 1]]):
        for size, fill in ((4, -1), (2, 7), (0, -1)):
            assert_same(ember.tensor(x).nonzero_static(size=size, fill_value=fill),
                        torch.tensor(x).nonzero_static(size=size, fill_value=fill))
    assert ember.tensor([3]).is_nonzero() and not ember.tensor([0.0]).is_nonzero()
    check_error(lambda lib: lib.tensor([]).is_nonzero(), RuntimeError, "no values")
    check_error(lambda lib: lib.tensor([1, 2]).is_nonzero(), RuntimeError, "more than one")


def test_inplace_aliases():
    # PyTorch defines no derivative for the in-place inverse hyperbolics: values only
    check(lambda lib, x: (x * 1 + 2).arccosh_(), [(3, 4)], positive=True, grad=False)
    check(lambda lib, x: (x * 1).arcsinh_(), [(3, 4)], grad=False)
    check(lambda lib, x: (x * 0.3).arctanh_(), [(3, 4)], grad=False)
    check(lambda lib, x: (x * 1).polygamma_(1), [(3, 4)], positive=True)
    check(lambda lib, x, m, v: (x * 1).addmv_(m, v, beta=0.5, alpha=2), [(3,), (3, 4), (4,)])
    check(lambda lib, x, a, b: (x * 1).addbmm_(a, b), [(3, 5), (2, 3, 4), (2, 4, 5)])
    check(lambda lib, x, a, b: (x * 1).addr_(a, b, alpha=3), [(3, 4), (3,), (4,)])
    check(lambda lib, x: x.prelu(lib.tensor([0.25])), [(3, 4)])
    check(lambda lib, x: x.hardshrink(0.7), [(3, 4)])
    c = ember.tensor([1 + 2j, 3 - 1j])
    c.conj_physical_()
    assert c.tolist() == [1 - 2j, 3 + 1j]


def test_igamma():
    a = np.array([0.5, 1.0, 3.0, 7.5], np.float32)
    check(lambda lib, x: lib.igamma(lib.tensor(a), x), [(4,)], positive=True)
    check(lambda lib, x: lib.igammac(lib.tensor(a), x), [(4,)], positive=True)
    check(lambda lib, x: lib.tensor(a).igamma(x), [(2, 4)], positive=True)
    check(lambda lib, x: lib.tensor(a).clone().igammac_(x), [(4,)], positive=True)
    gradcheck(lambda lib, x: lib.igamma(lib.tensor([0.5, 2.0], dtype=lib.float64), x), [(2,)],
              positive=True)

    def both_grad(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        lib.igamma(x, lib.tensor([1.0, 2.0])).sum().backward()
    check_error(both_grad, NotImplementedError, "igamma: input")


def test_predicates_and_misc():
    x = ember.randn(2, 3)
    for name in ("is_mps", "is_xpu", "is_xla", "is_ipu", "is_vulkan", "is_mtia", "is_maia",
                 "is_sparse_csr"):
        assert getattr(x, name) is False and getattr(torch.randn(1), name) is False
    assert x.is_neg() is False and x.to_dense() is x
    assert x.to_dense(ember.float64).dtype is ember.float64
    assert x.const_data_ptr() == x.data_ptr()
    assert x.record_stream(None) is None
    with pytest.warns(UserWarning, match="volatile"):
        assert x.volatile is False
    y = ember.randn(3, requires_grad=True)
    assert y.output_nr == 0 and (y * 2).output_nr == 0


def test_as_subclass():
    class Mine(ember.Tensor):
        pass

    x = ember.randn(3, requires_grad=True)
    m = x.as_subclass(Mine)
    assert type(m) is Mine and m.requires_grad and m.data_ptr() == x.data_ptr()
    (m * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(TypeError):
        x.as_subclass(int)


def test_stft_methods():
    check(lambda lib, x: lib.view_as_real(x.stft(8, window=lib.hann_window(8),
                                                 return_complex=True)), [(40,)])
    s = ember.randn(64).stft(8, window=ember.hann_window(8), return_complex=True)
    y = s.istft(8, window=ember.hann_window(8), length=64)
    assert y.shape == (64,)
