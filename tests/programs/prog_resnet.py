"""A small ResNet (torchvision style BasicBlock) trained on synthetic 3x16x16 images."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=10, zero_init_residual=True):
        super().__init__()
        self.inplanes = 8
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 8, layers[0])
        self.layer2 = self._make_layer(block, 16, layers[1], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(16 * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv3x3(self.inplanes, planes * block.expansion, stride),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.conv1(x)
        x = self.bn1(x)
        x = self.relu(x)
        x = self.maxpool(x)
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.fc(x)


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions (pytorch/examples/imagenet)."""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


class AverageMeter:
    def __init__(self):
        self.sum = 0.0
        self.count = 0

    def update(self, val, n=1):
        self.sum += val * n
        self.count += n

    @property
    def avg(self):
        return self.sum / max(self.count, 1)


def det_init(model, seed):
    rng = np.random.RandomState(seed)

    def init_fn(m):
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            fan_in = m.weight[0].numel()
            w = rng.normal(0, np.sqrt(2.0 / fan_in), size=tuple(m.weight.shape))
            m.weight.data = torch.tensor(w, dtype=torch.float32)
            if m.bias is not None:
                m.bias.data.zero_()
    model.apply(init_fn)


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    n, classes = 320, 10
    protos = rng.normal(size=(classes, 3, 16, 16)).astype(np.float32)
    y = rng.randint(0, classes, size=n)
    x = protos[y] + 0.8 * rng.normal(size=(n, 3, 16, 16)).astype(np.float32)
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    Xtr, Ytr, Xte, Yte = X[:256], Y[:256], X[256:], Y[256:]

    model = ResNet(BasicBlock, [1, 1], num_classes=classes)
    det_init(model, 1)
    n_conv = sum(1 for m in model.modules() if isinstance(m, nn.Conv2d))
    print("convs", n_conv, "params", sum(p.numel() for p in model.parameters() if p.requires_grad))
    print("bn2_zero", model.layer1[0].bn2.weight.abs().sum().item())
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, nesterov=True)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3)
    for epoch in range(3):
        model.train()
        losses, top1 = AverageMeter(), AverageMeter()
        for i in range(0, 256, 64):
            inp, tgt = Xtr[i:i + 64], Ytr[i:i + 64]
            out = model(inp)
            loss = F.cross_entropy(out, tgt)
            acc1, = accuracy(out, tgt, topk=(1,))
            losses.update(loss.item(), inp.size(0))
            top1.update(acc1[0].item(), inp.size(0))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            out = model(Xte)
            vloss = F.cross_entropy(out, Yte, reduction="sum").item() / Yte.numel()
            a1, a5 = accuracy(out, Yte, topk=(1, 5))
        print(f"epoch {epoch} lr {sched.get_last_lr()[0]:.5f} loss {losses.avg:.4f} "
              f"train@1 {top1.avg:.2f} val_loss {vloss:.4f} val@1 {a1.item():.2f} val@5 {a5.item():.2f}")
    rm = model.bn1.running_mean
    print("running_mean", " ".join(f"{v:.4f}" for v in rm[:4].tolist()))
    print("training_flags", model.training, model.layer1[0].bn1.training)


if __name__ == "__main__":
    main()
