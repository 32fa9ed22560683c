"""A variational autoencoder on scikit-learn's bundled 8x8 digits.

    python examples/vae_digits.py [--epochs 40]

Prints the evidence lower bound as it improves and writes a grid of decoded samples to
vae_samples.png (when matplotlib is installed).
"""
import argparse

import numpy as np
import ember as torch
import ember.nn as nn
import ember.nn.functional as F
from ember.utils.data import DataLoader, TensorDataset


class VAE(nn.Module):
    def __init__(self, latent=8):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(64, 128), nn.ReLU())
        self.mu = nn.Linear(128, latent)
        self.logvar = nn.Linear(128, latent)
        self.dec = nn.Sequential(nn.Linear(latent, 128), nn.ReLU(), nn.Linear(128, 64))

    def forward(self, x):
        h = self.enc(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()  # reparameterisation
        return self.dec(z), mu, logvar


def elbo_loss(logits, x, mu, logvar):
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
    kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return (rec + kl) / x.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args()
    from sklearn.datasets import load_digits
    torch.manual_seed(0)
    data = torch.from_numpy((load_digits().data / 16.0).astype(np.float32))
    loader = DataLoader(TensorDataset(data), batch_size=64, shuffle=True)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    first = None
    for epoch in range(args.epochs):
        total = 0.0
        for (xb,) in loader:
            logits, mu, logvar = model(xb)
            loss = elbo_loss(logits, xb, mu, logvar)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        avg = total / len(data)
        first = first if first is not None else avg
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d}  negative ELBO {avg:.3f}")
    assert avg < first, "the VAE should improve"
    with torch.no_grad():
        samples = torch.sigmoid(model.dec(torch.randn(16, 8))).view(16, 8, 8)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, axes = plt.subplots(2, 8, figsize=(8, 2))
        for ax, img in zip(axes.flat, samples):
            ax.imshow(img.numpy(), cmap="gray")
            ax.axis("off")
        fig.savefig("vae_samples.png")
        print("wrote vae_samples.png")
    except ImportError:
        pass


if __name__ == "__main__":
    main()
