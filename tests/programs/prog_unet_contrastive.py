"""A tiny U-Net (segmentation) + SimCLR NT-Xent loss + knowledge distillation + MultiheadAttention."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.GroupNorm(2, mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.GroupNorm(2, out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear):
        super().__init__()
        self.inc = DoubleConv(n_channels, 8)
        self.down1 = Down(8, 16)
        factor = 2 if bilinear else 1
        self.down2 = Down(16, 32 // factor)
        self.up1 = Up(32, 16 // factor, bilinear)
        self.up2 = Up(16, 8, bilinear)
        self.outc = nn.Conv2d(8, n_classes, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


def dice_loss(logits, target, n_classes, eps=1e-6):
    probs = logits.softmax(1)
    onehot = F.one_hot(target, n_classes).permute(0, 3, 1, 2).float()
    inter = (probs * onehot).sum(dim=(2, 3))
    union = probs.sum(dim=(2, 3)) + onehot.sum(dim=(2, 3))
    return 1 - ((2 * inter + eps) / (union + eps)).mean()


def nt_xent(z1, z2, temperature=0.5):
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    n = z1.size(0)
    sim = z @ z.t() / temperature
    sim.fill_diagonal_(float("-inf"))
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def det_init(model, seed):
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.copy_(torch.from_numpy(rng.normal(0, np.sqrt(2.0 / fan_in), p.shape).astype(np.float32)))
            elif name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.zero_()


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    # segmentation: bright squares on noise
    imgs = rng.normal(0, 0.3, size=(16, 1, 16, 16)).astype(np.float32)
    masks = np.zeros((16, 16, 16), dtype=np.int64)
    for k in range(16):
        r0, c0 = rng.randint(0, 10, size=2)
        imgs[k, 0, r0:r0 + 6, c0:c0 + 6] += 1.0
        masks[k, r0:r0 + 6, c0:c0 + 6] = 1
    X, M = torch.from_numpy(imgs), torch.from_numpy(masks)
    for bilinear in (True, False):
        net = UNet(1, 2, bilinear)
        det_init(net, 1)
        opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, weight_decay=1e-8, momentum=0.9, foreach=True)
        for step in range(6):
            logits = net(X)
            loss = F.cross_entropy(logits, M) + dice_loss(logits, M, 2)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        with torch.no_grad():
            pred = net(X).argmax(1)
            iou = ((pred == 1) & (M == 1)).sum().item() / max(((pred == 1) | (M == 1)).sum().item(), 1)
        print(f"unet bilinear={bilinear} loss {loss.item():.5f} iou {iou:.4f} out {tuple(logits.shape)}")

    # F.interpolate variants
    t = torch.arange(16.0).view(1, 1, 4, 4)
    for mode, kw in [("nearest", {}), ("bilinear", {"align_corners": False}),
                     ("bicubic", {"align_corners": True}), ("area", {})]:
        out = F.interpolate(t, size=(3, 5) if mode != "area" else (2, 2), mode=mode, **kw)
        print("interp", mode, " ".join(f"{v:.4f}" for v in out.flatten().tolist()[:6]))

    # contrastive projection head
    enc = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 16))
    det_init(enc, 2)
    views = torch.from_numpy(rng.normal(size=(2, 12, 1, 8, 8)).astype(np.float32))
    opt = torch.optim.SGD(enc.parameters(), lr=0.1, momentum=0.9)
    for step in range(5):
        loss = nt_xent(enc(views[0]), enc(views[1]))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step in (0, 4):
            print(f"simclr step {step} loss {loss.item():.5f}")

    # knowledge distillation
    teacher = nn.Linear(10, 5)
    student = nn.Sequential(nn.Linear(10, 8), nn.Tanh(), nn.Linear(8, 5))
    det_init(teacher, 3)
    det_init(student, 4)
    xs = torch.from_numpy(rng.normal(size=(32, 10)).astype(np.float32))
    ys = torch.from_numpy(rng.randint(0, 5, size=32))
    opt = torch.optim.Adam(student.parameters(), lr=1e-2)
    T, alpha = 4.0, 0.7
    for step in range(10):
        with torch.no_grad():
            t_logits = teacher(xs)
        s_logits = student(xs)
        kd = F.kl_div(F.log_softmax(s_logits / T, dim=1), F.softmax(t_logits / T, dim=1),
                      reduction="batchmean") * T * T
        kd2 = nn.KLDivLoss(reduction="batchmean", log_target=True)(
            F.log_softmax(s_logits / T, dim=1), F.log_softmax(t_logits / T, dim=1)) * T * T
        loss = alpha * kd + (1 - alpha) * F.cross_entropy(s_logits, ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"distill kd {kd.item():.5f} kd_logtarget {kd2.item():.5f} loss {loss.item():.5f}")

    # MultiheadAttention with masks
    mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True, dropout=0.0)
    det_init(mha, 5)
    q = torch.from_numpy(rng.normal(size=(2, 3, 8)).astype(np.float32))
    kv = torch.from_numpy(rng.normal(size=(2, 4, 8)).astype(np.float32))
    kpm = torch.tensor([[False, False, True, True], [False, False, False, False]])
    out, w = mha(q, kv, kv, key_padding_mask=kpm)
    print("mha", tuple(out.shape), tuple(w.shape), f"{out.sum().item():.5f}",
          w[0, :, 2:].abs().max().item())
    out2, w2 = mha(q, kv, kv, key_padding_mask=kpm, average_attn_weights=False)
    print("mha_heads", tuple(w2.shape), torch.allclose(w2.mean(1), w, atol=1e-6))
    causal = torch.triu(torch.ones(3, 3, dtype=torch.bool), diagonal=1)
    out3, w3 = mha(q, q, q, attn_mask=causal, need_weights=True)
    print("mha_causal", f"{w3[0, 0, 1:].sum().item():.6f}", f"{out3.mean().item():.5f}")
    out4, w4 = mha(q, q, q, need_weights=False)
    print("mha_noweights", w4 is None, f"{out4.std().item():.5f}")


if __name__ == "__main__":
    main()
