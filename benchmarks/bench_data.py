"""DataLoader throughput against torch.utils.data, measured in one process.

Workloads (the issue's): one epoch over a TensorDataset of 60,000 28x28 float32 images with
int64 labels, batch 64, shuffled, with 0 and 2 workers (target: ember/torch <= 1.0); and a
dataset of 1,000 samples whose ``__getitem__`` sleeps 1 ms, batch 16, where an epoch with 2
workers must be at least 1.7x faster than with 0 (a fresh iterator each epoch, so worker
start-up and shutdown are included).

    python benchmarks/bench_data.py [threads]
"""
import statistics
import sys
import time

import numpy as np


def _epoch(loader):
    t0 = time.perf_counter()
    n = 0
    for x, y in loader:
        n += 1
    return time.perf_counter() - t0, n


class _SleepyMixin:
    """``__getitem__`` sleeps 1 ms, like a dataset that reads each sample from disk."""

    n = 1000

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(0.001)
        return np.float32(i), i


def run(threads=2, repeats=5, n_images=60000, batch=64):
    """Median seconds per epoch and the ember/torch ratios (median of the per-round ratios,
    with their min and max); for the sleeping dataset, the 0-worker / 2-worker speed-up."""
    import torch
    import torch.utils.data as tdata

    import ember
    import ember.utils.data as edata

    torch.set_num_threads(threads)
    if hasattr(ember, "set_num_threads"):
        ember.set_num_threads(threads)
    rng = np.random.default_rng(0)
    images = rng.standard_normal((n_images, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, n_images)
    t_ds = tdata.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    e_ds = edata.TensorDataset(ember.from_numpy(images), ember.from_numpy(labels))

    results = {"threads": threads}
    for workers in (0, 2):
        times = {"torch": [], "ember": []}
        for _ in range(repeats):  # alternate the libraries, take medians
            for name, mod, ds in (("torch", tdata, t_ds), ("ember", edata, e_ds)):
                loader = mod.DataLoader(ds, batch_size=batch, shuffle=True,
                                        num_workers=workers)
                dt, n = _epoch(loader)
                assert n == -(-n_images // batch)
                times[name].append(dt)
        ratios = [e / t for e, t in zip(times["ember"], times["torch"])]
        results[f"mnist_epoch_{workers}_workers"] = {
            "torch_s": statistics.median(times["torch"]),
            "ember_s": statistics.median(times["ember"]),
            "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios)}

    class ESleepy(_SleepyMixin, edata.Dataset):
        pass

    class TSleepy(_SleepyMixin, tdata.Dataset):
        pass

    for name, mod, cls in (("ember", edata, ESleepy), ("torch", tdata, TSleepy)):
        speedups, t0s, t2s = [], [], []
        for _ in range(max(1, repeats // 2)):
            t0 = _epoch(mod.DataLoader(cls(), batch_size=16, num_workers=0))[0]
            t2 = _epoch(mod.DataLoader(cls(), batch_size=16, num_workers=2))[0]
            t0s.append(t0)
            t2s.append(t2)
            speedups.append(t0 / t2)
        results[f"sleep_1ms_{name}"] = {
            "workers0_s": statistics.median(t0s), "workers2_s": statistics.median(t2s),
            "speedup": statistics.median(speedups), "speedup_min": min(speedups),
            "speedup_max": max(speedups)}
    return results


if __name__ == "__main__":
    res = run(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    for k, v in res.items():
        if isinstance(v, dict):
            v = "  ".join(f"{a}={b:.4g}" for a, b in v.items())
        print(f"{k:26s} {v}")
