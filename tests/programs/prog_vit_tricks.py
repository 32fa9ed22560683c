"""Vision Transformer with timm-style tricks: DropPath, EMA, mixup, trunc_normal_, SequentialLR,
activation checkpointing, AveragedModel."""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint


def drop_path(x, drop_prob: float = 0.0, training: bool = False, scale_by_keep: bool = True):
    if drop_prob == 0.0 or not training:
        return x
    keep_prob = 1 - drop_prob
    shape = (x.shape[0],) + (1,) * (x.ndim - 1)
    random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
    if keep_prob > 0.0 and scale_by_keep:
        random_tensor.div_(keep_prob)
    return x * random_tensor


class DropPath(nn.Module):
    def __init__(self, drop_prob=0.0):
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x):
        return drop_path(x, self.drop_prob, self.training)

    def extra_repr(self):
        return f"drop_prob={round(self.drop_prob, 3):0.3f}"


class PatchEmbed(nn.Module):
    def __init__(self, img_size=16, patch_size=4, in_chans=3, embed_dim=32):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class Attention(nn.Module):
    def __init__(self, dim, num_heads=4):
        super().__init__()
        self.num_heads = num_heads
        self.scale = (dim // num_heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * self.scale
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim, heads, drop_path=0.0, use_ckpt=False):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.drop_path = DropPath(drop_path) if drop_path > 0.0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim))
        self.use_ckpt = use_ckpt

    def _attn(self, x):
        return self.attn(self.norm1(x))

    def forward(self, x):
        if self.use_ckpt and self.training:
            x = x + self.drop_path(checkpoint(self._attn, x, use_reentrant=False))
        else:
            x = x + self.drop_path(self._attn(x))
        return x + self.drop_path(self.mlp(self.norm2(x)))


class ViT(nn.Module):
    def __init__(self, num_classes=4, dim=32, depth=2, heads=4, drop_path_rate=0.0, use_ckpt=False):
        super().__init__()
        self.patch_embed = PatchEmbed(embed_dim=dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, dim))
        dpr = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
        self.blocks = nn.Sequential(*[Block(dim, heads, dpr[i], use_ckpt) for i in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)

    @torch.jit.ignore
    def no_weight_decay(self):
        return {"pos_embed", "cls_token"}

    def forward_features(self, x):
        x = self.patch_embed(x)
        cls_token = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat((cls_token, x), dim=1)
        x = x + self.pos_embed
        x = self.blocks(x)
        return self.norm(x)

    def forward(self, x):
        return self.head(self.forward_features(x)[:, 0])


class ModelEma:
    def __init__(self, model, decay=0.9):
        self.module = copy.deepcopy(model)
        self.module.eval()
        self.decay = decay
        for p in self.module.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model):
        ema_params = tuple(self.module.parameters())
        model_params = tuple(model.parameters())
        torch._foreach_lerp_(ema_params, model_params, weight=1.0 - self.decay)
        for ema_b, b in zip(self.module.buffers(), model.buffers()):
            ema_b.copy_(b)


def mixup(x, y, lam, perm, num_classes):
    y1 = F.one_hot(y, num_classes).float()
    return lam * x + (1 - lam) * x[perm], lam * y1 + (1 - lam) * y1[perm]


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    protos = rng.normal(size=(4, 3, 16, 16)).astype(np.float32)
    y = rng.randint(0, 4, size=128)
    X = torch.from_numpy(protos[y] + rng.normal(size=(128, 3, 16, 16)).astype(np.float32))
    Y = torch.from_numpy(y)
    lams = rng.beta(0.4, 0.4, size=8).astype(np.float32)
    perms = [torch.from_numpy(rng.permutation(32)) for _ in range(8)]

    model = ViT(use_ckpt=True)
    r = np.random.RandomState(1)
    with torch.no_grad():
        for n, p in model.named_parameters():
            if p.dim() > 1:
                p.copy_(torch.from_numpy(np.clip(r.normal(0, 0.05, p.shape), -0.1, 0.1).astype(np.float32)))
            elif "norm" not in n:
                p.zero_()
    print(model.blocks[0])
    skip = model.no_weight_decay()
    decay = [p for n, p in model.named_parameters() if p.ndim > 1 and n not in skip]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1 or n in skip]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}], lr=2e-3)
    warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
    cos = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5, eta_min=1e-5)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[warm, cos], milestones=[3])
    ema = ModelEma(model, decay=0.8)
    swa = torch.optim.swa_utils.AveragedModel(model)
    for epoch in range(2):
        model.train()
        tot = 0.0
        for i in range(4):
            xb, yb = X[i * 32:(i + 1) * 32], Y[i * 32:(i + 1) * 32]
            k = epoch * 4 + i
            xm, ym = mixup(xb, yb, float(lams[k]), perms[k], 4)
            xm = xm.contiguous(memory_format=torch.channels_last)
            out = model(xm)
            loss = torch.sum(-ym * F.log_softmax(out, dim=-1), dim=-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            ema.update(model)
            tot += loss.item()
        swa.update_parameters(model)
        print(f"epoch {epoch} loss {tot / 4:.5f} lr {sched.get_last_lr()[0]:.6f}")
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == Y).float().mean().item()
        acc_ema = (ema.module(X).argmax(1) == Y).float().mean().item()
        acc_swa = (swa(X).argmax(1) == Y).float().mean().item()
    print(f"acc {acc:.4f} ema {acc_ema:.4f} swa {acc_swa:.4f} n_averaged {int(swa.n_averaged)}")
    diff = sum((a - b).abs().sum().item() for a, b in zip(ema.module.parameters(), model.parameters()))
    print(f"ema_diff {diff:.5f}")
    # drop path: stochastic, check its statistics only
    dp = DropPath(0.5)
    dp.train()
    outs = dp(torch.ones(4000, 3))
    print("drop_path_ok", abs(outs[:, 0].mean().item() - 1.0) < 0.1,
          set(outs.unique().tolist()) <= {0.0, 2.0})
    dp.eval()
    print("drop_path_eval", torch.equal(dp(torch.ones(2, 2)), torch.ones(2, 2)))
    print("channels_last", xm.is_contiguous(memory_format=torch.channels_last), xm.stride())


if __name__ == "__main__":
    main()
