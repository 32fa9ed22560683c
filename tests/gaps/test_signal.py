"""Window functions, stft and istft against torch (values, gradients, errors)."""
import warnings

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("n", [0, 1, 2, 7, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows(name, n, periodic):
    assert_same(getattr(ember, name)(n, periodic), getattr(torch, name)(n, periodic))


def test_window_options():
    assert_same(ember.hann_window(8, dtype=ember.float64),
                torch.hann_window(8, dtype=torch.float64))
    assert_same(ember.hamming_window(9, False, 0.5, 0.4), torch.hamming_window(9, False, 0.5, 0.4))
    assert_same(ember.kaiser_window(10, True, 5.0), torch.kaiser_window(10, True, 5.0))
    w = ember.hann_window(4, requires_grad=True, device="cpu")
    assert w.requires_grad and w.device.type == "cpu"
    check_error(lambda lib: lib.hann_window(4, dtype=lib.int64), RuntimeError)
    check_error(lambda lib: lib.hann_window(-1), RuntimeError)


def _win(lib, kind, n):
    return None if kind is None else getattr(lib, kind)(n)


STFT_CASES = [
    dict(n_fft=16),
    dict(n_fft=16, hop_length=5, win_length=10, window="hann_window"),
    dict(n_fft=15, center=False, window="hamming_window"),
    dict(n_fft=16, normalized=True, onesided=False, window="hann_window"),
    dict(n_fft=16, pad_mode="constant", window="hann_window"),
    dict(n_fft=16, pad_mode="circular", window="hann_window"),
]


@pytest.mark.parametrize("case", STFT_CASES)
@pytest.mark.parametrize("shape", [(64,), (2, 50)])
def test_stft(case, shape):
    def fn(lib, x):
        kw = dict(case)
        kind = kw.pop("window", None)
        win = _win(lib, kind, kw.get("win_length", kw["n_fft"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = lib.stft(x, window=win, return_complex=True, **kw)
        return lib.view_as_real(y)
    check(fn, [shape])


def test_stft_method_real_output_and_align():
    def fn(lib, x):
        return x.stft(8, hop_length=4, win_length=4, window=lib.ones(4), center=False,
                      align_to_window=True, return_complex=True).abs()
    check(fn, [(40,)])
    x = np.random.default_rng(0).standard_normal(40).astype(np.float32)
    w = np.hanning(9)[:8].astype(np.float32)
    t = torch.stft(torch.tensor(x), 8, window=torch.tensor(w), return_complex=False)
    e = ember.stft(ember.tensor(x), 8, window=ember.tensor(w), return_complex=False)
    assert_same(e, t)


def test_stft_complex_input():
    a = np.random.default_rng(0).standard_normal((2, 40)) + 1j * \
        np.random.default_rng(1).standard_normal((2, 40))
    a = a.astype(np.complex64)
    t = torch.stft(torch.tensor(a), 8, window=torch.hann_window(8), return_complex=True)
    e = ember.stft(ember.tensor(a), 8, window=ember.hann_window(8), return_complex=True)
    assert_same(e, t, rtol=1e-5, atol=1e-5)


def test_stft_gradcheck():
    gradcheck(lambda lib, x: lib.view_as_real(lib.stft(
        x, 8, hop_length=3, window=lib.hann_window(8, dtype=lib.float64),
        return_complex=True)), [(30,)])


@pytest.mark.parametrize("case", [dict(n_fft=16, window="hann_window"),
                                  dict(n_fft=16, hop_length=4, win_length=12,
                                       window="hamming_window"),
                                  dict(n_fft=16, normalized=True, window="hann_window"),
                                  dict(n_fft=16, onesided=False, window="hann_window")])
@pytest.mark.parametrize("length", [None, 60, 70])
def test_istft(case, length):
    a = np.random.default_rng(0).standard_normal((2, 64)).astype(np.float32)
    kw = dict(case)
    kind = kw.pop("window")
    n = kw.get("win_length", kw["n_fft"])
    ts = torch.stft(torch.tensor(a), window=getattr(torch, kind)(n), return_complex=True, **kw)
    spec = ts.detach().numpy()

    def fn(lib, s):
        return lib.istft(lib.view_as_complex(s), window=getattr(lib, kind)(n),
                         length=length, **kw)
    check(fn, [np.stack([spec.real, spec.imag], -1).astype(np.float32)])
    # round trip recovers the signal
    e = ember.istft(ember.tensor(spec), window=getattr(ember, kind)(n), length=64, **kw)
    np.testing.assert_allclose(e.numpy(), a, atol=1e-5)


def test_stft_errors():
    x = lambda lib: lib.randn(50)  # noqa: E731
    check_error(lambda lib: lib.stft(x(lib), 16), RuntimeError, "return_complex")
    check_error(lambda lib: lib.stft(x(lib), 0, return_complex=True), RuntimeError)
    check_error(lambda lib: lib.stft(x(lib), 16, hop_length=0, window=lib.ones(16),
                                     return_complex=True), RuntimeError, "hop_length")
    check_error(lambda lib: lib.stft(x(lib), 16, win_length=20, return_complex=True),
                RuntimeError, "win_length")
    check_error(lambda lib: lib.stft(x(lib), 16, window=lib.ones(5), return_complex=True),
                RuntimeError, "window")
    check_error(lambda lib: lib.istft(lib.randn(9, 5), 16), RuntimeError, "complex")
    check_error(lambda lib: lib.istft(lib.stft(x(lib), 16, window=lib.ones(16),
                                               return_complex=True), 16,
                                      window=lib.zeros(16)), RuntimeError)


def test_istft_pads_and_complex():
    a = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    spec = torch.stft(torch.tensor(a), 16, window=torch.hann_window(16),
                      return_complex=True).numpy()
    t = torch.istft(torch.tensor(spec), 16, window=torch.hann_window(16), length=90)
    e = ember.istft(ember.tensor(spec), 16, window=ember.hann_window(16), length=90)
    assert_same(e, t)
    c = (a + 1j * a[::-1]).astype(np.complex64)
    spec = torch.stft(torch.tensor(c), 16, window=torch.hann_window(16),
                      return_complex=True).numpy()
    t = torch.istft(torch.tensor(spec), 16, window=torch.hann_window(16), onesided=False,
                    return_complex=True)
    e = ember.istft(ember.tensor(spec), 16, window=ember.hann_window(16), onesided=False,
                    return_complex=True)
    assert_same(e, t, rtol=1e-5, atol=1e-5)
