"""Run one function with torch and with ember and compare everything it returns (or raises)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
import ember  # noqa: E402
from oracle import assert_same  # noqa: E402


def compare(e, t, what="result", rtol=None, atol=None):
    if isinstance(t, torch.Tensor):
        assert_same(e, t, rtol, atol, what=what)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f"{what}: ember gave {e!r}, torch {t!r}"
        assert len(e) == len(t), f"{what}: {len(e)} items vs {len(t)}"
        for i, (a, b) in enumerate(zip(e, t)):
            compare(a, b, f"{what}[{i}]", rtol, atol)
    elif isinstance(t, dict):
        assert set(e) == set(t), f"{what}: keys {set(e)} vs {set(t)}"
        for k in t:
            compare(e[k], t[k], f"{what}[{k!r}]", rtol, atol)
    elif isinstance(t, float):
        assert isinstance(e, (float, int)), f"{what}: {e!r} vs {t!r}"
        np.testing.assert_allclose(e, t, rtol=rtol or 1e-5, atol=atol or 1e-6, err_msg=what)
    else:
        assert e == t, f"{what}: ember {e!r} != torch {t!r}"


def same(fn, message=True, rtol=None, atol=None):
    """fn(lib) gives equal results with torch and ember, or raises the same exception type
    (and, with ``message``, the same message) in both."""
    texc = eexc = None
    try:
        t = fn(torch)
    except Exception as exc:  # noqa: BLE001 - compared below
        texc = exc
    try:
        e = fn(ember)
    except Exception as exc:  # noqa: BLE001
        eexc = exc
    if texc is not None:
        assert eexc is not None, f"torch raised {texc!r}; ember returned {e!r}"
        assert type(eexc).__name__ == type(texc).__name__, f"{eexc!r} vs torch {texc!r}"
        if message:
            assert str(eexc) == str(texc), f"\nember: {eexc}\ntorch: {texc}"
        return None
    if eexc is not None:
        raise eexc
    compare(e, t, rtol=rtol, atol=atol)
    return e


def names(fn):
    """Type name of a grad_fn (or None)."""
    return None if fn is None else type(fn).__name__


def leaf(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype or lib.float32, requires_grad=True)
