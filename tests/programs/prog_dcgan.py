"""DCGAN on random 16x16 images (pytorch/examples/dcgan style)."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

nz, ngf, ndf, nc = 8, 8, 8, 1


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False),   # 4x4
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),  # 8x8
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, nc, 4, 2, 1, bias=False),  # 16x16
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),  # 8x8
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),  # 4x4
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),  # 1x1
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


def np_init(model, seed):
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("weight") and p.dim() > 1:
                p.copy_(torch.from_numpy(rng.normal(0, 0.02, p.shape).astype("float32")))
            elif name.endswith("weight"):
                p.copy_(torch.from_numpy(rng.normal(1.0, 0.02, p.shape).astype("float32")))


def main():
    torch.manual_seed(999)
    rng = np.random.RandomState(0)
    # "real" data: smooth blobs in [-1, 1]
    yy, xx = np.mgrid[0:16, 0:16] / 15.0
    centers = rng.uniform(0.2, 0.8, size=(128, 2))
    real = np.exp(-((xx[None] - centers[:, 0, None, None]) ** 2 +
                    (yy[None] - centers[:, 1, None, None]) ** 2) / 0.05) * 2 - 1
    real = torch.from_numpy(real.astype(np.float32)).unsqueeze(1)
    noise_bank = torch.from_numpy(rng.normal(size=(4, 32, nz, 1, 1)).astype(np.float32))

    netG, netD = Generator(), Discriminator()
    netG.apply(weights_init)
    netD.apply(weights_init)
    np_init(netG, 1)
    np_init(netD, 2)
    print(netG)
    criterion = nn.BCEWithLogitsLoss()
    real_label, fake_label = 1.0, 0.0
    optimizerD = optim.Adam(netD.parameters(), lr=2e-3, betas=(0.5, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=2e-3, betas=(0.5, 0.999))
    for epoch in range(2):
        for i in range(4):
            real_cpu = real[i * 32:(i + 1) * 32]
            b_size = real_cpu.size(0)
            # (1) Update D: maximize log(D(x)) + log(1 - D(G(z)))
            netD.zero_grad()
            label = torch.full((b_size,), real_label, dtype=torch.float)
            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = torch.sigmoid(output).mean().item()
            noise = noise_bank[i]
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = torch.sigmoid(output).mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()
            # (2) Update G: maximize log(D(G(z)))
            netG.zero_grad()
            label.fill_(real_label)
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = torch.sigmoid(output).mean().item()
            optimizerG.step()
            print(f"[{epoch}/{2}][{i}/4] Loss_D: {errD.item():.4f} Loss_G: {errG.item():.4f} "
                  f"D(x): {D_x:.4f} D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}")
    netG.eval()
    with torch.no_grad():
        fixed = netG(noise_bank[0][:4])
    print("fake", tuple(fixed.shape), f"{fixed.mean().item():.4f} {fixed.std().item():.4f}")
    print("range_ok", bool(fixed.min() >= -1 and fixed.max() <= 1))
    bn = netG.main[1]
    print("bn_tracked", int(bn.num_batches_tracked), f"{bn.running_mean.abs().sum().item():.4f}")
    # random latent (stream differs) only checked for shape/range
    z = torch.randn(2, nz, 1, 1)
    print("random_sample", tuple(netG(z).shape))


if __name__ == "__main__":
    main()
