"""Ember quickstart: train a small CNN on scikit-learn's bundled digits (no downloads).

A PyTorch program with one changed line (`import ember as torch`). Trains with a progress
bar per epoch, reports test accuracy, saves a checkpoint and reloads it.

    python examples/quickstart.py [--epochs 15] [--batch-size 32]
"""
import argparse
import os
import tempfile

import numpy as np
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is optional
    def tqdm(iterable, **kwargs):
        return iterable


class DigitsCNN(nn.Module):
    """Two conv blocks and a small classifier for 8x8 grey digits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 4 * 4, 128)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)  # 32 x 4 x 4
        x = F.relu(self.conv2(x))                   # 64 x 4 x 4
        x = self.drop(F.relu(self.fc1(x.flatten(1))))
        return self.fc2(x)


def load_digits_split(seed=0):
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = digits.images.astype(np.float32)[:, None] / 16.0
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = 360
    return (torch.from_numpy(x[n_test:]), torch.from_numpy(y[n_test:]),
            torch.from_numpy(x[:n_test]), torch.from_numpy(y[:n_test]))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    args = ap.parse_args()

    torch.manual_seed(0)
    x_train, y_train, x_test, y_test = load_digits_split()
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size,
                        shuffle=True)
    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)

    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        bar = tqdm(loader, desc=f"epoch {epoch + 1}/{args.epochs}", leave=False)
        for xb, yb in bar:
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{loss.item():.3f}")
        scheduler.step()
        print(f"epoch {epoch + 1:2d}  loss {total / len(x_train):.4f}  "
              f"test accuracy {accuracy(model, x_test, y_test):.4f}")

    acc = accuracy(model, x_test, y_test)
    print(f"final test accuracy: {acc:.4f}")

    path = os.path.join(tempfile.mkdtemp(), "digits_cnn.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": args.epochs}, path)
    checkpoint = torch.load(path)
    restored = DigitsCNN()
    restored.load_state_dict(checkpoint["model"])
    restored_acc = accuracy(restored, x_test, y_test)
    print(f"checkpoint saved to {path} and reloaded: test accuracy {restored_acc:.4f}")
    assert restored_acc == acc
    return acc


if __name__ == "__main__":
    main()
