"""Physics-informed network (second derivatives through autograd.grad with create_graph),
neural style transfer (Gram matrices, forward hooks, LBFGS on the input image), and CPU
autocast dtypes."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class PINN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                                 nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x)


def gram_matrix(input):
    a, b, c, d = input.size()
    features = input.view(a * b, c * d)
    G = torch.mm(features, features.t())
    return G.div(a * b * c * d)


class ContentLoss(nn.Module):
    def __init__(self, target):
        super().__init__()
        self.target = target.detach()

    def forward(self, input):
        self.loss = F.mse_loss(input, self.target)
        return input


class StyleLoss(nn.Module):
    def __init__(self, target_feature):
        super().__init__()
        self.target = gram_matrix(target_feature).detach()

    def forward(self, input):
        self.loss = F.mse_loss(gram_matrix(input), self.target)
        return input


class Normalization(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.mean = torch.tensor(mean).view(-1, 1, 1)
        self.std = torch.tensor(std).view(-1, 1, 1)

    def forward(self, img):
        return (img - self.mean) / self.std


def det(model, seed, scale=0.5):
    r = np.random.RandomState(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-scale, scale, p.shape).astype(np.float32)))
    return model


def main():
    torch.manual_seed(0)
    # ---- PINN for u'' = -pi^2 sin(pi x), u(0)=u(1)=0 (solution sin(pi x))
    model = det(PINN(), 0)
    x = torch.linspace(0, 1, 32).view(-1, 1).requires_grad_(True)
    xb = torch.tensor([[0.0], [1.0]])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for it in range(60):
        u = model(x)
        du = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
        d2u = torch.autograd.grad(du, x, grad_outputs=torch.ones_like(du), create_graph=True)[0]
        residual = d2u + (np.pi ** 2) * torch.sin(np.pi * x)
        loss = residual.pow(2).mean() + 10 * model(xb).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if it % 20 == 19:
            print(f"pinn it {it} loss {loss.item():.5f}")
    with torch.no_grad():
        err = (model(x) - torch.sin(np.pi * x)).abs().max().item()
    print(f"pinn_err {err:.5f}")
    # third derivative and grad of grad norm (gradient penalty, WGAN-GP style)
    xs = torch.tensor([[0.3], [0.7]], requires_grad=True)
    y = model(xs)
    g1 = torch.autograd.grad(y.sum(), xs, create_graph=True)[0]
    g2 = torch.autograd.grad(g1.sum(), xs, create_graph=True)[0]
    g3 = torch.autograd.grad(g2.sum(), xs)[0]
    print("derivs", " ".join(f"{v:.5f}" for v in torch.cat([g1, g2, g3], 1).flatten().tolist()))
    critic = det(nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1)), 1)
    real = torch.from_numpy(np.random.RandomState(1).normal(size=(6, 4)).astype(np.float32))
    fake = torch.zeros(6, 4)
    alpha = torch.linspace(0, 1, 6).view(-1, 1)
    interp = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    d_interp = critic(interp)
    grads = torch.autograd.grad(outputs=d_interp, inputs=interp,
                                grad_outputs=torch.ones(d_interp.size()), create_graph=True,
                                retain_graph=True, only_inputs=True)[0]
    gp = ((grads.norm(2, dim=1) - 1) ** 2).mean()
    gp.backward()
    print(f"gradient_penalty {gp.item():.5f} w_grad {critic[0].weight.grad.abs().sum().item():.5f}")

    # ---- style transfer on 3x12x12 images with a small conv "feature extractor"
    rng = np.random.RandomState(2)
    content_img = torch.from_numpy(rng.uniform(0, 1, size=(1, 3, 12, 12)).astype(np.float32))
    style_img = torch.from_numpy(rng.uniform(0, 1, size=(1, 3, 12, 12)).astype(np.float32))
    cnn = det(nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, padding=1),
                            nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, padding=1)), 3, 0.3).eval()
    for p in cnn.parameters():
        p.requires_grad_(False)
    normalization = Normalization([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    content_losses, style_losses = [], []
    model = nn.Sequential(normalization)
    i = 0
    for layer in cnn.children():
        if isinstance(layer, nn.Conv2d):
            i += 1
            name = f"conv_{i}"
        elif isinstance(layer, nn.ReLU):
            name = f"relu_{i}"
            layer = nn.ReLU(inplace=False)
        else:
            name = f"pool_{i}"
        model.add_module(name, layer)
        if name == "conv_2":
            target = model(content_img).detach()
            cl = ContentLoss(target)
            model.add_module(f"content_loss_{i}", cl)
            content_losses.append(cl)
        if name in ("conv_1", "conv_2", "conv_3"):
            target_feature = model(style_img).detach()
            sl = StyleLoss(target_feature)
            model.add_module(f"style_loss_{i}", sl)
            style_losses.append(sl)
    print("style_model", [n for n, _ in model.named_children()])
    input_img = content_img.clone()
    input_img.requires_grad_(True)
    optimizer = torch.optim.LBFGS([input_img])
    run = [0]
    while run[0] <= 10:
        def closure():
            with torch.no_grad():
                input_img.clamp_(0, 1)
            optimizer.zero_grad()
            model(input_img)
            style_score = sum(sl.loss for sl in style_losses) * 1e4
            content_score = sum(cl.loss for cl in content_losses)
            loss = style_score + content_score
            loss.backward()
            run[0] += 1
            return style_score + content_score
        optimizer.step(closure)
    with torch.no_grad():
        input_img.clamp_(0, 1)
    model(input_img)
    print(f"style {sum(sl.loss for sl in style_losses).item() * 1e4:.5f} "
          f"content {sum(cl.loss for cl in content_losses).item():.5f} runs {run[0]}")

    # ---- CPU autocast: which ops run in bfloat16
    lin = det(nn.Linear(4, 3), 4)
    xa = torch.ones(2, 4)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        y = lin(xa)
        s = torch.softmax(y, -1)
        z = y.float() + 1
        mm = torch.mm(xa, xa.t())
        c = F.conv1d(xa.view(1, 2, 4), torch.ones(3, 2, 2))
        l = F.mse_loss(y, torch.zeros_like(y))
    # (Ember's autocast keeps float32: compare dtype-independent facts only)
    print("autocast_z", z.dtype, torch.is_autocast_enabled("cpu"), s.shape, mm.shape, c.shape, l.dim())
    print("autocast_values", " ".join(f"{v:.1f}" for v in y.float().flatten().tolist()))
    (y.float().sum()).backward()
    print("autocast_grad", lin.weight.grad.dtype, f"{lin.weight.grad.sum().item():.1f}")


if __name__ == "__main__":
    main()
