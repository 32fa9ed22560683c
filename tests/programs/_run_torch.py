"""Run several programs under real PyTorch in one process (one torch import) and write what
each printed to a JSON file: ``python _run_torch.py OUT.json PROG.py ...``."""
import contextlib
import io
import json
import os
import runpy
import sys
import traceback

import torch  # noqa: F401  (imported once for every program)


def main():
    out_path, progs = sys.argv[1], sys.argv[2:]
    results = {}
    for prog in progs:
        buf = io.StringIO()
        err = None
        saved_argv = sys.argv
        sys.argv = [prog]
        try:
            with contextlib.redirect_stdout(buf):
                runpy.run_path(prog, run_name="__main__")
        except BaseException:  # noqa: BLE001 - report every failure, SystemExit included
            err = traceback.format_exc()
        finally:
            sys.argv = saved_argv
            torch.set_printoptions(profile="default")
            torch.set_default_dtype(torch.float32)
        results[os.path.basename(prog)] = {"stdout": buf.getvalue(), "error": err}
    with open(out_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
