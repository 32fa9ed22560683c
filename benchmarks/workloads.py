"""The benchmark workloads, each written once against the PyTorch API.

``build(lib)`` returns a zero-argument ``step`` function that runs one training (or
inference) step with ``lib`` (``torch`` or ``ember``). Inputs come from NumPy with a fixed
seed, so both libraries see the same data.
"""
import math

import numpy as np

WORKLOADS = {}


def workload(name, threads_matter=True):
    def register(fn):
        WORKLOADS[name] = fn
        return fn
    return register


def _data(lib, *shape, seed=0, kind="normal", high=10):
    rng = np.random.default_rng(seed)
    if kind == "int":
        return lib.from_numpy(rng.integers(0, high, size=shape).astype(np.int64))
    return lib.from_numpy(rng.standard_normal(shape).astype(np.float32))


def _train_step(model, opt, lossf, x, y):
    def step():
        opt.zero_grad()
        loss = lossf(model(x), y)
        loss.backward()
        opt.step()
    step.model, step.opt = model, opt  # for tests that inspect dtypes after a step
    return step


def _infer_step(lib, model, x):
    model.eval()

    def step():
        with lib.no_grad():
            model(x)
    return step


# ---------------------------------------------------------------- per-op overhead
@workload("op_chain_200")
def op_chain(lib):
    """A chain of 200 small ops (10x10) forward + backward: framework overhead per op."""
    x = _data(lib, 10, 10).requires_grad_(True)
    w = _data(lib, 10, 10, seed=1)

    def step():
        h = x
        for _ in range(40):
            h = (h * w + 0.5).tanh() - h * 0.1  # 5 ops per round
        h.sum().backward()
        x.grad = None
    return step


@workload("linear_regression")
def linear_regression(lib):
    """Linear(10, 1), batch 100, MSE, SGD: the seeds' first program."""
    lib.manual_seed(0)
    model = lib.nn.Linear(10, 1)
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    return _train_step(model, opt, lib.nn.MSELoss(), _data(lib, 100, 10), _data(lib, 100, 1))


# ---------------------------------------------------------------- dense / conv
def _mlp(lib):
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                         nn.Linear(512, 10))


@workload("mlp_train")
def mlp_train(lib):
    """MLP 784-512-512-10, batch 128, cross-entropy, SGD with momentum."""
    model = _mlp(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return _train_step(model, opt, lib.nn.CrossEntropyLoss(), _data(lib, 128, 784),
                       _data(lib, 128, kind="int"))


@workload("mlp_infer")
def mlp_infer(lib):
    return _infer_step(lib, _mlp(lib), _data(lib, 128, 784))


def _cnn(lib):
    nn = lib.nn
    lib.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


@workload("cnn_train")
def cnn_train(lib):
    """conv32-pool-conv64-pool-fc128-fc10 on 28x28, batch 64, Adam."""
    model = _cnn(lib)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return _train_step(model, opt, lib.nn.CrossEntropyLoss(), _data(lib, 64, 1, 28, 28),
                       _data(lib, 64, kind="int"))


@workload("cnn_infer")
def cnn_infer(lib):
    return _infer_step(lib, _cnn(lib), _data(lib, 64, 1, 28, 28))


@workload("bn_cnn_train")
def bn_cnn_train(lib):
    """Three conv-BN-ReLU blocks on 3x32x32, pooling, adaptive average pool, SGD."""
    nn = lib.nn
    lib.manual_seed(0)

    def block(cin, cout):
        return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
    model = nn.Sequential(*block(3, 32), nn.MaxPool2d(2), *block(32, 64), nn.MaxPool2d(2),
                          *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                          nn.Linear(128, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    return _train_step(model, opt, nn.CrossEntropyLoss(), _data(lib, 32, 3, 32, 32),
                       _data(lib, 32, kind="int"))


# ---------------------------------------------------------------- sequences
@workload("lstm_train")
def lstm_train(lib):
    """LSTM 32->128, sequence 50, batch 32, linear head, Adam."""
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
    return _train_step(model, opt, nn.MSELoss(), _data(lib, 32, 50, 32),
                       _data(lib, 32, 50, 1, seed=3))


def gpt(lib, n_layer=4, n_head=4, d=128, ctx=64, vocab=65):
    """A nanoGPT-style decoder with hand-written causal attention."""
    nn = lib.nn
    F = lib.nn.functional

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(d, 3 * d)
            self.c_proj = nn.Linear(d, d)
            self.register_buffer("mask", lib.tril(lib.ones(ctx, ctx)).view(1, 1, ctx, ctx))

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.c_attn(x).split(d, dim=2)
            q = q.view(B, T, n_head, C // n_head).transpose(1, 2)
            k = k.view(B, T, n_head, C // n_head).transpose(1, 2)
            v = v.view(B, T, n_head, C // n_head).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = nn.LayerNorm(d)
            self.attn = Attention()
            self.ln_2 = nn.LayerNorm(d)
            self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte = nn.Embedding(vocab, d)
            self.wpe = nn.Embedding(ctx, d)
            self.blocks = nn.ModuleList([Block() for _ in range(n_layer)])
            self.ln_f = nn.LayerNorm(d)
            self.head = nn.Linear(d, vocab, bias=False)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.wte(idx) + self.wpe(lib.arange(T))
            for b in self.blocks:
                x = b(x)
            return self.head(self.ln_f(x))

    return GPT()


@workload("gpt_train")
def gpt_train(lib):
    """GPT: 4 layers, 4 heads, d=128, context 64, batch 32, AdamW."""
    lib.manual_seed(0)
    model = gpt(lib)
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    idx = _data(lib, 32, 64, kind="int", high=65)
    tgt = _data(lib, 32, 64, kind="int", high=65, seed=1)

    def step():
        opt.zero_grad()
        logits = model(idx)
        loss = lib.nn.functional.cross_entropy(logits.view(-1, 65), tgt.view(-1))
        loss.backward()
        opt.step()
    step.model, step.opt = model, opt
    return step


# ---------------------------------------------------------------- optimizer / data
@workload("adam_step_0.5M")
def adam_step(lib):
    """One Adam step over the MLP's ~0.67M parameters (gradients already there)."""
    model = _mlp(lib)
    for i, p in enumerate(model.parameters()):
        p.grad = _data(lib, *p.shape, seed=10 + i)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    return opt.step


@workload("sgd_momentum_step_0.5M")
def sgd_momentum_step(lib):
    """One SGD step with momentum and weight decay over the MLP's ~0.67M parameters."""
    model = _mlp(lib)
    for i, p in enumerate(model.parameters()):
        p.grad = _data(lib, *p.shape, seed=10 + i)
    opt = lib.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    return opt.step


def _loader_epoch(lib, workers):
    rng = np.random.default_rng(0)
    images = lib.from_numpy(rng.standard_normal((60000, 1, 28, 28)).astype(np.float32))
    labels = lib.from_numpy(rng.integers(0, 10, 60000).astype(np.int64))
    data = lib.utils.data
    loader = data.DataLoader(data.TensorDataset(images, labels), batch_size=64, shuffle=True,
                             num_workers=workers, persistent_workers=workers > 0)

    def step():
        for _ in loader:
            pass
    return step


@workload("dataloader_epoch")
def dataloader_epoch(lib):
    """An epoch over 60,000 28x28 images, batch 64, shuffled, in the main process."""
    return _loader_epoch(lib, 0)


@workload("dataloader_epoch_2workers")
def dataloader_epoch_2w(lib):
    """The same epoch with 2 worker processes."""
    return _loader_epoch(lib, 2)


TARGETS = {"op_chain_200": 0.8, "linear_regression": 0.5, "mlp_train": 1.0, "mlp_infer": 1.0,
           "cnn_train": 1.0, "cnn_infer": 0.8, "bn_cnn_train": 1.1, "lstm_train": 1.2,
           "gpt_train": 1.1, "adam_step_0.5M": 1.0, "sgd_momentum_step_0.5M": 1.0,
           "dataloader_epoch": 1.0,
           "dataloader_epoch_2workers": 1.0}
