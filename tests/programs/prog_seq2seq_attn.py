"""Seq2seq GRU with Bahdanau attention and teacher forcing (the PyTorch NLP tutorial style)."""
import random

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

SOS_token, EOS_token = 0, 1
MAX_LENGTH = 8
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long, device=device).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        attentions = []
        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs)
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # teacher forcing
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        output = self.out(output)
        return output, hidden, attn_weights


def make_data(n, vocab, seed):
    """Task: reverse the sequence (tokens 2..vocab-1), then EOS, padded with EOS."""
    rng = np.random.RandomState(seed)
    src = np.full((n, MAX_LENGTH), EOS_token, dtype=np.int64)
    tgt = np.full((n, MAX_LENGTH), EOS_token, dtype=np.int64)
    for k in range(n):
        L = rng.randint(3, MAX_LENGTH)
        s = rng.randint(2, vocab, size=L)
        src[k, :L] = s
        tgt[k, :L] = s[::-1]
    return torch.from_numpy(src), torch.from_numpy(tgt)


def init_np(module, seed):
    rng = np.random.RandomState(seed)
    for _, p in sorted(module.state_dict(keep_vars=True).items()):
        with torch.no_grad():
            p.copy_(torch.tensor(rng.normal(0, 0.2, size=p.shape), dtype=p.dtype))


def main():
    random.seed(0)
    torch.manual_seed(0)
    vocab, hidden = 12, 32
    src, tgt = make_data(256, vocab, 0)
    enc = EncoderRNN(vocab, hidden, dropout_p=0.0).to(device)
    dec = AttnDecoderRNN(hidden, vocab, dropout_p=0.0).to(device)
    init_np(enc, 1)
    init_np(dec, 2)
    enc_opt = optim.Adam(enc.parameters(), lr=0.01)
    dec_opt = optim.Adam(dec.parameters(), lr=0.01)
    criterion = nn.NLLLoss()
    for epoch in range(1, 9):
        total = 0.0
        for b in range(0, 256, 32):
            x, y = src[b:b + 32], tgt[b:b + 32]
            enc_opt.zero_grad()
            dec_opt.zero_grad()
            enc_out, enc_hidden = enc(x)
            # teacher forcing decided by python's random (same stream in both frameworks)
            use_tf = random.random() < 0.5
            dec_out, _, _ = dec(enc_out, enc_hidden, y if use_tf else None)
            loss = criterion(dec_out.view(-1, dec_out.size(-1)), y.view(-1))
            loss.backward()
            enc_opt.step()
            dec_opt.step()
            total += loss.item()
        if epoch % 2 == 0:
            print(f"epoch {epoch} loss {total / 8:.4f}")
    enc.eval()
    dec.eval()
    with torch.no_grad():
        xs, ys = make_data(64, vocab, 123)
        enc_out, enc_hidden = enc(xs)
        dec_out, _, attn = dec(enc_out, enc_hidden)
        _, topi = dec_out.topk(1)
        pred = topi.squeeze(-1)
        acc = (pred == ys).float().mean().item()
        seq_acc = (pred == ys).all(dim=1).float().mean().item()
    print(f"token_acc {acc:.4f} seq_acc {seq_acc:.4f}")
    print("attn", tuple(attn.shape), f"{attn.sum(-1).mean().item():.5f}")
    print("attn_row0", " ".join(f"{v:.3f}" for v in attn[0, 0].tolist()))


if __name__ == "__main__":
    main()
