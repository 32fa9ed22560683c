"""IterableDataset sharded across workers, torch.multiprocessing Hogwild training, shared memory."""
import math

import numpy as np
import torch
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset, get_worker_info


class RangeStream(IterableDataset):
    def __init__(self, start, end):
        super().__init__()
        self.start, self.end = start, end

    def __iter__(self):
        worker_info = get_worker_info()
        if worker_info is None:
            iter_start, iter_end = self.start, self.end
        else:
            per_worker = int(math.ceil((self.end - self.start) / float(worker_info.num_workers)))
            iter_start = self.start + worker_info.id * per_worker
            iter_end = min(iter_start + per_worker, self.end)
        for i in range(iter_start, iter_end):
            yield {"x": np.array([i, i % 3], dtype=np.float32), "y": i % 2}


class NumpyDataset(torch.utils.data.Dataset):
    """Returns numpy arrays and python numbers: default_collate must convert them."""

    def __init__(self):
        rng = np.random.RandomState(0)
        self.x = rng.normal(size=(10, 3))          # float64
        self.y = rng.randint(0, 2, size=10)

    def __len__(self):
        return 10

    def __getitem__(self, i):
        return self.x[i], self.y[i], float(self.x[i, 0]), (i, "name%d" % i)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


def train(rank, model, X, Y, steps):
    torch.manual_seed(1 + rank)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for s in range(steps):
        idx = torch.randint(0, X.size(0), (16,))
        opt.zero_grad()
        loss = F.cross_entropy(model(X[idx]), Y[idx])
        loss.backward()
        opt.step()


def square_into(i, shared):
    shared[i] = i * i


def main():
    torch.manual_seed(0)
    ds = RangeStream(0, 10)
    print("single", [int(b["x"][0]) for b in DataLoader(ds, batch_size=None)])
    out = list(DataLoader(ds, batch_size=2, num_workers=2))
    xs = sorted(int(v) for b in out for v in b["x"][:, 0].tolist())
    print("workers", xs, out[0]["x"].dtype, out[0]["y"].dtype)
    nd = DataLoader(NumpyDataset(), batch_size=4)
    x, y, f, (i, names) = next(iter(nd))
    print("numpy_collate", x.dtype, tuple(x.shape), y.dtype, f.dtype, i.tolist(), names)
    print("collate_fn", torch.utils.data.default_collate([np.float32(1.0), np.float32(2.0)]).dtype,
          torch.utils.data.default_collate([{"a": 1}, {"a": 2}]))

    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.normal(size=(256, 4)).astype(np.float32))
    Y = (X[:, 0] + X[:, 1] > 0).long()
    model = Net()
    model.share_memory()
    print("shared", all(p.is_shared() for p in model.parameters()))
    before = F.cross_entropy(model(X), Y).item()
    processes = []
    ctx = mp.get_context("fork")
    for rank in range(2):
        p = ctx.Process(target=train, args=(rank, model, X, Y, 60))
        p.start()
        processes.append(p)
    for p in processes:
        p.join()
    print("exitcodes", [p.exitcode for p in processes])
    after = F.cross_entropy(model(X), Y).item()
    print("hogwild_learned", after < before - 0.05)
    shared = torch.zeros(4).share_memory_()
    procs = [ctx.Process(target=square_into, args=(i, shared)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("shared_tensor", shared.tolist())
    with ctx.Pool(2) as pool:
        res = pool.map(torch.Tensor.sum, [torch.ones(3), torch.arange(4.0)])
    print("pool", [r.item() for r in res])


if __name__ == "__main__":
    main()
