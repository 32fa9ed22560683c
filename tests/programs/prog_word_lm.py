"""Word-level language model in the style of pytorch/examples/word_language_model."""
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Corpus:
    def __init__(self, n_words=3000, vocab=50, seed=0):
        rng = np.random.RandomState(seed)
        # a Markov chain so that there is something to learn
        trans = rng.dirichlet(np.ones(vocab) * 0.1, size=vocab)
        toks = [0]
        for _ in range(n_words - 1):
            toks.append(rng.choice(vocab, p=trans[toks[-1]]))
        self.idx2word = [f"w{i}" for i in range(vocab)]
        self.word2idx = {w: i for i, w in enumerate(self.idx2word)}
        ids = torch.tensor(toks, dtype=torch.long)
        n = len(toks)
        self.train = ids[: int(n * 0.8)]
        self.valid = ids[int(n * 0.8):]


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].view(-1)
    return data, target


class RNNModel(nn.Module):
    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.0, tie_weights=False):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            if nhid != ninp:
                raise ValueError("When using the tied flag, nhid must be equal to emsize")
            self.decoder.weight = self.encoder.weight
        self.init_weights()
        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output)
        decoded = decoded.view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        if self.rnn_type == "LSTM":
            return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                    weight.new_zeros(self.nlayers, bsz, self.nhid))
        return weight.new_zeros(self.nlayers, bsz, self.nhid)


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


def deterministic_init(model, seed):
    rng = np.random.RandomState(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.1, 0.1, size=tuple(p.shape)).astype(np.float32)))


def evaluate(model, data_source, bptt, eval_batch_size, criterion):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(eval_batch_size)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i, bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


def main():
    torch.manual_seed(1111)
    corpus = Corpus()
    ntokens = len(corpus.idx2word)
    train_data = batchify(corpus.train, 8)
    val_data = batchify(corpus.valid, 4)
    print("train_data", tuple(train_data.shape), train_data.dtype)
    model = RNNModel("LSTM", ntokens, 32, 32, 2, dropout=0.0, tie_weights=True)
    print("tied", model.decoder.weight is model.encoder.weight)
    print("n_params", sum(p.numel() for p in model.parameters()))
    deterministic_init(model, 0)
    criterion = nn.NLLLoss()
    lr = 5.0
    bptt = 12
    clip = 0.25
    best_val = None
    for epoch in range(1, 4):
        model.train()
        total_loss = 0.0
        start = time.time()
        hidden = model.init_hidden(8)
        nb = 0
        for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
            data, targets = get_batch(train_data, i, bptt)
            hidden = repackage_hidden(hidden)
            model.zero_grad()
            output, hidden = model(data, hidden)
            loss = criterion(output, targets)
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            for p in model.parameters():
                p.data.add_(p.grad, alpha=-lr)
            total_loss += loss.item()
            nb += 1
        elapsed = time.time() - start
        val_loss = evaluate(model, val_data, bptt, 4, criterion)
        print(f"epoch {epoch} train_loss {total_loss / nb:.4f} val_loss {val_loss:.4f} "
              f"val_ppl {math.exp(val_loss):.3f} last_gn {float(gn):.4f}")
        if not best_val or val_loss < best_val:
            best_val = val_loss
        else:
            lr /= 4.0
    # generation
    model.eval()
    hidden = model.init_hidden(1)
    inp = torch.randint(ntokens, (1, 1), dtype=torch.long)
    words = []
    with torch.no_grad():
        for _ in range(20):
            output, hidden = model(inp, hidden)
            word_weights = output.squeeze().div(1.0).exp().cpu()
            word_idx = torch.multinomial(word_weights, 1)[0]
            inp.fill_(word_idx)
            words.append(corpus.idx2word[word_idx])
    print("generated_ok", len(words) == 20 and all(w in corpus.word2idx for w in words))
    print("elapsed_ok", elapsed >= 0)


if __name__ == "__main__":
    main()
