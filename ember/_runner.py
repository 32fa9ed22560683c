"""Run an unmodified PyTorch program on Ember: ``import torch`` resolves to ``ember``.

A meta-path finder maps ``torch`` and every ``torch.x.y`` to the same module object as
``ember.x.y`` (so ``isinstance`` checks hold across spellings). PyTorch-only companion
packages fail at import with a message that says Ember does not replace them.
"""
import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

_COMPANIONS = ("torchvision", "torchaudio", "torchtext", "torchdata", "torchrec",
               "functorch_unsupported")


class _Loader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        """The ember module is already executed; nothing to run."""


class _CompanionLoader(importlib.abc.Loader):
    def create_module(self, spec):
        top = spec.name.split(".")[0]
        raise ImportError(
            f"{top} is a PyTorch-only package and Ember does not replace it; its models and "
            f"datasets need real PyTorch (see docs/differences.md)", name=spec.name)

    def exec_module(self, module):
        """Never reached: create_module raises."""


class TorchAlias(importlib.abc.MetaPathFinder):
    """Resolves ``torch`` / ``torch.*`` to ``ember`` / ``ember.*``."""

    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top in _COMPANIONS:
            return importlib.util.spec_from_loader(name, _CompanionLoader())
        if top != "torch":
            return None
        real = "ember" + name[len("torch"):]
        if importlib.util.find_spec(real) is None:
            raise ModuleNotFoundError(
                f"No module named '{name}': ember does not provide {name} (see "
                f"docs/differences.md for what Ember covers)", name=name)
        return importlib.util.spec_from_loader(name, _Loader(real))


def install():
    """Make ``import torch`` give ember in this process (idempotent)."""
    if not any(isinstance(f, TorchAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAlias())
    import ember
    sys.modules["torch"] = ember
    for name, mod in list(sys.modules.items()):
        if name.startswith("ember.") and mod is not None:
            sys.modules.setdefault("torch" + name[len("ember"):], mod)


_SPAWN_ALIAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_spawn_alias")


def run_program(path, argv):
    """Run ``path`` as ``__main__`` with ``sys.argv = [path, *argv]`` on ember."""
    install()
    # Children started by spawn / forkserver get this sys.path but not the import hook:
    # the directory's `torch` package installs the hook there (torch.multiprocessing.spawn,
    # DataLoader workers with multiprocessing_context="spawn").
    if _SPAWN_ALIAS not in sys.path:
        sys.path.insert(0, _SPAWN_ALIAS)
    sys.argv = [path] + list(argv)
    folder = os.path.dirname(os.path.abspath(path))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    runpy.run_path(path, run_name="__main__")
