"""`python -m ember run`: unmodified PyTorch programs run on Ember."""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(tmp_path, source, *args, timeout=120):
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(source))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "ember", "run", str(prog), *args],
                          capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env=env)


def test_argv_name_exit_code_and_module_identity(tmp_path):
    res = run(tmp_path, """
        import sys
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.autograd import Function
        import ember
        assert torch is ember and nn is ember.nn and F is ember.nn.functional
        assert isinstance(torch.zeros(1), torch.Tensor)
        print(__name__, sys.argv[1:])
        sys.exit(7)
    """, "--lr", "0.1")
    assert res.returncode == 7, res.stderr
    assert "__main__ ['--lr', '0.1']" in res.stdout


def test_traceback_and_nonzero_exit_are_preserved(tmp_path):
    res = run(tmp_path, """
        def inner():
            raise ValueError("boom from the program")
        inner()
    """)
    assert res.returncode == 1
    assert "ValueError: boom from the program" in res.stderr
    assert "in inner" in res.stderr


def test_companion_packages_and_missing_api_are_named(tmp_path):
    res = run(tmp_path, "import torchvision\n")
    assert res.returncode != 0 and "torchvision is a PyTorch-only package" in res.stderr
    res = run(tmp_path, "import torch\ntorch.no_such_function(1)\n")
    assert res.returncode != 0
    assert "no_such_function" in res.stderr and "docs/differences.md" in res.stderr
    res = run(tmp_path, "import torch.no_such_module\n")
    assert res.returncode != 0 and "torch.no_such_module" in res.stderr


def test_training_loop_custom_function_and_checkpoint_program(tmp_path):
    res = run(tmp_path, """
        import os, tempfile
        import torch
        import torch.nn as nn

        class Square(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        torch.manual_seed(0)
        x = torch.randn(256, 4)
        y = (x @ torch.tensor([1.0, -2.0, 0.5, 3.0])).unsqueeze(1)
        model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        for step in range(300):
            loss = Square.apply(model(x) - y).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        assert loss.item() < 0.05, loss.item()
        path = os.path.join(tempfile.mkdtemp(), "ck.pt")
        torch.save({"model": model.state_dict(), "opt": opt.state_dict()}, path)
        ck = torch.load(path)
        clone = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
        clone.load_state_dict(ck["model"])
        assert torch.equal(clone(x), model(x))
        print("OK", round(loss.item(), 4))
    """)
    assert res.returncode == 0, res.stderr
    assert "OK" in res.stdout


def test_dataloader_with_workers_program(tmp_path):
    res = run(tmp_path, """
        import torch
        from torch.utils.data import DataLoader, Dataset

        class Squares(Dataset):
            def __len__(self):
                return 40
            def __getitem__(self, i):
                return torch.tensor([float(i)]), i * i

        if __name__ == "__main__":
            seen = []
            for xb, yb in DataLoader(Squares(), batch_size=8, num_workers=2):
                seen += yb.tolist()
            assert seen == [i * i for i in range(40)], seen
            print("OK")
    """, timeout=180)
    assert res.returncode == 0, res.stderr
    assert "OK" in res.stdout


def test_console_script_entry_point():
    from ember.__main__ import main
    assert main(["version"]) == 0
