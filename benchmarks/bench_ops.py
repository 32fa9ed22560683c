"""Per-op cost of a chain of small ops (10x10 float32), Ember against torch in one process.

Three figures per library, in microseconds per op: ``fwd_nograd`` (forward under no_grad),
``fwd`` (forward recording the graph) and ``fwd_bwd`` (forward, then ``sum().backward()``).
Libraries alternate run by run; the reported ratio is the median of the per-run ratios.
Times are process CPU time (``time.process_time``), which other processes on a shared
machine disturb much less than wall time; ``best`` is the ratio of the two fastest runs.

    python benchmarks/bench_ops.py [--threads N] [--length 200] [--runs 40]
"""
import argparse
import os
import statistics
import time

import numpy as np


def chain(x, w, b, n):
    """n ops: a repeating mix of binary (tensor and scalar operands) and unary ops."""
    y = x
    for i in range(n // 8):
        y = y * w
        y = y + b
        y = y.tanh()
        y = y * 0.5
        y = y - b
        y = y.sigmoid()
        y = y + 1.0
        y = y.exp()
    return y


def _inputs(lib, seed=0):
    rng = np.random.default_rng(seed)
    arrs = [rng.uniform(-0.5, 0.5, (10, 10)).astype(np.float32) for _ in range(3)]
    x = lib.tensor(arrs[0], requires_grad=True)
    w = lib.tensor(arrs[1], requires_grad=True)
    b = lib.tensor(arrs[2], requires_grad=True)
    return x, w, b


def _time_one(lib, mode, length, reps=3):
    x, w, b = _inputs(lib)
    clock = time.process_time
    t0 = clock()
    for _ in range(reps):
        if mode == "fwd_nograd":
            with lib.no_grad():
                chain(x, w, b, length)
        elif mode == "fwd":
            chain(x, w, b, length)
        else:
            chain(x, w, b, length).sum().backward()
            x.grad = w.grad = b.grad = None
    return (clock() - t0) / (reps * length) * 1e6


def run(threads=1, length=200, runs=40, warmup=5):
    """Measure both libraries; returns {mode: {"torch": us, "ember": us, "ratio": r}}."""
    import torch

    import ember
    torch.set_num_threads(threads)
    length = max(8, length - length % 8)
    results = {}
    for mode in ("fwd_nograd", "fwd", "fwd_bwd"):
        for _ in range(warmup):
            _time_one(torch, mode, length)
            _time_one(ember, mode, length)
        tt, et, ratios = [], [], []
        for _ in range(runs):
            a = _time_one(torch, mode, length)
            b = _time_one(ember, mode, length)
            tt.append(a)
            et.append(b)
            ratios.append(b / a)
        # Medians, and best-of-N (robust when other processes share the cores).
        results[mode] = {"torch": statistics.median(tt), "ember": statistics.median(et),
                         "ratio": statistics.median(ratios),
                         "ratio_spread": (float(np.percentile(ratios, 25)),
                                          float(np.percentile(ratios, 75))),
                         "torch_best": min(tt), "ember_best": min(et),
                         "ratio_best": min(et) / min(tt)}
    results["_meta"] = {"threads": threads, "length": length, "runs": runs,
                        "shape": (10, 10), "dtype": "float32"}
    return results


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--length", type=int, default=200)
    p.add_argument("--runs", type=int, default=40)
    args = p.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    res = run(args.threads, args.length, args.runs)
    meta = res.pop("_meta")
    print(f"chain of {meta['length']} ops on 10x10 float32, {meta['threads']} thread(s), "
          f"{meta['runs']} runs (us per op; ratio = ember / torch: median [IQR]; best-of-N)")
    for mode, r in res.items():
        lo, hi = r["ratio_spread"]
        print(f"  {mode:<11} torch {r['torch']:6.2f}  ember {r['ember']:6.2f}  "
              f"ratio {r['ratio']:.2f} [{lo:.2f}, {hi:.2f}]   best: torch "
              f"{r['torch_best']:5.2f} ember {r['ember_best']:5.2f} ratio {r['ratio_best']:.2f}")


if __name__ == "__main__":
    main()
