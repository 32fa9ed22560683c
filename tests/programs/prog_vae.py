"""VAE (pytorch/examples/vae style) on synthetic binary 8x8 images."""
import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 48)
        self.fc21 = nn.Linear(48, 4)
        self.fc22 = nn.Linear(48, 4)
        self.fc3 = nn.Linear(4, 48)
        self.fc4 = nn.Linear(48, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x, eps=None):
        mu, logvar = self.encode(x.view(-1, 64))
        if eps is None:
            z = self.reparameterize(mu, logvar)
        else:  # deterministic noise supplied by the caller
            z = mu + eps * torch.exp(0.5 * logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD, BCE, KLD


def main():
    torch.manual_seed(1)
    rng = np.random.RandomState(0)
    # images: random horizontal / vertical bars
    imgs = np.zeros((512, 8, 8), dtype=np.float32)
    for k in range(512):
        if rng.rand() < 0.5:
            imgs[k, rng.randint(8), :] = 1
        else:
            imgs[k, :, rng.randint(8)] = 1
    data = torch.from_numpy(imgs).unsqueeze(1)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(data), batch_size=64,
                                         shuffle=False)
    noise = torch.from_numpy(rng.normal(size=(8, 64, 4)).astype(np.float32))
    model = VAE()
    r = np.random.RandomState(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.15, 0.15, p.shape).astype(np.float32)))
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(1, 6):
        model.train()
        train_loss = bce_t = kld_t = 0.0
        for batch_idx, (x,) in enumerate(loader):
            optimizer.zero_grad()
            recon, mu, logvar = model(x, eps=noise[batch_idx])
            loss, bce, kld = loss_function(recon, x, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            bce_t += bce.item()
            kld_t += kld.item()
            optimizer.step()
        n = len(loader.dataset)
        print(f"====> Epoch: {epoch} Average loss: {train_loss / n:.4f} "
              f"bce {bce_t / n:.4f} kld {kld_t / n:.4f}")
    model.eval()
    with torch.no_grad():
        # stochastic path: only check it is sane
        recon, mu, logvar = model(data[:64])
        l, _, _ = loss_function(recon, data[:64], mu, logvar)
        print("stochastic_loss_ok", 0 < l.item() / 64 < 60)
        sample = torch.randn(16, 4)
        sample = model.decode(sample)
        print("sample", tuple(sample.view(16, 1, 8, 8).shape),
              bool(((sample >= 0) & (sample <= 1)).all()))
        recon, mu, logvar = model(data[:8], eps=torch.zeros(8, 4))
        print("mu0", " ".join(f"{v:.4f}" for v in mu[0].tolist()))
        print("recon_err", f"{F.mse_loss(recon, data[:8].view(-1, 64)).item():.5f}")


if __name__ == "__main__":
    main()
