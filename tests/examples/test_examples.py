"""Every example runs as is, and its PyTorch twin (the same program with `import torch`)
runs unchanged through `python -m ember run`."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
           OMP_NUM_THREADS="1")


def _run(cmd, cwd, timeout=300):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=ENV)
    assert res.returncode == 0, f"{cmd} failed:\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}"
    return res.stdout


def pytorch_twin(name, tmp_path):
    """The example with its ember imports written as PyTorch imports."""
    src = open(os.path.join(EXAMPLES, name)).read()
    src = re.sub(r"^import ember as torch$", "import torch", src, flags=re.M)
    src = re.sub(r"^(from|import) ember\.", r"\1 torch.", src, flags=re.M)
    assert not re.search(r"^\s*(import|from)\s+ember", src, flags=re.M), "twin imports ember"
    path = tmp_path / name
    path.write_text(src)
    return str(path)


def test_quickstart_reaches_97_percent_and_reloads(tmp_path):
    pytest.importorskip("sklearn")
    out = _run([sys.executable, os.path.join(EXAMPLES, "quickstart.py")], tmp_path)
    acc = float(re.search(r"final test accuracy: ([0-9.]+)", out).group(1))
    assert acc >= 0.97, out
    assert "reloaded" in out


@pytest.mark.parametrize("name,args", [("linear_regression.py", []),
                                       ("lstm_sine.py", ["--epochs", "60"])])
def test_example_and_its_pytorch_twin(name, args, tmp_path):
    _run([sys.executable, os.path.join(EXAMPLES, name)] + args, tmp_path)
    _run([sys.executable, "-m", "ember", "run", pytorch_twin(name, tmp_path)] + args, tmp_path)


def test_vae_digits_improves(tmp_path):
    pytest.importorskip("sklearn")
    out = _run([sys.executable, os.path.join(EXAMPLES, "vae_digits.py"), "--epochs", "8"],
               tmp_path)
    assert "negative ELBO" in out


def test_quickstart_twin_runs_through_the_runner(tmp_path):
    pytest.importorskip("sklearn")
    out = _run([sys.executable, "-m", "ember", "run", pytorch_twin("quickstart.py", tmp_path),
                "--epochs", "2"], tmp_path)
    assert "final test accuracy" in out
