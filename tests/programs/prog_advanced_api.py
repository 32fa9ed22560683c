"""Less common but real APIs: a custom Optimizer subclass, scheduler zoo, model ensembling with
torch.func.stack_module_state + meta device, forward-mode AD, saved-tensor hooks,
post-accumulate-grad hooks (optimizer in backward), state-dict hooks and _load_from_state_dict."""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, stack_module_state, vmap
from torch.optim import Optimizer


class Lion(Optimizer):
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        defaults = dict(lr=lr, betas=betas, weight_decay=weight_decay)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.data.mul_(1 - group["lr"] * group["weight_decay"])
                grad = p.grad
                state = self.state[p]
                if len(state) == 0:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                beta1, beta2 = group["betas"]
                update = exp_avg * beta1 + grad * (1 - beta1)
                p.add_(update.sign_(), alpha=-group["lr"])
                exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)
        return loss


class VersionedLinear(nn.Linear):
    """Renames an old checkpoint key in _load_from_state_dict (the BatchNorm `_version` idiom)."""
    _version = 2

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        version = local_metadata.get("version", None)
        if (version is None or version < 2) and prefix + "w" in state_dict:
            state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)


def det(model, seed):
    r = np.random.RandomState(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.5, 0.5, p.shape).astype(np.float32)))
    return model


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    X = torch.from_numpy(rng.normal(size=(32, 5)).astype(np.float32))
    Y = torch.from_numpy(rng.normal(size=(32, 1)).astype(np.float32))

    # custom optimizer + add_param_group + state_dict round trip
    model = det(nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1)), 1)
    opt = Lion(model[0].parameters(), lr=1e-2, weight_decay=0.1)
    opt.add_param_group({"params": model[2].parameters(), "lr": 5e-3})
    print("groups", len(opt.param_groups), opt.param_groups[1]["betas"], opt.param_groups[1]["weight_decay"])
    for _ in range(5):
        opt.zero_grad()
        loss = F.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
    print("lion", f"{loss.item():.5f}")
    sd = opt.state_dict()
    print("opt_sd", sorted(sd["state"].keys()), sd["param_groups"][1]["params"])
    opt2 = Lion(model[0].parameters(), lr=1.0)
    opt2.add_param_group({"params": model[2].parameters()})
    opt2.load_state_dict(sd)
    print("opt_loaded", opt2.param_groups[0]["lr"], torch.equal(opt2.state[model[0].weight]["exp_avg"],
                                                                opt.state[model[0].weight]["exp_avg"]))
    print("repr", repr(opt).splitlines()[0], len(repr(opt).splitlines()))

    # scheduler zoo
    def lrs(make, n=8, **step_kw):
        p = [nn.Parameter(torch.zeros(1))]
        o = torch.optim.SGD(p, lr=0.1, momentum=0.9)
        s = make(o)
        out = []
        for i in range(n):
            o.step()
            s.step(**step_kw) if step_kw else s.step()
            out.append(round(o.param_groups[0]["lr"], 6))
        return out
    print("warm_restarts", lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2)))
    print("cyclic", lrs(lambda o: torch.optim.lr_scheduler.CyclicLR(o, 0.01, 0.1, step_size_up=2)))
    print("poly", lrs(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=4, power=2.0)))
    print("chained", lrs(lambda o: torch.optim.lr_scheduler.ChainedScheduler(
        [torch.optim.lr_scheduler.ConstantLR(o, factor=0.5, total_iters=3),
         torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)])))
    print("multistep", lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5], gamma=0.1)))
    p = [nn.Parameter(torch.zeros(1))]
    o = torch.optim.SGD(p, lr=0.1)
    s = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=2)
    frac = []
    for epoch in range(2):
        for i in range(4):
            o.step()
            s.step(epoch + i / 4)
            frac.append(round(o.param_groups[0]["lr"], 6))
    print("fractional_epochs", frac)

    # model ensembling (torch.func tutorial)
    models = [det(nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 1)), 10 + i) for i in range(3)]
    params, buffers = stack_module_state(models)
    # (the tutorial moves this copy to the "meta" device; Ember has no meta device)
    base = copy.deepcopy(models[0])

    def fmodel(params, buffers, x):
        return functional_call(base, (params, buffers), (x,))
    ens = vmap(fmodel, in_dims=(0, 0, None))(params, buffers, X[:4])
    loop = torch.stack([m(X[:4]) for m in models])
    print("ensemble", tuple(ens.shape), torch.allclose(ens, loop, atol=1e-6))

    # forward-mode AD
    import torch.autograd.forward_ad as fwAD
    primal = torch.tensor([1.0, 2.0])
    tangent = torch.tensor([1.0, 0.0])
    with fwAD.dual_level():
        dual = fwAD.make_dual(primal, tangent)
        out = torch.sin(dual) * dual
        jvp = fwAD.unpack_dual(out).tangent
    print("forward_ad", " ".join(f"{v:.5f}" for v in jvp.tolist()))
    _, jv = torch.func.jvp(lambda x: (x ** 2).sum(), (primal,), (tangent,))
    print("func_jvp", jv.item(), torch.func.hessian(lambda x: (x ** 3).sum())(primal).diagonal().tolist())

    # saved tensor hooks
    packed = []

    def pack(t):
        packed.append(tuple(t.shape))
        return t.clone()

    def unpack(t):
        return t
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
        b = (a * a).sum()
    b.backward()
    print("saved_hooks", len(packed) > 0, a.grad.tolist())
    with torch.autograd.graph.save_on_cpu():
        c = (a.exp() * 2).sum()
    c.backward()
    print("save_on_cpu", [round(v, 4) for v in a.grad.tolist()])

    # optimizer in backward via post-accumulate-grad hooks
    net = det(nn.Linear(5, 1), 3)
    opt_dict = {p: torch.optim.SGD([p], lr=0.1) for p in net.parameters()}

    def optimizer_hook(param):
        opt_dict[param].step()
        opt_dict[param].zero_grad()
    for p in net.parameters():
        p.register_post_accumulate_grad_hook(optimizer_hook)
    before = net.weight.detach().clone()
    F.mse_loss(net(X), Y).backward()
    print("in_backward_step", not torch.equal(before, net.weight), net.weight.grad is None)

    # state-dict hooks, metadata and versioned loading
    lin = det(VersionedLinear(2, 2), 4)
    sd = lin.state_dict()
    print("metadata", sd._metadata[""]["version"] if hasattr(sd, "_metadata") else None)
    old = {"w": sd["weight"].clone() + 1, "bias": sd["bias"]}
    old_sd = type(sd)(old)
    old_sd._metadata = {"": {"version": 1}}
    res = lin.load_state_dict(old_sd)
    print("versioned_load", res.missing_keys, torch.equal(lin.weight, sd["weight"]))
    seen = []
    lin.register_state_dict_post_hook(lambda m, sdict, prefix, local_metadata: seen.append(len(sdict)))
    lin.register_load_state_dict_post_hook(lambda m, incompatible: seen.append(
        len(incompatible.missing_keys)))
    lin.load_state_dict(lin.state_dict())
    print("sd_hooks", seen)
    # skip_init / to_empty
    sk = torch.nn.utils.skip_init(nn.Linear, 3, 2)
    print("skip_init", tuple(sk.weight.shape))


if __name__ == "__main__":
    main()
