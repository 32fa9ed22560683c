"""Custom autograd.Function, tensor hooks, module forward/backward hooks (tutorial style)."""
import numpy as np
import torch
import torch.nn as nn
from torch.autograd import Function, gradcheck
from torch.autograd.function import once_differentiable


class LegendrePolynomial3(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class ClampWithMask(Function):
    """Returns the clamped tensor and a non-differentiable mask."""

    @staticmethod
    def forward(ctx, x):
        mask = (x > 0) & (x < 1)
        ctx.mark_non_differentiable(mask)
        ctx.save_for_backward(mask)
        return x.clamp(0, 1), mask

    @staticmethod
    def backward(ctx, g, _gmask):
        mask, = ctx.saved_tensors
        return g * mask.to(g.dtype)


class MyLinear(nn.Module):
    def __init__(self, input_features, output_features, bias=True):
        super().__init__()
        self.input_features = input_features
        self.output_features = output_features
        self.weight = nn.Parameter(torch.empty(output_features, input_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(output_features))
        else:
            self.register_parameter("bias", None)
        nn.init.uniform_(self.weight, -0.1, 0.1)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -0.1, 0.1)

    def forward(self, input):
        return LinearFunction.apply(input, self.weight, self.bias)

    def extra_repr(self):
        return "input_features={}, output_features={}, bias={}".format(
            self.input_features, self.output_features, self.bias is not None)


def fmt(t):
    return " ".join(f"{v:.5f}" for v in t.detach().reshape(-1).tolist())


def main():
    torch.manual_seed(0)
    dtype = torch.float
    # polynomial fit with the custom Legendre function (the tutorial)
    x = torch.linspace(-np.pi, np.pi, 200, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    P3 = LegendrePolynomial3.apply
    for t in range(300):
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            print("iter", t, f"{loss.item():.4f}")
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None
    print(f"Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")

    # gradcheck of the custom functions in double precision
    inp = (torch.randn(4, 3, dtype=torch.double, requires_grad=True),
           torch.randn(5, 3, dtype=torch.double, requires_grad=True),
           torch.randn(5, dtype=torch.double, requires_grad=True))
    print("gradcheck_linear", gradcheck(LinearFunction.apply, inp, eps=1e-6, atol=1e-4))
    print("gradcheck_p3", gradcheck(P3, (torch.randn(6, dtype=torch.double, requires_grad=True),)))

    # once_differentiable and non-tensor args
    v = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    MulConstant.apply(v, 2.5).sum().backward()
    print("mulconst_grad", fmt(v.grad))

    # mark_non_differentiable
    z = torch.tensor([-0.5, 0.25, 0.75, 1.5], requires_grad=True)
    out, mask = ClampWithMask.apply(z)
    print("mask_requires_grad", mask.requires_grad, mask.dtype)
    (out * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    print("clamp_grad", fmt(z.grad))

    # tensor hooks
    w = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    seen = []
    h = w.register_hook(lambda g: seen.append(g.clone()) or g * 2)
    q = (w * w).sum()
    q.backward()
    print("hooked_grad", fmt(w.grad), "seen", fmt(seen[0]))
    h.remove()
    w.grad = None
    (w * w).sum().backward()
    print("after_remove", fmt(w.grad))
    # retain_grad on a non-leaf
    u = torch.tensor([0.5, 1.5], requires_grad=True)
    mid = u.exp()
    mid.retain_grad()
    mid.sum().backward()
    print("retain_grad", fmt(mid.grad), "is_leaf", mid.is_leaf, u.is_leaf)

    # module hooks
    rng = np.random.RandomState(0)
    model = nn.Sequential(MyLinear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    print(model)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-0.5, 0.5, p.shape).astype(np.float32)))
    activations = {}

    def save_act(name):
        def hook(module, inp, out):
            activations[name] = out.detach()
        return hook

    grads = {}

    def save_grad(name):
        def hook(module, grad_input, grad_output):
            grads[name] = (tuple(None if g is None else tuple(g.shape) for g in grad_input),
                           grad_output[0].detach().clone())
        return hook

    def pre_hook(module, args):
        return (args[0] * 2,)

    handles = [model[0].register_forward_hook(save_act("lin0")),
               model[2].register_full_backward_hook(save_grad("lin2")),
               model[0].register_forward_pre_hook(pre_hook)]
    xin = torch.from_numpy(rng.normal(size=(5, 4)).astype(np.float32)).requires_grad_()
    out = model(xin)
    out.pow(2).mean().backward()
    print("act_lin0", fmt(activations["lin0"][0]))
    print("bw_hook", grads["lin2"][0], fmt(grads["lin2"][1][0]))
    print("xin_grad", fmt(xin.grad[0]))
    print("weight_grad", fmt(model[0].weight.grad[0]))
    for hnd in handles:
        hnd.remove()
    out2 = model(xin)
    print("hooks_removed", not torch.allclose(out2, out))

    # forward hook that replaces the output, with kwargs
    def kw_hook(module, args, kwargs, output):
        return output + 1
    hk = model[2].register_forward_hook(kw_hook, with_kwargs=True)
    print("kw_hook", fmt(model(xin)[0] - out2[0]))
    hk.remove()

    # torch.autograd.grad with create_graph (double backward)
    s = torch.tensor(2.0, requires_grad=True)
    f = s ** 3
    g1, = torch.autograd.grad(f, s, create_graph=True)
    g2, = torch.autograd.grad(g1, s)
    print("double_backward", g1.item(), g2.item())
    # set_grad_enabled / enable_grad inside no_grad
    with torch.no_grad():
        with torch.enable_grad():
            e = s * 2
        e2 = s * 2
    print("grad_modes", e.requires_grad, e2.requires_grad, torch.is_grad_enabled())
    with torch.set_grad_enabled(False):
        print("set_grad_enabled", (s * 3).requires_grad)


if __name__ == "__main__":
    main()
