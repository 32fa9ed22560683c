"""Transformer encoder text classifier with padding masks and sinusoidal positional buffers."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence

PAD = 0


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, dropout=0.1, max_len=64):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[: x.size(0)]
        return self.dropout(x)


class TransformerClassifier(nn.Module):
    def __init__(self, ntoken, d_model, nhead, d_hid, nlayers, nclass, dropout=0.0):
        super().__init__()
        self.model_type = "Transformer"
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = nn.TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = nn.TransformerEncoder(encoder_layers, nlayers,
                                                         enable_nested_tensor=False)
        self.embedding = nn.Embedding(ntoken, d_model, padding_idx=PAD)
        self.d_model = d_model
        self.classifier = nn.Linear(d_model, nclass)

    def forward(self, src, src_key_padding_mask):
        # src: (S, N)
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        out = self.transformer_encoder(src, src_key_padding_mask=src_key_padding_mask)
        keep = (~src_key_padding_mask).t().unsqueeze(-1).float()   # (S, N, 1)
        pooled = (out * keep).sum(0) / keep.sum(0).clamp(min=1)
        return self.classifier(pooled)


def make_data(n, vocab, seed):
    rng = np.random.RandomState(seed)
    seqs, labels = [], []
    for _ in range(n):
        L = rng.randint(3, 12)
        s = rng.randint(1, vocab, size=L)
        label = int((s >= vocab // 2).sum() * 2 > L)   # majority of "high" tokens
        seqs.append(torch.from_numpy(s))
        labels.append(label)
    return seqs, torch.tensor(labels)


def det_init(model, seed):
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                bound = math.sqrt(6.0 / (p.shape[0] + p.shape[1]))
                p.copy_(torch.from_numpy(rng.uniform(-bound, bound, p.shape).astype(np.float32)))
            elif "norm" in name and name.endswith("weight"):
                p.fill_(1.0)
            else:
                p.zero_()
    model.embedding.weight.data[PAD].zero_()


def main():
    torch.manual_seed(0)
    vocab = 20
    seqs, labels = make_data(256, vocab, 0)
    model = TransformerClassifier(vocab, 32, 4, 64, 2, 2, dropout=0.0)
    det_init(model, 1)
    print("buffers", [n for n, _ in model.named_buffers()])
    print("pe_in_state_dict", "pos_encoder.pe" in model.state_dict())
    no_decay = ["bias", "norm"]
    groups = [
        {"params": [p for n, p in model.named_parameters() if not any(nd in n for nd in no_decay)],
         "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if any(nd in n for nd in no_decay)],
         "weight_decay": 0.0},
    ]
    print("group_sizes", [len(g["params"]) for g in groups])
    opt = torch.optim.AdamW(groups, lr=3e-3)
    warmup = 5
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: min(1.0, (step + 1) / warmup))
    for epoch in range(4):
        model.train()
        tot = 0.0
        for b in range(0, 256, 32):
            batch = seqs[b:b + 32]
            src = pad_sequence(batch, batch_first=False, padding_value=PAD)
            mask = (src == PAD).t()
            logits = model(src, mask)
            loss = F.cross_entropy(logits, labels[b:b + 32], label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            tot += loss.item()
        print(f"epoch {epoch} loss {tot / 8:.4f} lr {opt.param_groups[0]['lr']:.6f}")
    model.eval()
    tseqs, tlabels = make_data(128, vocab, 7)
    with torch.no_grad():
        src = pad_sequence(tseqs)
        mask = (src == PAD).t()
        logits = model(src, mask)
        acc = (logits.argmax(1) == tlabels).float().mean().item()
        probs = logits.softmax(-1)
        # padding invariance: adding extra PAD positions must not change the output
        src2 = torch.cat([src, torch.zeros(3, src.size(1), dtype=src.dtype)], 0)
        logits2 = model(src2, (src2 == PAD).t())
    print(f"test_acc {acc:.4f} mean_p1 {probs[:, 1].mean().item():.4f}")
    print("pad_invariant", torch.allclose(logits, logits2, atol=1e-5))
    # causal mask helper from nn.Transformer
    m = nn.Transformer.generate_square_subsequent_mask(4)
    print("causal_mask", m.tolist())


if __name__ == "__main__":
    main()
