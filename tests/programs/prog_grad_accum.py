"""Gradient accumulation + OneCycleLR + AdamW with parameter groups (HF-Trainer style loop)."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class MLP(nn.Module):
    def __init__(self, d_in, d_hidden, n_out):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, d_hidden),
            nn.LayerNorm(d_hidden),
            nn.GELU(),
            nn.Linear(d_hidden, d_hidden),
            nn.BatchNorm1d(d_hidden),
            nn.SiLU(),
            nn.Linear(d_hidden, n_out),
        )

    def forward(self, x):
        return self.net(x)


def main():
    torch.manual_seed(42)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(512, 16)).astype(np.float32)
    W = rng.normal(size=(16, 4)).astype(np.float32)
    Y = (X @ W + 0.3 * rng.normal(size=(512, 4))).argmax(1)
    X, Y = torch.from_numpy(X), torch.from_numpy(Y)

    model = MLP(16, 32, 4)
    r = np.random.RandomState(3)
    sd = model.state_dict()
    new_sd = {k: torch.from_numpy(r.uniform(-0.3, 0.3, v.shape).astype(np.float32))
              if v.is_floating_point() and "running" not in k else v for k, v in sd.items()}
    model.load_state_dict(new_sd)

    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias"):
            no_decay.append(param)
        else:
            decay.append(param)
    optimizer = torch.optim.AdamW([
        {"params": decay, "weight_decay": 0.05},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=1e-3, betas=(0.9, 0.98), eps=1e-6)
    print("groups", len(decay), len(no_decay), optimizer.defaults["weight_decay"])

    accum_steps = 4
    micro_bs = 16
    epochs = 3
    steps_per_epoch = 512 // (micro_bs * accum_steps)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=[1e-2, 5e-3], epochs=epochs, steps_per_epoch=steps_per_epoch,
        pct_start=0.3, anneal_strategy="cos", div_factor=10.0, final_div_factor=100.0)
    lrs = []
    global_step = 0
    for epoch in range(epochs):
        model.train()
        running = 0.0
        optimizer.zero_grad()
        for i in range(0, 512, micro_bs):
            xb, yb = X[i:i + micro_bs], Y[i:i + micro_bs]
            loss = F.cross_entropy(model(xb), yb) / accum_steps
            loss.backward()
            running += loss.item()
            if (i // micro_bs + 1) % accum_steps == 0:
                total_norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad(set_to_none=True)
                global_step += 1
                lrs.append(scheduler.get_last_lr())
        print(f"epoch {epoch} loss {running / steps_per_epoch:.5f} gnorm {total_norm.item():.5f}")
    print("steps", global_step)
    print("lr_g0", " ".join(f"{lr[0]:.6f}" for lr in lrs[::3]))
    print("lr_g1", " ".join(f"{lr[1]:.6f}" for lr in lrs[::3]))
    print("momentum", " ".join(f"{g['betas'][0]:.5f}" for g in optimizer.param_groups))
    model.eval()
    with torch.no_grad():
        logits = model(X)
        acc = (logits.argmax(-1) == Y).float().mean().item()
    print(f"train_acc {acc:.4f}")
    st = optimizer.state[decay[0]]
    print("state_keys", sorted(st.keys()), float(st["step"]))
    print("exp_avg_sq_sum", f"{st['exp_avg_sq'].sum().item():.6e}")
    sd = scheduler.state_dict()
    print("sched_state", sd["last_epoch"], sd["total_steps"], sd["_step_count"])


if __name__ == "__main__":
    main()
