"""``import torch`` in a spawned child of a program run by ``python -m ember run``."""
import sys

if __name__ == "torch":  # imported as ember._spawn_alias.torch (e.g. by a module walk): inert
    from ember._runner import install

    install()  # the same aliasing as the parent: sys.modules["torch"] is now ember
    sys.modules[__name__] = sys.modules["ember"]
