"""DataLoader throughput against torch.utils.data, measured in one process.

Workloads (the issue's): one epoch over a TensorDataset of 60,000 28x28 float32 images with
int64 labels, batch 64, with 0 and 2 workers; and a dataset whose ``__getitem__`` sleeps
1 ms, where 2 workers must beat 0 workers by at least 1.7x.

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


def run(threads=2, repeats=3, n_images=60000, batch=64):
    """Time the epochs; returns a dict of median seconds and ember/torch (or speed-up) ratios."""
    import torch
    import torch.utils.data as tdata

    import ember
    import ember.utils.data as edata

    torch.set_num_threads(threads)
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
        t = statistics.median(times["torch"])
        e = statistics.median(times["ember"])
        results[f"mnist_w{workers}_torch_s"] = t
        results[f"mnist_w{workers}_ember_s"] = e
        results[f"mnist_w{workers}_ratio"] = e / t

    class ESleepy(_SleepyMixin, edata.Dataset):
        pass

    class TSleepy(_SleepyMixin, tdata.Dataset):
        pass

    for name, mod, cls in (("ember", edata, ESleepy), ("torch", tdata, TSleepy)):
        t0 = statistics.median(_epoch(mod.DataLoader(cls(), batch_size=16, num_workers=0))[0]
                               for _ in range(repeats))
        t2 = statistics.median(_epoch(mod.DataLoader(cls(), batch_size=16, num_workers=2))[0]
                               for _ in range(repeats))
        results[f"sleep_{name}_w0_s"] = t0
        results[f"sleep_{name}_w2_s"] = t2
        results[f"sleep_{name}_speedup"] = t0 / t2
    return results


if __name__ == "__main__":
    res = run(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    for k, v in res.items():
        print(f"{k:24s} {v:.4f}" if isinstance(v, float) else f"{k:24s} {v}")
