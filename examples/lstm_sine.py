"""An LSTM learns to continue sine waves (synthetic data, no downloads).

    python examples/lstm_sine.py [--epochs 60]
"""
import argparse
import math

import ember as torch
import ember.nn as nn


class SineLSTM(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out)


def make_waves(n, steps=40):
    phase = torch.rand(n, 1) * 2 * math.pi
    freq = 0.5 + torch.rand(n, 1)
    t = torch.arange(steps + 1).float().unsqueeze(0) * 0.2
    waves = torch.sin(freq * t + phase).unsqueeze(-1)
    return waves[:, :-1], waves[:, 1:]  # predict the next value at every step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=60)
    args = ap.parse_args()
    torch.manual_seed(0)
    x, y = make_waves(256)
    model = SineLSTM()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(args.epochs):
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d}  mse {loss.item():.5f}")
    xt, yt = make_waves(64)
    with torch.no_grad():
        test = nn.functional.mse_loss(model(xt), yt).item()
    print(f"test mse {test:.5f}")
    assert test < 0.01


if __name__ == "__main__":
    main()
