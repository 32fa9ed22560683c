"""Idioms from older tutorials and repos: Variable, legacy constructors, .data, numpy interop,
LBFGS with closure, FGSM, spatial transformer (affine_grid/grid_sample), Embedding.from_pretrained."""
import pickle
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    # legacy constructors and type strings
    a = torch.FloatTensor(2, 3).zero_()
    b = torch.LongTensor([1, 2, 3])
    c = torch.Tensor([[1, 2], [3, 4]])
    print(a.type(), b.type(), c.type(), c.dtype, torch.ByteTensor([1]).dtype)
    print(a.type(torch.DoubleTensor).dtype, b.float().type(), isinstance(c, torch.FloatTensor))
    v = Variable(torch.ones(2), requires_grad=True)
    (v * 3).sum().backward()
    print("variable", v.grad.tolist(), type(v.data).__name__, v.data.requires_grad)
    # numpy interop, including negative strides and float64 -> dtype rules
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = torch.from_numpy(arr)
    arr[0, 0] = 100
    print("shares_memory", t[0, 0].item(), t.dtype)
    flipped = torch.from_numpy(np.ascontiguousarray(arr[:, ::-1]))
    print("flip", flipped.tolist())
    try:
        torch.from_numpy(arr[:, ::-1])
    except ValueError as e:
        print("negative_strides", "negative" in str(e))
    print("as_tensor", torch.as_tensor([np.float32(1.5), 2]).dtype, torch.tensor(np.float64(2.0)).dtype,
          torch.tensor([np.array([1, 2]), np.array([3, 4])]).shape, torch.tensor(np.int32(3)).dtype)
    print("np_scalar_ops", (torch.ones(2) * np.float64(2.0)).dtype, (torch.ones(2) + np.float32(1)).dtype,
          (np.float64(2.0) * torch.ones(2)).dtype)
    n = torch.ones(2, 2).numpy()
    n[0, 0] = 5
    print("numpy_view", torch.ones(2, 2).numpy().dtype, n.sum())
    x = torch.ones(3, requires_grad=True)
    print("detach_numpy", (x * 2).detach().numpy().tolist(), (x * 2).detach().cpu().numpy().dtype)
    print("item_types", type(torch.tensor(3).item()).__name__, type(torch.tensor(3.0).item()).__name__,
          type(torch.tensor(True).item()).__name__, int(torch.tensor(7)), float(torch.tensor([2.5])))
    print("len_iter", len(torch.zeros(4, 2)), [r.tolist() for r in torch.arange(4).view(2, 2)])
    print("bool_ctx", bool(torch.tensor([1])), "yes" if torch.tensor(0.0) else "no")
    print("index_with_tensor_scalar", torch.arange(5)[torch.tensor(2)].item(),
          [10, 20, 30][torch.tensor(1)])
    # pickling and deepcopy of tensors / modules
    m = nn.Linear(3, 2)
    m2 = pickle.loads(pickle.dumps(m))
    print("pickle_module", torch.equal(m.weight, m2.weight), type(m2.weight).__name__)
    tg = torch.ones(2, requires_grad=True)
    (tg * 2).sum().backward()
    tc = copy.deepcopy(tg)
    print("deepcopy_grad", tc.requires_grad, tc.grad.tolist() if tc.grad is not None else None)

    # LBFGS with closure (neural-style / curve fitting)
    xs = torch.linspace(-2, 2, 50)
    ys = 1.5 * xs ** 3 - 0.5 * xs + 0.25
    coef = torch.zeros(4, requires_grad=True)
    opt = torch.optim.LBFGS([coef], lr=1, max_iter=50, history_size=10, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        pred = coef[0] * xs ** 3 + coef[1] * xs ** 2 + coef[2] * xs + coef[3]
        loss = F.mse_loss(pred, ys)
        loss.backward()
        return loss
    for _ in range(3):
        loss = opt.step(closure)
    print("lbfgs", " ".join(f"{v:.4f}" for v in coef.tolist()), f"{loss.item():.2e}" if loss.item() > 1e-9 else "converged")
    sgd = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    print("sgd_closure", sgd.step(lambda: torch.tensor(1.5)).item())

    # FGSM attack (adversarial example tutorial)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    r = np.random.RandomState(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.5, 0.5, p.shape).astype(np.float32)))
    data = torch.from_numpy(rng.uniform(0, 1, size=(5, 4)).astype(np.float32))
    target = torch.tensor([0, 1, 2, 0, 1])
    data.requires_grad = True
    output = model(data)
    loss = F.nll_loss(F.log_softmax(output, dim=1), target)
    model.zero_grad()
    loss.backward()
    data_grad = data.grad.data
    perturbed = torch.clamp(data + 0.1 * data_grad.sign(), 0, 1)
    print("fgsm", f"{loss.item():.5f}", f"{F.cross_entropy(model(perturbed), target).item():.5f}",
          data_grad.sign().sum().item())

    # spatial transformer: identity affine grid reproduces the input
    img = torch.from_numpy(rng.normal(size=(2, 1, 5, 6)).astype(np.float32))
    theta = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]]).unsqueeze(0).repeat(2, 1, 1)
    grid = F.affine_grid(theta, img.size(), align_corners=False)
    out = F.grid_sample(img, grid, align_corners=False)
    print("stn_identity", torch.allclose(out, img, atol=1e-5), tuple(grid.shape))
    theta2 = torch.tensor([[[0.8, 0.1, 0.05], [-0.1, 0.9, 0.0]]], requires_grad=True)
    g2 = F.affine_grid(theta2, (1, 1, 5, 6), align_corners=False)
    o2 = F.grid_sample(img[:1], g2, mode="bilinear", padding_mode="border", align_corners=False)
    o2.sum().backward()
    print("stn_rot", f"{o2.sum().item():.5f}", " ".join(f"{v:.5f}" for v in theta2.grad.flatten().tolist()))

    # pretrained embeddings
    weights = torch.from_numpy(rng.normal(size=(5, 3)).astype(np.float32))
    emb = nn.Embedding.from_pretrained(weights, freeze=True, padding_idx=0)
    print("from_pretrained", emb.weight.requires_grad, torch.equal(emb(torch.tensor([2]))[0], weights[2]))
    bag = nn.EmbeddingBag.from_pretrained(weights, mode="mean")
    print("embedding_bag", " ".join(f"{v:.5f}" for v in bag(torch.tensor([1, 2, 4, 3]), torch.tensor([0, 3])).flatten().tolist()))
    print("F.embedding", F.embedding(torch.tensor([[0, 4]]), weights).shape)

    # leaf in-place error, anomaly mode, requires_grad on int tensor
    w = torch.ones(2, requires_grad=True)
    try:
        w.add_(1)
    except RuntimeError as e:
        print("leaf_inplace", "leaf Variable that requires grad" in str(e))
    try:
        torch.tensor([1, 2]).requires_grad_()
    except RuntimeError as e:
        print("int_requires_grad", "floating point" in str(e))
    y = w * 3
    y.add_(1)
    y.sum().backward()
    print("inplace_nonleaf_grad", w.grad.tolist())
    z = w.sigmoid()
    z.mul_(2)
    try:
        z.sum().backward()
        print("sigmoid_inplace", w.grad.tolist())
    except RuntimeError as e:
        print("modified_by_inplace", "modified by an inplace operation" in str(e))
    try:
        torch.ones(2, 3) @ torch.ones(2, 3)
    except RuntimeError as e:
        print("matmul_error", str(e))
    try:
        torch.cat([torch.ones(2, 3), torch.ones(3, 2)])
    except RuntimeError as e:
        print("cat_error", "Sizes of tensors must match" in str(e))
    try:
        torch.ones(2).view(3)
    except RuntimeError as e:
        print("view_error", str(e))


if __name__ == "__main__":
    main()
