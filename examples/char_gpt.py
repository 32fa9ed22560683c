"""A character-level GPT in the nanoGPT style, trained on a small text that ships with Ember.

Written against the PyTorch API: the only Ember-specific line is the import. It trains a
small decoder-only transformer (hand-written causal self-attention) with AdamW and prints the
loss as it falls, then samples some text.

    python examples/char_gpt.py                 # about half a minute on 2 CPU cores
    python examples/char_gpt.py --iters 2000 --d 128 --layers 4
    python examples/char_gpt.py --backend torch # the same program on PyTorch
"""
import argparse
import math
import os
import time

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--backend", default="ember", choices=["ember", "torch"])
parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "data",
                                                   "keeper.txt"))
parser.add_argument("--iters", type=int, default=300)
parser.add_argument("--batch", type=int, default=16)
parser.add_argument("--ctx", type=int, default=32)
parser.add_argument("--d", type=int, default=64)
parser.add_argument("--heads", type=int, default=4)
parser.add_argument("--layers", type=int, default=2)
parser.add_argument("--dropout", type=float, default=0.0)
parser.add_argument("--lr", type=float, default=3e-3)
parser.add_argument("--seed", type=int, default=1337)
args = parser.parse_args()

if args.backend == "ember":
    import ember as torch
else:
    import torch
nn = torch.nn
F = torch.nn.functional

torch.manual_seed(args.seed)
text = open(args.data, encoding="utf-8").read()
chars = sorted(set(text))
vocab = len(chars)
stoi = {c: i for i, c in enumerate(chars)}
encode = lambda s: [stoi[c] for c in s]  # noqa: E731
decode = lambda ids: "".join(chars[i] for i in ids)  # noqa: E731
data = torch.tensor(encode(text), dtype=torch.long)
n = int(0.9 * len(data))
train_data, val_data = data[:n], data[n:]


def get_batch(split):
    src = train_data if split == "train" else val_data
    ix = torch.randint(len(src) - args.ctx - 1, (args.batch,))
    x = torch.stack([src[i:i + args.ctx] for i in ix.tolist()])
    y = torch.stack([src[i + 1:i + 1 + args.ctx] for i in ix.tolist()])
    return x, y


class CausalSelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_attn = nn.Linear(args.d, 3 * args.d)
        self.c_proj = nn.Linear(args.d, args.d)
        self.attn_dropout = nn.Dropout(args.dropout)
        self.resid_dropout = nn.Dropout(args.dropout)
        self.register_buffer("bias", torch.tril(torch.ones(args.ctx, args.ctx))
                             .view(1, 1, args.ctx, args.ctx))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(args.d, dim=2)
        q = q.view(B, T, args.heads, C // args.heads).transpose(1, 2)
        k = k.view(B, T, args.heads, C // args.heads).transpose(1, 2)
        v = v.view(B, T, args.heads, C // args.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.c_fc = nn.Linear(args.d, 4 * args.d)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * args.d, args.d)
        self.dropout = nn.Dropout(args.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(args.d)
        self.attn = CausalSelfAttention()
        self.ln_2 = nn.LayerNorm(args.d)
        self.mlp = MLP()

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(vocab, args.d)
        self.wpe = nn.Embedding(args.ctx, args.d)
        self.drop = nn.Dropout(args.dropout)
        self.h = nn.ModuleList([Block() for _ in range(args.layers)])
        self.ln_f = nn.LayerNorm(args.d)
        self.lm_head = nn.Linear(args.d, vocab, bias=False)
        self.wte.weight = self.lm_head.weight  # weight tying, as in GPT-2
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        T = idx.size(1)
        pos = torch.arange(0, T, dtype=torch.long)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=0.8):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -args.ctx:])
            probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
            idx = torch.cat((idx, torch.multinomial(probs, num_samples=1)), dim=1)
        return idx


@torch.no_grad()
def estimate_loss(model, iters=10):
    model.eval()
    out = {}
    for split in ("train", "val"):
        losses = [model(*get_batch(split))[1].item() for _ in range(iters)]
        out[split] = sum(losses) / len(losses)
    model.train()
    return out


def main():
    model = GPT()
    print(f"{args.backend}: {sum(p.numel() for p in model.parameters()):,} parameters, "
          f"vocabulary {vocab}, {len(data):,} characters")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    first = estimate_loss(model)
    print(f"step    0: train {first['train']:.3f}  val {first['val']:.3f}")
    t0 = time.time()
    for it in range(1, args.iters + 1):
        lr = args.lr * (0.1 + 0.45 * (1 + math.cos(math.pi * it / args.iters)))  # cosine
        for g in opt.param_groups:
            g["lr"] = lr
        _, loss = model(*get_batch("train"))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if it % 100 == 0 or it == args.iters:
            est = estimate_loss(model)
            print(f"step {it:4d}: train {est['train']:.3f}  val {est['val']:.3f}  "
                  f"({(time.time() - t0) / it * 1e3:.0f} ms/step)")
    last = estimate_loss(model)
    assert last["train"] < first["train"], "the loss did not fall"
    start = torch.tensor([encode("The ")], dtype=torch.long)
    print(decode(model.generate(start, 200)[0].tolist()))


if __name__ == "__main__":
    main()
