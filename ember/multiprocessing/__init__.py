"""``torch.multiprocessing``: the standard library's multiprocessing, plus PyTorch's
sharing-strategy switches (Ember tensors travel through pickling / shared memory)."""
import multiprocessing as _mp
from multiprocessing import *  # noqa: F401,F403

_strategy = ["file_descriptor"]


def get_all_sharing_strategies():
    return {"file_descriptor", "file_system"}


def get_sharing_strategy():
    return _strategy[0]


def set_sharing_strategy(new_strategy):
    if new_strategy not in get_all_sharing_strategies():
        raise ValueError(f"invalid sharing strategy {new_strategy!r}")
    _strategy[0] = new_strategy


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` processes running ``fn(i, *args)``; join them and re-raise failures."""
    ctx = _mp.get_context(start_method)
    procs = [ctx.Process(target=fn, args=(i,) + tuple(args), daemon=daemon)
             for i in range(nprocs)]
    for p in procs:
        p.start()
    if not join:
        return procs
    for p in procs:
        p.join()
    for i, p in enumerate(procs):
        if p.exitcode != 0:
            raise RuntimeError(f"process {i} terminated with exit code {p.exitcode}")
    return None


start_processes = spawn
