"""``torch.signal.windows`` and ``torch.quasirandom.SobolEngine`` against torch."""
import numpy as np
import pytest

from oracle import assert_same, torch

import ember
import ember.signal.windows as ew
import torch.signal.windows as tw
from ember.quasirandom import SobolEngine as ESobol
from torch.quasirandom import SobolEngine as TSobol

WINDOW_KWARGS = {
    "bartlett": [{}], "blackman": [{}], "cosine": [{}], "hamming": [{}], "hann": [{}],
    "nuttall": [{}], "exponential": [{}, {"tau": 2.5}], "gaussian": [{}, {"std": 3.3}],
    "general_cosine": [{"a": [0.5, 0.5]}, {"a": (0.3, 0.4, 0.3)}],
    "general_hamming": [{}, {"alpha": 0.6}], "kaiser": [{}, {"beta": 0.0}, {"beta": 5.0}],
}


@pytest.mark.parametrize("name", sorted(WINDOW_KWARGS))
@pytest.mark.parametrize("M", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("sym", [True, False])
def test_windows_match_torch(name, M, sym):
    for kw in WINDOW_KWARGS[name]:
        for dt in ("float32", "float64"):
            e = getattr(ew, name)(M, sym=sym, dtype=getattr(ember, dt), **kw)
            t = getattr(tw, name)(M, sym=sym, dtype=getattr(torch, dt), **kw)
            assert_same(e, t, rtol=1e-6 if dt == "float32" else 1e-12, atol=2e-7 if dt ==
                        "float32" else 1e-14)


def test_window_defaults_and_factory_keywords():
    assert sorted(ew.__all__) == sorted(tw.__all__)
    assert_same(ew.hann(9), tw.hann(9))  # default dtype
    assert_same(ew.exponential(6, center=1.5, sym=False), tw.exponential(6, center=1.5,
                                                                          sym=False))
    w = ew.kaiser(5, requires_grad=True, device="cpu", layout=ember.strided)
    assert w.requires_grad and w.is_leaf and w.device.type == "cpu"
    (w * 2).sum().backward()
    assert w.grad.tolist() == [2.0] * 5
    ember.set_default_dtype(ember.float64)
    try:
        assert ew.gaussian(4).dtype is ember.float64
    finally:
        ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("call", [
    lambda w, lib: w.gaussian(-1),
    lambda w, lib: w.gaussian(5, std=0),
    lambda w, lib: w.exponential(5, center=1.0),
    lambda w, lib: w.exponential(5, tau=0),
    lambda w, lib: w.kaiser(5, beta=-1),
    lambda w, lib: w.gaussian(5, dtype=lib.int64),
    lambda w, lib: w.hann(5, dtype=lib.float16),
    lambda w, lib: w.blackman(5, dtype=lib.float16),
    lambda w, lib: w.cosine(4, layout=lib.sparse_coo),
    lambda w, lib: w.general_cosine(5, a=3),
    lambda w, lib: w.general_cosine(5, a=[]),
])
def test_window_errors_match_torch(call):
    with pytest.raises(Exception) as te:
        call(tw, torch)
    with pytest.raises(type(te.value)) as ee:
        call(ew, ember)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("dim", [1, 2, 7, 64, 1024])
def test_sobol_unscrambled_equals_torch(dim):
    e, t = ESobol(dim), TSobol(dim)
    assert np.array_equal(e.sobolstate.numpy(), t.sobolstate.numpy())
    assert_same(e.draw(1), t.draw(1), rtol=0, atol=0)
    assert_same(e.draw(37), t.draw(37), rtol=0, atol=0)
    e.fast_forward(5)
    t.fast_forward(5)
    assert_same(e.draw(9, dtype=ember.float64), t.draw(9, dtype=torch.float64), rtol=0, atol=0)
    e.reset()
    t.reset()
    e.fast_forward(3)
    t.fast_forward(3)
    assert_same(e.draw(200), t.draw(200), rtol=0, atol=0)


def test_sobol_beyond_embedded_table_uses_scipy():
    pytest.importorskip("scipy")
    e, t = ESobol(1500), TSobol(1500)
    assert_same(e.draw(20, dtype=ember.float64), t.draw(20, dtype=torch.float64), rtol=0,
                atol=0)


def test_sobol_draw_base2_out_and_repr():
    e, t = ESobol(3), TSobol(3)
    assert_same(e.draw_base2(4), t.draw_base2(4), rtol=0, atol=0)
    assert_same(e.draw_base2(4), t.draw_base2(4), rtol=0, atol=0)
    with pytest.raises(ValueError) as te:
        t.draw_base2(3)
    with pytest.raises(ValueError) as ee:
        e.draw_base2(3)
    assert str(ee.value) == str(te.value)
    out_e, out_t = ember.empty(1), torch.empty(1)
    assert e.draw(4, out=out_e) is out_e
    t.draw(4, out=out_t)
    assert_same(out_e, out_t, rtol=0, atol=0)
    assert e.num_generated == t.num_generated == 36
    for args in [(5,), (5, True), (5, True, 7)]:
        assert repr(ESobol(*args)) == repr(TSobol(*args))
    for bad in (0, 21202):
        with pytest.raises(ValueError, match=r"\[1, 21201\]"):
            ESobol(bad)


def test_sobol_scrambled_properties():
    a = ESobol(5, scramble=True, seed=11).draw(1024)
    b = ESobol(5, scramble=True, seed=11).draw(1024)
    assert np.array_equal(a.numpy(), b.numpy())  # seeded: reproducible
    assert not np.array_equal(a.numpy(), ESobol(5, scramble=True, seed=12).draw(1024).numpy())
    x = a.numpy()
    assert x.dtype == np.float32 and x.min() >= 0 and x.max() < 1
    # A scrambled Sobol' net stays balanced: every dyadic interval of width 1/64 holds
    # exactly 1024 / 64 points in each coordinate, and every 1/8 x 1/8 square of a pair of
    # coordinates holds 1024 / 64.
    for d in range(5):
        assert (np.bincount((x[:, d] * 64).astype(int), minlength=64) == 16).all()
    cells = (x[:, 0] * 8).astype(int) * 8 + (x[:, 1] * 8).astype(int)
    assert (np.bincount(cells, minlength=64) == 16).all()
    assert abs(x.mean() - 0.5) < 0.01
    ember.manual_seed(0)
    c = ESobol(2, scramble=True).draw(8)
    ember.manual_seed(0)
    assert np.array_equal(c.numpy(), ESobol(2, scramble=True).draw(8).numpy())


def test_sobol_is_faster_than_a_python_loop():
    import time
    start = time.perf_counter()
    x = ESobol(8).draw(2 ** 16)
    assert time.perf_counter() - start < 1.0 and x.shape == (2 ** 16, 8)
