"""Ember/torch ratios by CPU time on one thread: for a shared, loaded machine.

    python benchmarks/cpu_ratio.py [workload,...] [rounds]

Wall-clock ratios (run.py) swing with other processes' load; the CPU time a single-threaded
step takes (``time.process_time``) moves much less. Both libraries and NumPy's BLAS are held
to one thread; batches of steps alternate (Ember, torch, torch, Ember, ...) after a warm-up;
the ratio of the best and of the median batch is printed.
"""
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from workloads import WORKLOADS  # noqa: E402


def main(argv):
    import torch
    import ember
    torch.set_num_threads(1)
    ember.set_num_threads(1)
    try:
        import threadpoolctl
        threadpoolctl.threadpool_limits(1)
    except ImportError:
        pass
    names = argv[0].split(",") if argv else ["linear_regression", "mlp_train", "mlp_infer",
                                             "lstm_train", "gpt_train"]
    rounds = int(argv[1]) if len(argv) > 1 else 7
    clock = time.process_time
    for name in names:
        steps = {"ember": WORKLOADS[name](ember), "torch": WORKLOADS[name](torch)}
        per = {}
        for lib, step in steps.items():
            step()
            step()
            t0 = clock()
            step()
            per[lib] = max(1, int(0.2 / max(clock() - t0, 1e-5)))
        k = min(per.values())
        times = {"ember": [], "torch": []}
        for r in range(rounds):
            for lib in (("ember", "torch") if r % 2 == 0 else ("torch", "ember")):
                step = steps[lib]
                t0 = clock()
                for _ in range(k):
                    step()
                times[lib].append((clock() - t0) / k)
        e, t = times["ember"], times["torch"]
        print(f"{name:20s} ember {min(e) * 1e3:9.3f} ms  torch {min(t) * 1e3:9.3f} ms  "
              f"ratio best {min(e) / min(t):.2f}  median "
              f"{statistics.median(e) / statistics.median(t):.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
