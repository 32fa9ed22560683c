"""nn.utils in practice: weight_norm / spectral_norm (old and parametrization APIs), pruning,
parametrize.register_parametrization, GradScaler on CPU, whole-model torch.save, profiler,
torch.jit.script/trace pass-through, rnn utilities."""
import io
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.utils.parametrize as parametrize
import torch.nn.utils.prune as prune
from torch.nn.utils import parametrizations, spectral_norm, weight_norm


class Symmetric(nn.Module):
    def forward(self, X):
        return X.triu() + X.triu(1).transpose(-1, -2)


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 6)
        self.fc2 = nn.Linear(6, 2)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


def det(model, seed):
    r = np.random.RandomState(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.5, 0.5, p.shape).astype(np.float32)))
    return model


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    x = torch.from_numpy(rng.normal(size=(8, 4)).astype(np.float32))

    # legacy weight_norm
    lin = det(nn.Linear(4, 3), 1)
    ref = lin(x)
    wn = weight_norm(lin, name="weight")
    print("weight_norm_params", sorted(n for n, _ in wn.named_parameters()))
    print("weight_norm_same", torch.allclose(wn(x), ref, atol=1e-6), tuple(wn.weight_g.shape))
    # parametrization weight_norm
    lin2 = det(nn.Linear(4, 3), 1)
    pw = parametrizations.weight_norm(lin2)
    print("param_weight_norm", sorted(n for n, _ in pw.named_parameters()))
    print("param_wn_same", torch.allclose(pw(x), ref, atol=1e-6))
    opt = torch.optim.SGD(pw.parameters(), lr=0.1)
    loss = pw(x).pow(2).mean()
    loss.backward()
    opt.step()
    print("param_wn_step", f"{pw(x).pow(2).mean().item():.6f}", f"{loss.item():.6f}")
    # spectral norm: power iteration from a random vector, check the result by range
    sn = spectral_norm(det(nn.Linear(4, 4), 2), n_power_iterations=20)
    sn.eval()
    for _ in range(3):
        sn.train()
        sn(x)
    sigma = torch.linalg.matrix_norm(sn.weight.detach(), ord=2).item()
    print("spectral_norm_sigma_ok", abs(sigma - 1.0) < 1e-2)
    psn = parametrizations.spectral_norm(det(nn.Linear(4, 4), 2))
    for _ in range(20):
        psn(x)
    print("param_spectral_ok", abs(torch.linalg.matrix_norm(psn.weight.detach(), ord=2).item() - 1) < 1e-2)
    # custom parametrization
    layer = det(nn.Linear(3, 3), 3)
    parametrize.register_parametrization(layer, "weight", Symmetric())
    W = layer.weight
    print("symmetric", torch.allclose(W, W.T), parametrize.is_parametrized(layer),
          list(layer.parametrizations.weight.original.shape))
    print("param_repr", str(layer).splitlines()[0])
    with parametrize.cached():
        print("cached_same", layer.weight is layer.weight)
    parametrize.remove_parametrizations(layer, "weight", leave_parametrized=True)
    print("removed", parametrize.is_parametrized(layer), torch.allclose(layer.weight, layer.weight.T))

    # pruning
    net = det(SmallNet(), 4)
    prune.l1_unstructured(net.fc1, name="weight", amount=0.5)
    print("pruned_buffers", sorted(n for n, _ in net.fc1.named_buffers()),
          sorted(n for n, _ in net.fc1.named_parameters()))
    print("sparsity", float(torch.sum(net.fc1.weight == 0)) / net.fc1.weight.nelement())
    prune.ln_structured(net.fc2, name="weight", amount=1, n=2, dim=0)
    print("structured_rows_zero", int((net.fc2.weight.abs().sum(1) == 0).sum()))
    parameters_to_prune = ((net.fc1, "bias"), (net.fc2, "bias"))
    prune.global_unstructured(parameters_to_prune, pruning_method=prune.L1Unstructured, amount=3)
    print("global_zero", int((net.fc1.bias == 0).sum() + (net.fc2.bias == 0).sum()))
    prune.remove(net.fc1, "weight")
    print("after_remove", sorted(n for n, _ in net.fc1.named_parameters()), prune.is_pruned(net))
    print("pruned_out", " ".join(f"{v:.5f}" for v in net(x)[0].tolist()))

    # GradScaler on CPU (torch.amp API) with an fp32 model: scale, unscale, step, update
    model = det(SmallNet(), 5)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=2.0 ** 4, growth_interval=2)
    y = torch.tensor([0, 1, 0, 1, 0, 1, 0, 1])
    for step in range(4):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=False):
            loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        gn = nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
    print("scaler", scaler.get_scale(), f"{loss.item():.5f}", f"{gn.item():.5f}")
    print("scaler_state", sorted(scaler.state_dict().keys()))

    # whole-model save / load (pickles the class)
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "model.pt")
    torch.save(model, path)
    loaded = torch.load(path, weights_only=False)
    print("whole_model", type(loaded).__name__, torch.equal(loaded(x), model(x)))
    buf = io.BytesIO()
    torch.save({"w": model.fc1.weight.detach(), "step": 3}, buf)
    buf.seek(0)
    back = torch.load(buf)
    print("bytesio", back["step"], torch.equal(back["w"], model.fc1.weight))

    # jit pass-through
    scripted = torch.jit.script(model)
    traced = torch.jit.trace(model, x)
    print("jit", torch.allclose(scripted(x), model(x)), torch.allclose(traced(x), model(x)))

    @torch.jit.script
    def fused(a, b):
        return a * torch.sigmoid(b)
    print("jit_fn", fused(torch.ones(2), torch.zeros(2)).tolist())

    # profiler: records ops by name
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        with torch.profiler.record_function("my_block"):
            model(x).sum().backward()
    names = {e.key for e in prof.key_averages()}
    print("profiler", "my_block" in names, len(names) > 1)
    with torch.autograd.profiler.profile() as prof2:
        model(x)
    print("autograd_profiler", len(prof2.key_averages()) > 0)

    # rnn utilities
    from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence, unpad_sequence, unpack_sequence
    seqs = [torch.tensor([1.0, 2, 3]), torch.tensor([4.0, 5]), torch.tensor([6.0])]
    packed = pack_sequence(seqs)
    print("packed", packed.data.tolist(), packed.batch_sizes.tolist(),
          packed.sorted_indices, packed.unsorted_indices)
    print("unpack", [s.tolist() for s in unpack_sequence(pack_sequence(seqs, enforce_sorted=False))])
    padded, lens = pad_packed_sequence(packed, batch_first=True, padding_value=-1.0)
    print("unpad", [s.tolist() for s in unpad_sequence(padded, lens, batch_first=True)])
    rnn = nn.RNN(1, 2, batch_first=True, nonlinearity="relu")
    det(rnn, 6)
    out, h = rnn(pack_sequence([s.unsqueeze(-1) for s in seqs]))
    print("packed_rnn", type(out).__name__, " ".join(f"{v:.5f}" for v in h.flatten().tolist()))


if __name__ == "__main__":
    main()
