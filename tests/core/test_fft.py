"""torch.fft against PyTorch: values, dtypes, shapes, gradients, errors; complex views."""
import numpy as np
import pytest

from oracle import check, check_error, gradcheck

import ember

NORMS = [None, "ortho", "forward"]


def _r(lib, z):
    """A real view of a complex result, so gradients flow through real and imaginary parts."""
    return lib.view_as_real(z.resolve_conj())


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,kw", [("fft", {}), ("fft", {"n": 5}), ("fft", {"n": 11, "dim": 0}),
                                     ("ifft", {}), ("ifft", {"n": 6}), ("rfft", {}),
                                     ("rfft", {"n": 7}), ("rfft", {"n": 12, "dim": 0}),
                                     ("ihfft", {}), ("ihfft", {"n": 5})])
def test_real_to_complex(name, kw, norm):
    check(lambda lib, x: _r(lib, getattr(lib.fft, name)(x, norm=norm, **kw)), [(6, 8)])


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,kw", [("irfft", {}), ("irfft", {"n": 9}), ("irfft", {"n": 4}),
                                     ("hfft", {}), ("hfft", {"n": 7}),
                                     ("irfft", {"n": 10, "dim": 0})])
def test_complex_to_real(name, kw, norm):
    check(lambda lib, x: getattr(lib.fft, name)(lib.view_as_complex(x), norm=norm, **kw),
          [(5, 6, 2)])


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,kw", [("fft", {}), ("ifft", {"n": 3}), ("fftn", {}),
                                     ("ifft2", {}), ("fftn", {"s": (4, 7), "dim": (0, 2)}),
                                     ("ifftn", {"dim": 1})])
def test_complex_to_complex(name, kw, norm):
    check(lambda lib, x: _r(lib, getattr(lib.fft, name)(lib.view_as_complex(x), norm=norm, **kw)),
          [(3, 4, 5, 2)])


@pytest.mark.parametrize("name,kw", [("fft2", {}), ("fftn", {"s": (3, 6)}), ("rfft2", {}),
                                     ("rfftn", {"dim": (0, 2)}), ("rfftn", {"s": (2, 5, 6)}),
                                     ("ifftn", {"dim": (1,)}), ("ihfft2", {}),
                                     ("ihfftn", {"s": (4, 4)})])
def test_nd_real_input(name, kw):
    check(lambda lib, x: _r(lib, getattr(lib.fft, name)(x, **kw)), [(3, 4, 6)])
    check(lambda lib, x: _r(lib, getattr(lib.fft, name)(x, norm="ortho", **kw)), [(3, 4, 6)],
          noncontig=True)


@pytest.mark.parametrize("name,kw", [("irfft2", {}), ("irfftn", {"s": (4, 9)}),
                                     ("irfftn", {"dim": (0, 1)}), ("hfft2", {}),
                                     ("hfftn", {"s": (3, 3, 8)})])
def test_nd_complex_to_real(name, kw):
    check(lambda lib, x: getattr(lib.fft, name)(lib.view_as_complex(x), **kw), [(3, 4, 5, 2)])


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dtypes(dtype):
    _, t = check(lambda lib, x: lib.fft.rfft(x), [(4, 8)], dtype=dtype, grad=False,
                 rtol=1e-5, atol=1e-5)
    assert str(t.dtype) == ("torch.complex64" if dtype == "float32" else "torch.complex128")
    check(lambda lib, x: lib.fft.irfft(lib.fft.rfft(x)), [(4, 8)], dtype=dtype)
    check(lambda lib, x: lib.fft.fft(x).abs(), [(4, 8)], dtype=dtype)
    check(lambda lib, x: lib.fft.fft(x).angle(), [(4, 7)], dtype=dtype)


def test_integer_input_promotes():
    x = np.arange(6, dtype=np.int64)
    check(lambda lib, x: _r(lib, lib.fft.fft(x)), [x])
    check(lambda lib, x: lib.fft.irfft(x), [x.astype(np.int32)])


def test_roundtrip_and_parts():
    check(lambda lib, x: lib.fft.ifft(lib.fft.fft(x)).real, [(5, 8)])
    check(lambda lib, x: lib.fft.fft(x).imag * 2 + lib.fft.fft(x).real, [(5, 8)])
    check(lambda lib, x: lib.fft.rfft(x).conj().imag.resolve_neg(), [(5, 8)])
    check(lambda lib, x: lib.view_as_real(lib.conj_physical(lib.fft.fft(x))), [(5, 8)])


def test_gradcheck_float64():
    gradcheck(lambda lib, x: lib.view_as_real(lib.fft.rfft(x, n=7)), [(3, 6)])
    gradcheck(lambda lib, x: lib.fft.irfft(lib.view_as_complex(x), n=9, norm="ortho"),
              [(2, 5, 2)])
    gradcheck(lambda lib, x: lib.fft.hfft(lib.view_as_complex(x)).sin(), [(2, 4, 2)])
    gradcheck(lambda lib, x: lib.fft.fft2(x).abs(), [(3, 4)])


def test_double_backward():
    def f(lib, x):
        y = lib.view_as_real(lib.fft.rfft(x, n=10)).pow(3).sum()
        return lib.autograd.grad(y, x, create_graph=True)[0]
    check(f, [(3, 8)], dtype="float64")


def test_freq_and_shift():
    for n, d in [(5, 1.0), (8, 0.25), (1, 1.0)]:
        check(lambda lib: lib.fft.fftfreq(n, d), [])
        check(lambda lib: lib.fft.rfftfreq(n, d), [])
    check(lambda lib: lib.fft.fftfreq(6, dtype=lib.float64), [])
    check(lambda lib, x: lib.fft.fftshift(x), [(5, 6)])
    check(lambda lib, x: lib.fft.ifftshift(x, dim=1), [(5, 7)])
    check(lambda lib, x: lib.fft.ifftshift(lib.fft.fftshift(x, dim=(0, 1)), dim=(0, 1)), [(5, 7)])
    check(lambda lib, x: _r(lib, lib.fft.fftshift(lib.fft.fft2(x))), [(4, 5)])


def test_out_argument():
    def f(lib):
        out = lib.empty(5, dtype=lib.complex64)
        r = lib.fft.rfft(lib.arange(8.0), out=out)
        return lib.view_as_real(out), r is out
    check(f, [])


def test_complex_views():
    check(lambda lib, x: lib.view_as_complex(x).abs(), [(3, 4, 2)])
    check(lambda lib, x: lib.view_as_real(lib.view_as_complex(x) * 2), [(3, 4, 2)], grad=False)
    z = ember.fft.fft(ember.arange(4.0))
    v = ember.view_as_real(z)
    v[0, 1] = 5.0  # a view: writes reach the complex tensor
    assert z[0].imag.item() == 5.0
    assert ember.real(ember.arange(3.0)).tolist() == [0.0, 1.0, 2.0]


def test_errors():
    check_error(lambda lib: lib.fft.fft(lib.ones(4), norm="bad"), RuntimeError,
                match="Invalid normalization mode")
    check_error(lambda lib: lib.fft.fft(lib.ones(4), n=0), RuntimeError,
                match="Invalid number of data points")
    check_error(lambda lib: lib.fft.fft(lib.ones(4), dim=3), IndexError)
    check_error(lambda lib: lib.fft.rfft(lib.ones(4, dtype=lib.complex64)), RuntimeError,
                match="rfft expects a real input tensor")
    check_error(lambda lib: lib.fft.ihfft(lib.ones(4, dtype=lib.complex64)), RuntimeError)
    check_error(lambda lib: lib.fft.irfft(lib.ones(1, dtype=lib.complex64)), RuntimeError)
    check_error(lambda lib: lib.fft.fft2(lib.ones(4)), IndexError)
    check_error(lambda lib: lib.fft.fftn(lib.ones(4, 4), s=(2, 2, 2)), RuntimeError,
                match="Got shape with 3 values")
    check_error(lambda lib: lib.fft.fftn(lib.ones(4, 4), s=(2,), dim=(0, 1)), RuntimeError)
    check_error(lambda lib: lib.fft.fft(lib.ones(4, dtype=lib.float16)), RuntimeError,
                match="Unsupported dtype Half")
    check_error(lambda lib: lib.fft.fft(lib.tensor(3.0)), IndexError)
    check_error(lambda lib: lib.view_as_complex(lib.ones(4, 3)), RuntimeError)
    check_error(lambda lib: lib.view_as_real(lib.ones(4)), RuntimeError)
    check_error(lambda lib: lib.ones(3).imag, RuntimeError)
