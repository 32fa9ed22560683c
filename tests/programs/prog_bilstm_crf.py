"""BiLSTM-CRF sequence tagger (PyTorch advanced tutorial style, batched) with packed sequences,
early stopping via copy.deepcopy and ReduceLROnPlateau."""
import copy

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence


def log_sum_exp(vec, dim=-1):
    max_score, _ = vec.max(dim, keepdim=True)
    return (max_score + torch.log(torch.sum(torch.exp(vec - max_score), dim, keepdim=True))).squeeze(dim)


class BiLSTM_CRF(nn.Module):
    def __init__(self, vocab_size, tagset_size, embedding_dim, hidden_dim):
        super().__init__()
        self.tagset_size = tagset_size
        self.word_embeds = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim // 2, num_layers=1, bidirectional=True,
                            batch_first=True)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)
        self.transitions = nn.Parameter(torch.zeros(tagset_size, tagset_size))
        self.start = nn.Parameter(torch.zeros(tagset_size))
        self.end = nn.Parameter(torch.zeros(tagset_size))

    def _features(self, sentences, lengths):
        embeds = self.word_embeds(sentences)
        packed = pack_padded_sequence(embeds, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, (h, c) = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=sentences.size(1))
        return self.hidden2tag(out)

    def _forward_alg(self, feats, mask):
        # feats (B, T, K), mask (B, T) bool
        alpha = self.start.unsqueeze(0) + feats[:, 0]
        for t in range(1, feats.size(1)):
            nxt = log_sum_exp(alpha.unsqueeze(2) + self.transitions.unsqueeze(0), dim=1) + feats[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        return log_sum_exp(alpha + self.end.unsqueeze(0), dim=1)

    def _score_sentence(self, feats, tags, mask):
        B, T, _ = feats.shape
        emit = feats.gather(2, tags.unsqueeze(2)).squeeze(2)
        trans = self.transitions[tags[:, :-1], tags[:, 1:]]
        score = self.start[tags[:, 0]] + (emit * mask).sum(1) + (trans * mask[:, 1:]).sum(1)
        last = tags.gather(1, (mask.sum(1).long() - 1).unsqueeze(1)).squeeze(1)
        return score + self.end[last]

    def neg_log_likelihood(self, sentences, tags, lengths):
        mask = torch.arange(sentences.size(1)).unsqueeze(0) < lengths.unsqueeze(1)
        feats = self._features(sentences, lengths)
        forward_score = self._forward_alg(feats, mask)
        gold_score = self._score_sentence(feats, tags, mask.float())
        return (forward_score - gold_score).mean()

    def viterbi_decode(self, sentences, lengths):
        mask = torch.arange(sentences.size(1)).unsqueeze(0) < lengths.unsqueeze(1)
        feats = self._features(sentences, lengths)
        score = self.start + feats[:, 0]
        history = []
        for t in range(1, feats.size(1)):
            s = score.unsqueeze(2) + self.transitions.unsqueeze(0)
            best, idx = s.max(dim=1)
            nxt = best + feats[:, t]
            score = torch.where(mask[:, t].unsqueeze(1), nxt, score)
            history.append(idx)
        score = score + self.end
        best_score, best_last = score.max(dim=1)
        paths = []
        for b in range(sentences.size(0)):
            L = int(lengths[b])
            tag = int(best_last[b])
            path = [tag]
            for t in range(L - 2, -1, -1):
                tag = int(history[t][b, tag])
                path.append(tag)
            paths.append(path[::-1])
        return best_score, paths


def make_data(n, seed):
    """Tag = 1 if the token is larger than the previous token, 2 if smaller, 0 otherwise/first."""
    rng = np.random.RandomState(seed)
    sents, tags = [], []
    for _ in range(n):
        L = rng.randint(3, 9)
        s = rng.randint(1, 15, size=L)
        t = np.zeros(L, dtype=np.int64)
        t[1:] = np.where(s[1:] > s[:-1], 1, np.where(s[1:] < s[:-1], 2, 0))
        sents.append(torch.from_numpy(s))
        tags.append(torch.from_numpy(t))
    return sents, tags


def batches(sents, tags, bs):
    for i in range(0, len(sents), bs):
        s = sents[i:i + bs]
        t = tags[i:i + bs]
        lengths = torch.tensor([len(x) for x in s])
        yield pad_sequence(s, batch_first=True), pad_sequence(t, batch_first=True), lengths


def main():
    torch.manual_seed(1)
    tr_s, tr_t = make_data(160, 0)
    va_s, va_t = make_data(40, 1)
    model = BiLSTM_CRF(15, 3, 16, 24)
    r = np.random.RandomState(2)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.2, 0.2, p.shape).astype(np.float32)))
        model.word_embeds.weight[0].zero_()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=0)
    best_loss, best_state, bad = float("inf"), None, 0
    for epoch in range(6):
        model.train()
        tot = 0.0
        for s, t, l in batches(tr_s, tr_t, 32):
            model.zero_grad()
            loss = model.neg_log_likelihood(s, t, l)
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 5.0)
            optimizer.step()
            tot += loss.item()
        model.eval()
        with torch.no_grad():
            vl = sum(model.neg_log_likelihood(s, t, l).item() for s, t, l in batches(va_s, va_t, 40))
        scheduler.step(vl)
        print(f"epoch {epoch} train {tot / 5:.4f} val {vl:.4f} lr {optimizer.param_groups[0]['lr']:.5f}")
        if vl < best_loss:
            best_loss, best_state, bad = vl, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
    model.load_state_dict(best_state)
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for s, t, l in batches(va_s, va_t, 40):
            scores, paths = model.viterbi_decode(s, l)
            for b, path in enumerate(paths):
                gold = t[b, :len(path)].tolist()
                correct += sum(int(a == g) for a, g in zip(path, gold))
                total += len(path)
    print(f"best_val {best_loss:.4f} tag_acc {correct / total:.4f}")
    print("first_path", paths[0], "score", f"{scores[0].item():.4f}")
    # LSTMCell / GRUCell manual unrolling agrees with the fused layers
    cell = nn.LSTMCell(4, 5)
    lstm = nn.LSTM(4, 5)
    with torch.no_grad():
        for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
            getattr(lstm, name + "_l0").copy_(getattr(cell, name))
    xs = torch.from_numpy(r.normal(size=(6, 2, 4)).astype(np.float32))
    h = c = torch.zeros(2, 5)
    outs = []
    for x in xs:
        h, c = cell(x, (h, c))
        outs.append(h)
    full, (hn, cn) = lstm(xs)
    print("cell_matches_lstm", torch.allclose(torch.stack(outs), full, atol=1e-6),
          torch.allclose(cn[0], c, atol=1e-6))
    gcell = nn.GRUCell(4, 5)
    gru = nn.GRU(4, 5)
    gru.load_state_dict({k.replace("_ih", "_ih_l0").replace("_hh", "_hh_l0"): v
                         for k, v in gcell.state_dict().items()})
    h = torch.zeros(2, 5)
    for x in xs:
        h = gcell(x, h)
    print("gru_cell_matches", torch.allclose(gru(xs)[1][0], h, atol=1e-6))


if __name__ == "__main__":
    main()
