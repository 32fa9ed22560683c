"""Vision workloads, Ember against torch in one process (alternating, warm-up, medians).

    python benchmarks/bench_vision.py [threads ...]      # default: 1 2

``run(threads)`` returns {workload: {"ember_ms", "torch_ms", "ratio", "spread"}}: the ratio is
the median of per-round Ember/torch ratios, the spread its inter-quartile range.
"""
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

TARGETS = {"cnn_train": 1.0, "cnn_infer": 0.8, "bn_cnn_train": 1.1}


def _cnn(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        """conv32-pool-conv64-pool-fc128-fc10 on 28x28 (shared PERFORMANCE.md's CNN)."""

        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(1, 32, 3, padding=1)
            self.c2 = nn.Conv2d(32, 64, 3, padding=1)
            self.f1 = nn.Linear(64 * 7 * 7, 128)
            self.f2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.c1(x)), 2)
            x = F.max_pool2d(F.relu(self.c2(x)), 2)
            return self.f2(F.relu(self.f1(x.flatten(1))))
    return Net()


def _bn_cnn(lib):
    nn = lib.nn

    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(*block(3, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
                         *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, 10))


def _copy_weights(src, dst, ember):
    dst.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                         src.state_dict().items()})


def _steps(lib, model, x, y, train):
    F = lib.nn.functional
    if not train:
        model.eval()

        def infer():
            with lib.no_grad():
                model(x)
        return infer
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    return step


def _workloads(torch, ember):
    rng = np.random.default_rng(0)
    x28 = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    x32 = rng.standard_normal((64, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    out = {}
    for name, make, x, train in (("cnn_train", _cnn, x28, True), ("cnn_infer", _cnn, x28, False),
                                 ("bn_cnn_train", _bn_cnn, x32, True)):
        tm = make(torch)
        em = make(ember)
        _copy_weights(tm, em, ember)
        out[name] = (_steps(torch, tm, torch.tensor(x), torch.tensor(y), train),
                     _steps(ember, em, ember.tensor(x), ember.tensor(y), train))
    return out


def _time(fn, reps):
    t = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t) / reps


def run(threads, rounds=15, reps=3, warmup=3):
    """Time every workload at ``threads`` threads; returns per-workload medians and ratio."""
    import torch
    import ember
    torch.set_num_threads(threads)
    if hasattr(ember, "set_num_threads"):
        ember.set_num_threads(threads)
    results = {}
    for name, (tstep, estep) in _workloads(torch, ember).items():
        for _ in range(warmup):
            tstep()
            estep()
        ts, es, ratios = [], [], []
        for _ in range(rounds):
            a = _time(estep, reps)
            b = _time(tstep, reps)
            es.append(a)
            ts.append(b)
            ratios.append(a / b)
        q = statistics.quantiles(ratios, n=4)
        results[name] = {"ember_ms": statistics.median(es) * 1e3,
                         "torch_ms": statistics.median(ts) * 1e3,
                         "ratio": statistics.median(ratios), "spread": (q[0], q[2]),
                         "target": TARGETS[name]}
    return results


def main(argv):
    threads = [int(a) for a in argv] or [1, 2]
    print("| workload | threads | Ember ms | torch ms | ratio (IQR) | target |")
    print("|---|---|---|---|---|---|")
    for th in threads:
        for name, r in run(th).items():
            lo, hi = r["spread"]
            print(f"| {name} | {th} | {r['ember_ms']:.2f} | {r['torch_ms']:.2f} | "
                  f"{r['ratio']:.2f} ({lo:.2f}-{hi:.2f}) | <= {r['target']} |", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
