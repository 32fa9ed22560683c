"""Sequence-model training steps against torch, measured in one process.

Workloads (issue 5):
- LSTM 32->128, sequence 50, batch 32, linear head, MSE, Adam.
- GPT in the nanoGPT style: 4 layers, 4 heads, d=128, context 64, batch 32, vocabulary 65,
  hand-written causal attention (q @ k^T * scale, masked_fill(-inf), softmax, dropout, @ v),
  dropout 0.1, AdamW.
Each step is forward, loss, backward and the optimizer step; Ember and torch alternate
rounds after a warm-up; medians and ember/torch ratios (with the spread over rounds).

    python benchmarks/bench_sequence.py [threads]
"""
import math
import statistics
import sys
import time

import numpy as np


def _data(lib, *shape, seed=0, high=None):
    rng = np.random.default_rng(seed)
    if high is not None:
        return lib.from_numpy(rng.integers(0, high, shape).astype(np.int64))
    return lib.from_numpy(rng.standard_normal(shape).astype(np.float32))


def lstm_step(lib):
    """One training step of an LSTM regressor (returns a no-argument callable)."""
    nn = lib.nn
    lib.manual_seed(0)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(32, 128, batch_first=True)
            self.head = nn.Linear(128, 1)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.head(out)

    model = Net()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    x, y = _data(lib, 32, 50, 32), _data(lib, 32, 50, 1, seed=1)
    loss_fn = nn.MSELoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def gpt_model(lib, n_layer=4, n_head=4, d=128, ctx=64, vocab=65, dropout=0.1):
    """A nanoGPT-style decoder-only transformer written against the PyTorch API."""
    nn = lib.nn
    F = lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(d, 3 * d)
            self.c_proj = nn.Linear(d, d)
            self.attn_dropout = nn.Dropout(dropout)
            self.resid_dropout = nn.Dropout(dropout)
            self.register_buffer("bias", lib.tril(lib.ones(ctx, ctx)).view(1, 1, ctx, ctx))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(d, dim=2)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            att = self.attn_dropout(att)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.resid_dropout(self.c_proj(y))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(d, 4 * d)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * d, d)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(d)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(d)
            self.mlp = MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(vocab, d)
            self.wpe = nn.Embedding(ctx, d)
            self.drop = nn.Dropout(dropout)
            self.h = nn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(d)
            self.lm_head = nn.Linear(d, vocab, bias=False)

        def forward(self, idx, targets=None):
            T = idx.size(1)
            pos = lib.arange(0, T, dtype=lib.long)
            x = self.drop(self.wte(idx) + self.wpe(pos))
            for block in self.h:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            if targets is None:
                return logits, None
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
            return logits, loss

    return GPT()


def gpt_step(lib):
    lib.manual_seed(0)
    model = gpt_model(lib)
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    idx, tgt = _data(lib, 32, 64, high=65), _data(lib, 32, 64, seed=1, high=65)

    def step():
        opt.zero_grad(set_to_none=True)
        _, loss = model(idx, tgt)
        loss.backward()
        opt.step()
        return loss
    return step


def _time(step, n):
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - t0) / n


def _compare(build, torch, ember, rounds, inner):
    steps = {"torch": build(torch), "ember": build(ember)}
    for s in steps.values():  # warm-up: caches, optimizer state, allocator
        _time(s, 2)
    times = {"torch": [], "ember": []}
    for r in range(rounds):
        for lib in (("ember", "torch") if r % 2 == 0 else ("torch", "ember")):
            times[lib].append(_time(steps[lib], inner))
    ratios = [e / t for e, t in zip(times["ember"], times["torch"])]
    return {"torch_ms": statistics.median(times["torch"]) * 1e3,
            "ember_ms": statistics.median(times["ember"]) * 1e3,
            "ratio": statistics.median(ratios), "ratio_min": min(ratios),
            "ratio_max": max(ratios)}


def run(threads=2, rounds=7):
    """Per-step medians (ms) of both workloads on Ember and torch, and ember/torch ratios."""
    import torch

    import ember

    torch.set_num_threads(threads)
    ember.set_num_threads(threads)
    return {"threads": threads,
            "lstm_train": _compare(lstm_step, torch, ember, rounds, inner=10),
            "gpt_train": _compare(gpt_step, torch, ember, rounds, inner=2)}


if __name__ == "__main__":
    th = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    res = run(th)
    print(f"sequence workloads, {th} thread(s)")
    for name in ("lstm_train", "gpt_train"):
        r = res[name]
        print(f"  {name:11s} torch {r['torch_ms']:8.2f} ms  ember {r['ember_ms']:8.2f} ms  "
              f"ember/torch {r['ratio']:.2f} (range {r['ratio_min']:.2f}-{r['ratio_max']:.2f})")
