"""state_dict surgery, module introspection, repr, freezing, fine-tuning heads."""
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn


class Normalizer(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))
        self.register_buffer("cache", torch.zeros(dim), persistent=False)
        self.dim = dim

    def forward(self, x):
        self.cache = x.mean(0).detach()
        return (x - self.mean) / self.std

    def extra_repr(self):
        return f"dim={self.dim}"


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = Normalizer(6)
        self.features = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(6, 16)),
            ("act1", nn.ReLU()),
            ("drop", nn.Dropout(0.1)),
            ("fc2", nn.Linear(16, 8)),
        ]))
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(2)])
        self.heads = nn.ModuleDict({"cls": nn.Linear(8, 3), "reg": nn.Linear(8, 1)})
        self.scales = nn.ParameterList([nn.Parameter(torch.ones(1)) for _ in range(2)])
        self.temperature = nn.Parameter(torch.tensor(1.0))

    def forward(self, x):
        h = self.features(self.norm(x))
        for blk, s in zip(self.blocks, self.scales):
            h = h + s * torch.tanh(blk(h))
        return self.heads["cls"](h) / self.temperature, self.heads["reg"](h)


def main():
    torch.manual_seed(0)
    model = Backbone()
    print(model)
    print("state_dict_keys", list(model.state_dict().keys()))
    print("named_modules", [n for n, _ in model.named_modules()])
    print("named_children", [n for n, _ in model.named_children()])
    print("n_params", sum(p.numel() for p in model.parameters()),
          "n_buffers", len(list(model.buffers())))
    print("get_submodule", model.get_submodule("features.fc2"))
    print("get_parameter", tuple(model.get_parameter("heads.cls.weight").shape))

    # deterministic weights
    rng = np.random.RandomState(0)
    sd = OrderedDict((k, torch.from_numpy(rng.uniform(-0.5, 0.5, v.shape).astype(np.float32)))
                     for k, v in model.state_dict().items())
    sd["norm.std"] = sd["norm.std"].abs() + 0.5
    sd["temperature"] = torch.tensor(2.0)
    res = model.load_state_dict(sd)
    print("load_all", res.missing_keys, res.unexpected_keys, str(res))

    # surgery: rename keys (e.g. checkpoint saved from DataParallel with "module." prefix)
    wrapped = {"module." + k: v for k, v in sd.items()}
    cleaned = {k[len("module."):] if k.startswith("module.") else k: v for k, v in wrapped.items()}
    model.load_state_dict(cleaned)
    # drop the classification head and add an unknown key; strict=False reports both
    partial = {k: v for k, v in cleaned.items() if not k.startswith("heads.cls")}
    partial["extra.weight"] = torch.zeros(2)
    res = model.load_state_dict(partial, strict=False)
    print("missing", res.missing_keys)
    print("unexpected", res.unexpected_keys)
    try:
        model.load_state_dict(partial)
    except RuntimeError as e:
        msg = str(e)
        print("strict_error", msg.splitlines()[0])
        print("mentions", "Missing key(s)" in msg, "Unexpected key(s)" in msg)
    bad = dict(cleaned)
    bad["heads.cls.weight"] = torch.zeros(4, 8)
    try:
        model.load_state_dict(bad)
    except RuntimeError as e:
        print("size_mismatch", "size mismatch for heads.cls.weight" in str(e))
    # shape-tolerant loading used in fine-tuning scripts
    own = model.state_dict()
    filtered = {k: v for k, v in bad.items() if k in own and v.shape == own[k].shape}
    res = model.load_state_dict(filtered, strict=False)
    print("filtered_missing", res.missing_keys)

    # persistent=False buffers do not appear in the state_dict but move with the module
    print("cache_in_sd", "norm.cache" in model.state_dict(),
          [n for n, _ in model.named_buffers()])
    x = torch.from_numpy(rng.normal(size=(5, 6)).astype(np.float32))
    model.eval()
    out_cls, out_reg = model(x)
    print("out_cls", " ".join(f"{v:.5f}" for v in out_cls[0].tolist()))
    print("out_reg", " ".join(f"{v:.5f}" for v in out_reg[:, 0].tolist()))
    print("cache", " ".join(f"{v:.5f}" for v in model.norm.cache.tolist()[:3]))
    dm = model.double()
    print("double", dm.norm.mean.dtype, dm.norm.cache.dtype, dm.temperature.dtype)
    model.float()

    # freeze the backbone, train only the heads
    for name, param in model.named_parameters():
        if not name.startswith("heads."):
            param.requires_grad_(False)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    print("trainable", trainable)
    opt = torch.optim.SGD(filter(lambda p: p.requires_grad, model.parameters()), lr=0.1)
    model.train()
    model.features.drop.p = 0.0   # deterministic fine-tuning
    y = torch.tensor([0, 1, 2, 0, 1])
    before = model.features.fc1.weight.clone()
    for _ in range(5):
        oc, orr = model(x)
        loss = nn.functional.cross_entropy(oc, y) + orr.pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("frozen_unchanged", torch.equal(before, model.features.fc1.weight),
          model.features.fc1.weight.grad is None)
    print("final_loss", f"{loss.item():.5f}")

    # replace a layer in place (transfer learning idiom)
    model.heads["cls"] = nn.Linear(8, 5)
    print("new_head", model.heads.cls)
    # copy weights between two instances with a partial state_dict
    m2 = Backbone()
    src = {k: v for k, v in model.state_dict().items() if k.startswith("features")}
    r2 = m2.load_state_dict(src, strict=False)
    print("copied_features", len(r2.missing_keys), torch.equal(m2.features.fc1.weight, model.features.fc1.weight))
    # keep_vars and state_dict prefixes
    print("keep_vars", type(model.state_dict(keep_vars=True)["temperature"]).__name__,
          model.state_dict(keep_vars=True)["temperature"].requires_grad)
    print("prefix", list(model.features.state_dict(prefix="backbone.").keys())[:2])
    # children manipulation: strip the last layer of a Sequential
    trunk = nn.Sequential(*list(model.features.children())[:-1])
    print("trunk", trunk)
    print("modules_count", len(list(model.modules())))
    # _modules / apply
    counts = {}
    model.apply(lambda m: counts.__setitem__(type(m).__name__, counts.get(type(m).__name__, 0) + 1))
    print("apply_counts", sorted(counts.items()))
    # zero_grad default sets to None
    model.zero_grad()
    print("grads_none", all(p.grad is None for p in model.parameters()))
    # parameters_to_vector
    v = torch.nn.utils.parameters_to_vector(model.heads.parameters())
    print("vector", tuple(v.shape))


if __name__ == "__main__":
    main()
