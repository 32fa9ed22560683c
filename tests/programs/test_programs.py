"""Realistic PyTorch programs (tests/programs/prog_*.py, written against ``import torch``) run
under real PyTorch and through ``python -m ember run``; what they print must agree.

Programs take their data from NumPy with fixed seeds and set their weights deterministically
where values are compared; anything that depends on the random stream (which differs between
the two frameworks) is printed as the outcome of a range check (True/False). Numbers in the
output are compared with a tolerance, everything else exactly.
"""
import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAMS = sorted(f for f in os.listdir(HERE) if f.startswith("prog_") and f.endswith(".py"))
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
           # torch.compile stays a pass-through in the reference run (Ember's never compiles)
           TORCHDYNAMO_DISABLE="1")

# Per-program tolerances for numbers (rtol, atol); long training runs drift in float32.
TOLERANCE = {"prog_dcgan.py": (5e-3, 2e-3), "prog_vit_tricks.py": (5e-3, 2e-3),
             "prog_mini_gpt.py": (5e-3, 2e-3), "prog_llama.py": (5e-3, 2e-3),
             "prog_seq2seq_attn.py": (5e-3, 2e-3), "prog_unet_contrastive.py": (5e-3, 2e-3)}
DEFAULT_TOL = (2e-3, 2e-4)

_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?inf|nan")


def compare_outputs(expected, got, rtol, atol):
    """None if the outputs agree, else a message naming the first differing line."""
    exp_lines, got_lines = expected.splitlines(), got.splitlines()
    for k, (e, g) in enumerate(zip(exp_lines, got_lines)):
        if _NUM.sub("#", e) != _NUM.sub("#", g):
            return f"line {k + 1} differs:\n torch: {e}\n ember: {g}"
        for a, b in zip(_NUM.findall(e), _NUM.findall(g)):
            fa, fb = float(a), float(b)
            if fa != fb and not abs(fa - fb) <= atol + rtol * abs(fa) and not (fa != fa and fb != fb):
                return f"line {k + 1}: {b} != {a} (rtol={rtol}, atol={atol}):\n torch: {e}\n ember: {g}"
    if len(exp_lines) != len(got_lines):
        return (f"torch printed {len(exp_lines)} lines, ember {len(got_lines)}; first extra: "
                f"{(exp_lines + got_lines)[min(len(exp_lines), len(got_lines))]!r}")
    return None


@pytest.fixture(scope="module")
def torch_outputs(tmp_path_factory):
    """Every program's output under real PyTorch, started once in the background."""
    if importlib.util.find_spec("torch") is None:
        pytest.skip("real PyTorch is not installed (it is the reference)")
    out = tmp_path_factory.mktemp("torch") / "outputs.json"
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "_run_torch.py"), str(out)]
                            + [os.path.join(HERE, p) for p in PROGRAMS],
                            cwd=str(out.parent), env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    cache = {}

    def get(name):
        if not cache:
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == 0, err[-3000:]
            cache.update(json.loads(out.read_text()))
        return cache[name]
    yield get
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_pytorch(name, torch_outputs, tmp_path):
    res = subprocess.run([sys.executable, "-m", "ember", "run", os.path.join(HERE, name)],
                         capture_output=True, text=True, timeout=300, cwd=tmp_path, env=ENV)
    ref = torch_outputs(name)
    assert ref["error"] is None, f"the program fails under PyTorch itself:\n{ref['error']}"
    assert res.returncode == 0, f"{name} failed on Ember:\n{res.stdout[-1500:]}\n{res.stderr[-3000:]}"
    rtol, atol = TOLERANCE.get(name, DEFAULT_TOL)
    msg = compare_outputs(ref["stdout"], res.stdout, rtol, atol)
    assert msg is None, f"{name}: {msg}"


def test_compare_outputs_catches_differences():
    assert compare_outputs("loss 1.2345 ok True", "loss 1.2346 ok True", 0, 2e-4) is None
    assert compare_outputs("loss 1.2345", "loss 1.2400", 0, 2e-4) is not None
    assert compare_outputs("ok True", "ok False", 0, 0) is not None
    assert compare_outputs("a\nb", "a", 0, 0) is not None
    assert compare_outputs("x -0.0000", "x 0.0000", 0, 0) is None
