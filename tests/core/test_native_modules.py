"""The native kernel modules: built at install, guarded at their C boundary, no JIT in the process.

Each kernel's numbers are tested against torch through the ops that use it (and against the
NumPy paths in tests/nn/test_kernels_fallback.py); this file checks the plumbing.
"""
import glob
import importlib
import os
import shutil
import subprocess
import sys
import sysconfig

import numpy as np
import pytest

import ember
from ember.backends import native

CSRC = os.path.join(os.path.dirname(ember.__file__), "backends", "csrc")
MODULES = sorted(os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(CSRC, "*.c")))


def _compiler():
    cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(cc)


@pytest.mark.parametrize("name", MODULES)
def test_every_kernel_source_was_built(name):
    # The build is optional (an install without a compiler falls back to NumPy), so a failed
    # compile would otherwise pass unnoticed here, where a compiler exists.
    if _compiler() is None or os.environ.get("EMBER_NO_NATIVE_BUILD"):
        pytest.skip("no C compiler: the native kernels are not expected")
    mod = importlib.import_module(f"ember.backends._native_{name}")
    assert mod.__doc__


def _impl():
    mod = native.kernels()
    if mod is None:
        pytest.skip("native kernels not built or disabled")
    return mod


def test_wrong_dtype_is_a_type_error():
    k = _impl()
    y = np.ones(8, np.float32)
    with pytest.raises(TypeError, match="float|'f'"):
        k.relu_grad(np.ones(8, np.float64), y, np.empty(8, np.float32))


def test_short_input_is_a_value_error_and_writes_nothing():
    k = _impl()
    out = np.full(8, 7.0, np.float32)
    with pytest.raises(ValueError, match="shorter"):
        k.relu_grad(np.ones(4, np.float32), np.ones(8, np.float32), out)
    assert (out == 7.0).all()


def test_read_only_output_is_refused():
    k = _impl()
    out = np.zeros(8, np.float32)
    out.flags.writeable = False
    with pytest.raises((ValueError, BufferError)):
        k.relu_grad(np.ones(8, np.float32), np.ones(8, np.float32), out)
    assert (out == 0).all()


def test_non_contiguous_input_is_refused():
    k = _impl()
    with pytest.raises((ValueError, BufferError)):
        k.relu_grad(np.ones(16, np.float32)[::2], np.ones(8, np.float32), np.empty(8, np.float32))


def test_wrong_argument_count_is_a_type_error():
    k = _impl()
    with pytest.raises(TypeError, match="takes 3 arguments"):
        k.relu_grad(np.ones(8, np.float32))


def test_relu_grad_blocks_nan_through_closed_units():
    k = _impl()
    g = np.array([np.nan, np.inf, 2.0, -3.0], np.float32)
    y = np.array([0.0, -1.0, 1.0, 0.5], np.float32)
    out = np.empty(4, np.float32)
    k.relu_grad(g, y, out)
    np.testing.assert_array_equal(out, [0.0, 0.0, 2.0, -3.0])


_TRAIN = r"""
import sys
import ember as torch
import ember.nn as nn
torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Flatten(), nn.Linear(8 * 14 * 14, 64), nn.GELU(), nn.LayerNorm(64),
                      nn.Linear(64, 10))
rnn = nn.LSTM(16, 32, batch_first=True)
opt = torch.optim.Adam(list(model.parameters()) + list(rnn.parameters()))
x = torch.randn(16, 1, 28, 28)
loss = model(x).square().mean() + rnn(torch.randn(16, 10, 16))[0].mean()
loss.backward()
opt.step()
jit = sorted(m for m in ("numba", "llvmlite") if m in sys.modules)
print(",".join(jit) or "none")
"""


def test_a_training_step_loads_no_jit_compiler():
    # numba's LLVM took ~110 MiB resident: the peak-memory budget rules it out.
    out = subprocess.run([sys.executable, "-c", _TRAIN], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "none"
