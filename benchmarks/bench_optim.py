"""Optimizer step time against torch.optim, measured in one process.

Workload (the issue's): the parameters of an MLP 784-512-512-10 (669,706 float32 values in
6 tensors) with fixed gradients; one ``optimizer.step()`` of Adam, AdamW and SGD with
momentum, Ember and torch alternating, after a warm-up; medians and ember/torch ratios.

    python benchmarks/bench_optim.py [threads]
"""
import statistics
import sys
import time

import numpy as np

SHAPES = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
CONFIGS = [("Adam", dict(lr=1e-3)), ("AdamW", dict(lr=1e-3)),
           ("SGD", dict(lr=0.01, momentum=0.9)), ("Adam-amsgrad", dict(lr=1e-3, amsgrad=True))]


def _setup(lib, name, kwargs):
    rng = np.random.default_rng(0)
    params = []
    for s in SHAPES:
        p = lib.tensor(rng.standard_normal(s).astype(np.float32) * 0.05, requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(s).astype(np.float32) * 1e-3)
        params.append(p)
    return getattr(lib.optim, name.split("-")[0])(params, **kwargs)


def _time(step, n):
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n


def run(threads=2, rounds=15, inner=20):
    """Median seconds per step for each optimizer and the ember/torch ratios (with the
    spread: the ratios' min and max over rounds)."""
    import torch

    import ember

    torch.set_num_threads(threads)
    results = {"threads": threads, "params": sum(int(np.prod(s)) for s in SHAPES)}
    for name, kw in CONFIGS:
        opts = {"torch": _setup(torch, name, kw), "ember": _setup(ember, name, kw)}
        for opt in opts.values():  # warm-up: state creation, scratch buffers, caches
            _time(opt.step, 5)
        times = {"torch": [], "ember": []}
        for _ in range(rounds):  # alternate the libraries, take medians
            for lib in ("torch", "ember"):
                times[lib].append(_time(opts[lib].step, inner))
        ratios = [e / t for e, t in zip(times["ember"], times["torch"])]
        results[name] = {"torch_ms": statistics.median(times["torch"]) * 1e3,
                         "ember_ms": statistics.median(times["ember"]) * 1e3,
                         "ratio": statistics.median(ratios),
                         "ratio_min": min(ratios), "ratio_max": max(ratios)}
    return results


if __name__ == "__main__":
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    res = run(threads)
    print(f"optimizer step, {res['params']:,} float32 parameters, {threads} thread(s)")
    for name, _ in CONFIGS:
        r = res[name]
        print(f"  {name:13s} torch {r['torch_ms']:.3f} ms  ember {r['ember_ms']:.3f} ms  "
              f"ember/torch {r['ratio']:.2f} (range {r['ratio_min']:.2f}-{r['ratio_max']:.2f})")
