"""Checkpoint save / resume of model + optimizer + scheduler + RNG state."""
import os
import random
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(2, 4, 3, padding=1)
        self.bn = nn.BatchNorm1d(4)
        self.drop = nn.Dropout(0.3)
        self.fc = nn.Linear(4 * 8, 3)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        x = self.drop(x)
        return self.fc(x.flatten(1))


def build(seed):
    torch.manual_seed(seed)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    return model, opt, sched


def train_epoch(model, opt, sched, X, Y):
    model.train()
    perm = torch.randperm(X.size(0))   # uses the global generator
    tot = 0.0
    for i in range(0, X.size(0), 16):
        idx = perm[i:i + 16]
        loss = F.cross_entropy(model(X[idx]), Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        tot += loss.item()
    sched.step()
    return tot


def main():
    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.normal(size=(64, 2, 8)).astype(np.float32))
    Y = torch.from_numpy(rng.randint(0, 3, size=64))
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "ckpt.pt")

    # run A: 4 epochs straight, checkpoint after epoch 2
    model, opt, sched = build(0)
    losses_a = []
    for epoch in range(4):
        losses_a.append(train_epoch(model, opt, sched, X, Y))
        if epoch == 1:
            torch.save({
                "epoch": epoch,
                "model_state_dict": model.state_dict(),
                "optimizer_state_dict": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "rng_state": torch.get_rng_state(),
                "py_rng": random.getstate(),
                "np_rng": np.random.get_state(),
                "loss": losses_a[-1],
            }, path)
    final_a = {k: v.clone() for k, v in model.state_dict().items()}

    # run B: fresh objects (different init), resume from the checkpoint
    model2, opt2, sched2 = build(123)
    checkpoint = torch.load(path, weights_only=False)
    missing = model2.load_state_dict(checkpoint["model_state_dict"])
    print("load_result", missing.missing_keys, missing.unexpected_keys)
    opt2.load_state_dict(checkpoint["optimizer_state_dict"])
    sched2.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["rng_state"])
    start = checkpoint["epoch"] + 1
    print("resume_from", start, "lr", opt2.param_groups[0]["lr"], sched2.last_epoch)
    losses_b = []
    for epoch in range(start, 4):
        losses_b.append(train_epoch(model2, opt2, sched2, X, Y))
    same = all(torch.equal(final_a[k], v) for k, v in model2.state_dict().items())
    print("resumed_identical", same, losses_a[2:] == losses_b)
    print("rng_state", checkpoint["rng_state"].dtype, checkpoint["rng_state"].dim())
    print("ckpt_keys", sorted(checkpoint.keys()))
    print("opt_state_keys", sorted(checkpoint["optimizer_state_dict"].keys()),
          sorted(checkpoint["optimizer_state_dict"]["param_groups"][0].keys()))
    print("sd_keys", list(checkpoint["model_state_dict"].keys()))
    print("num_batches_tracked", checkpoint["model_state_dict"]["bn.num_batches_tracked"].item(),
          checkpoint["model_state_dict"]["bn.num_batches_tracked"].dtype)

    # rng state round trip
    s = torch.get_rng_state()
    r1 = torch.rand(3)
    torch.set_rng_state(s)
    r2 = torch.rand(3)
    print("rng_roundtrip", torch.equal(r1, r2))
    g = torch.Generator().manual_seed(7)
    gs = g.get_state()
    a = torch.randn(2, generator=g)
    g.set_state(gs)
    print("generator_roundtrip", torch.equal(a, torch.randn(2, generator=g)))
    s0 = torch.get_rng_state()
    with torch.random.fork_rng():
        torch.manual_seed(1)
        torch.rand(5)
    print("fork_rng_restores", torch.equal(torch.get_rng_state(), s0))

    # save a model object's weights and a tensor dict, map_location, weights_only loading
    torch.save(model.state_dict(), os.path.join(tmp, "w.pth"))
    sd = torch.load(os.path.join(tmp, "w.pth"), map_location="cpu", weights_only=True)
    m3 = Net()
    m3.load_state_dict(sd)
    m3.eval()
    model.eval()
    with torch.no_grad():
        print("reload_equal", torch.equal(m3(X), model(X)))
    # tensors sharing storage stay shared after a round trip
    base = torch.arange(10.0)
    torch.save({"a": base, "b": base[2:5]}, os.path.join(tmp, "views.pt"))
    d = torch.load(os.path.join(tmp, "views.pt"))
    d["a"][3] = 100.0
    print("views_shared", d["b"].tolist())
    # final numbers
    print("final_fc_finite", bool(torch.isfinite(model.fc.weight).all()))


if __name__ == "__main__":
    main()
