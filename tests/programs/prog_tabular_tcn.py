"""Tabular model with categorical embeddings + class-imbalance loss + ROC-AUC from sort/cumsum,
and a temporal convolutional network (dilated causal Conv1d, weight_norm) on sliding windows,
with an argparse-driven training loop writing TensorBoard-style scalars to a dict logger."""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import weight_norm
from torch.utils.data import DataLoader, TensorDataset


class TabularNet(nn.Module):
    def __init__(self, cardinalities, n_cont, emb_dim=4, hidden=16):
        super().__init__()
        self.embs = nn.ModuleList([nn.Embedding(c, emb_dim) for c in cardinalities])
        self.bn_cont = nn.BatchNorm1d(n_cont)
        self.mlp = nn.Sequential(nn.Linear(len(cardinalities) * emb_dim + n_cont, hidden),
                                 nn.ReLU(), nn.Dropout(0.0), nn.Linear(hidden, 1))

    def forward(self, x_cat, x_cont):
        e = [emb(x_cat[:, i]) for i, emb in enumerate(self.embs)]
        x = torch.cat(e + [self.bn_cont(x_cont)], 1)
        return self.mlp(x).squeeze(-1)


def roc_auc(scores, labels):
    order = torch.argsort(scores, descending=True)
    l = labels[order].float()
    tps = torch.cumsum(l, 0)
    fps = torch.cumsum(1 - l, 0)
    tpr = torch.cat([torch.zeros(1), tps / tps[-1]])
    fpr = torch.cat([torch.zeros(1), fps / fps[-1]])
    return torch.trapz(tpr, fpr).item()


class Chomp1d(nn.Module):
    def __init__(self, chomp_size):
        super().__init__()
        self.chomp_size = chomp_size

    def forward(self, x):
        return x[:, :, :-self.chomp_size].contiguous()


class TemporalBlock(nn.Module):
    def __init__(self, n_inputs, n_outputs, kernel_size, dilation):
        super().__init__()
        padding = (kernel_size - 1) * dilation
        self.conv1 = weight_norm(nn.Conv1d(n_inputs, n_outputs, kernel_size, padding=padding,
                                           dilation=dilation))
        self.chomp1 = Chomp1d(padding)
        self.relu1 = nn.ReLU()
        self.conv2 = weight_norm(nn.Conv1d(n_outputs, n_outputs, kernel_size, padding=padding,
                                           dilation=dilation))
        self.chomp2 = Chomp1d(padding)
        self.net = nn.Sequential(self.conv1, self.chomp1, self.relu1, self.conv2, self.chomp2, nn.ReLU())
        self.downsample = nn.Conv1d(n_inputs, n_outputs, 1) if n_inputs != n_outputs else None
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.net(x)
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class TCN(nn.Module):
    def __init__(self, channels=(8, 8), kernel_size=3):
        super().__init__()
        layers = []
        for i, ch in enumerate(channels):
            layers.append(TemporalBlock(1 if i == 0 else channels[i - 1], ch, kernel_size, 2 ** i))
        self.network = nn.Sequential(*layers)
        self.head = nn.Linear(channels[-1], 1)

    def forward(self, x):
        return self.head(self.network(x)[:, :, -1])


def det(model, seed, scale=0.3):
    r = np.random.RandomState(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "bn" in name and name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.copy_(torch.from_numpy(r.uniform(-scale, scale, p.shape).astype(np.float32)))
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="tabular + TCN")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--no-cuda", action="store_true", default=False)
    args = parser.parse_args(argv)
    use_cuda = not args.no_cuda and torch.cuda.is_available()
    device = torch.device("cuda" if use_cuda else "cpu")
    torch.manual_seed(args.seed)
    rng = np.random.RandomState(0)
    n = 512
    x_cat = np.stack([rng.randint(0, 5, n), rng.randint(0, 3, n)], 1)
    x_cont = rng.normal(size=(n, 3)).astype(np.float32)
    logit = 0.8 * x_cont[:, 0] - 0.5 * x_cont[:, 1] + (x_cat[:, 0] == 2) * 1.5 - 2.0
    y = (rng.rand(n) < 1 / (1 + np.exp(-logit))).astype(np.float32)
    ds = TensorDataset(torch.from_numpy(x_cat), torch.from_numpy(x_cont), torch.from_numpy(y))
    loader = DataLoader(ds, batch_size=64, shuffle=False)
    model = det(TabularNet([5, 3], 3), 1).to(device)
    pos_weight = torch.tensor([(y == 0).sum() / max((y == 1).sum(), 1)], dtype=torch.float32)
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    history = {"loss": [], "auc": []}
    print("pos_weight", f"{pos_weight.item():.4f}")
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xc, xn, yy in loader:
            xc, xn, yy = xc.to(device), xn.to(device), yy.to(device)
            opt.zero_grad()
            loss = criterion(model(xc, xn), yy)
            loss.backward()
            opt.step()
            total += loss.item() * xc.size(0)
        model.eval()
        with torch.no_grad():
            scores = torch.sigmoid(model(ds.tensors[0], ds.tensors[1]))
        auc = roc_auc(scores, ds.tensors[2])
        history["loss"].append(total / n)
        history["auc"].append(auc)
        print(f"Epoch {epoch}/{args.epochs} loss={total / n:.4f} auc={auc:.4f}")
    with torch.no_grad():
        preds = (scores > 0.5).long()
        labels = ds.tensors[2].long()
        cm = torch.bincount(labels * 2 + preds, minlength=4).view(2, 2)
        precision = cm[1, 1].item() / max(cm[:, 1].sum().item(), 1)
        recall = cm[1, 1].item() / max(cm[1].sum().item(), 1)
    print("confusion", cm.tolist(), f"precision {precision:.4f} recall {recall:.4f}")
    wl = F.binary_cross_entropy_with_logits(torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.0, 1.0]),
                                            weight=torch.tensor([1.0, 2.0, 0.5]), reduction="sum")
    print("weighted_bce", f"{wl.item():.5f}")
    fl_logits = torch.tensor([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]])
    fl_t = torch.tensor([0, 2])
    ce = F.cross_entropy(fl_logits, fl_t, reduction="none")
    focal = ((1 - torch.exp(-ce)) ** 2 * ce).mean()
    print("focal", f"{focal.item():.5f}", "ce_weighted",
          f"{F.cross_entropy(fl_logits, fl_t, weight=torch.tensor([1.0, 2.0, 3.0])).item():.5f}")

    # ---- TCN forecasting on a noisy sine with sliding windows from Tensor.unfold
    t = torch.arange(400, dtype=torch.float32)
    series = torch.sin(t * 2 * math.pi / 25) + 0.1 * torch.from_numpy(rng.normal(size=400).astype(np.float32))
    windows = series.unfold(0, 33, 1)            # (368, 33)
    X, Y = windows[:, :32].unsqueeze(1), windows[:, 32:]
    mean, std = X.mean(), X.std()
    Xn = (X - mean) / std
    tcn = TCN()
    det(tcn, 2)
    print("tcn_params", sorted({n.split(".")[-1] for n, _ in tcn.named_parameters()}))
    opt = torch.optim.AdamW(tcn.parameters(), lr=5e-3)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, threshold=1e-3)
    for epoch in range(5):
        tot = 0.0
        for i in range(0, 320, 64):
            pred = tcn(Xn[i:i + 64])
            loss = F.huber_loss(pred, (Y[i:i + 64] - mean) / std, delta=1.0)
            opt.zero_grad()
            loss.backward()
            opt.step()
            tot += loss.item()
        with torch.no_grad():
            val = F.mse_loss(tcn(Xn[320:]), (Y[320:] - mean) / std).item()
        sched.step(val)
        print(f"tcn epoch {epoch} train {tot / 5:.5f} val {val:.5f} lr {opt.param_groups[0]['lr']:.5f}")
    q = torch.tensor([0.1, 0.5, 0.9])
    err = (Y[320:] - (tcn(Xn[320:]).detach() * std + mean))
    pinball = torch.max(q * err, (q - 1) * err).mean(0)
    print("pinball", " ".join(f"{v:.4f}" for v in pinball.tolist()))
    return history


if __name__ == "__main__":
    main()
