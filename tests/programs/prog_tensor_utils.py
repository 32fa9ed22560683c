"""Grab bag of tensor manipulation idioms seen in real code (detection, NLP, RL utilities)."""
import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils.rnn import pad_sequence


def p(name, t):
    if isinstance(t, torch.Tensor):
        if t.dtype == torch.bool:
            t = t.int()
        vals = t.detach().reshape(-1).tolist()
        if t.is_floating_point():
            vals = [round(v, 5) for v in vals]
        print(name, tuple(t.shape), str(t.dtype).replace("torch.", ""), vals)
    else:
        print(name, t)


def box_iou(boxes1, boxes2):
    area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
    area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area1[:, None] + area2 - inter)


def nms(boxes, scores, thr):
    order = scores.argsort(descending=True)
    keep = []
    while order.numel() > 0:
        i = order[0]
        keep.append(i.item())
        if order.numel() == 1:
            break
        ious = box_iou(boxes[i].unsqueeze(0), boxes[order[1:]]).squeeze(0)
        order = order[1:][ious <= thr]
    return torch.tensor(keep, dtype=torch.long)


def main():
    rng = np.random.RandomState(0)
    a = torch.from_numpy(rng.normal(size=(3, 4)).astype(np.float32))
    b = torch.from_numpy(rng.normal(size=(4, 5)).astype(np.float32))
    p("einsum_mm", torch.einsum("ij,jk->ik", a, b))
    bat = torch.from_numpy(rng.normal(size=(2, 3, 4)).astype(np.float32))
    p("einsum_bij", torch.einsum("bij,bkj->bik", bat, bat))
    p("einsum_trace", torch.einsum("ii", a[:, :3]))
    p("einsum_outer", torch.einsum("i,j->ij", a[0], a[1, :2]))
    p("einsum_ellipsis", torch.einsum("...ij->...ji", bat).sum(0))

    idx = torch.tensor([[0, 2], [1, 3], [3, 0]])
    p("gather", torch.gather(a, 1, idx))
    src = torch.ones(3, 2)
    p("scatter_add_", torch.zeros(3, 4).scatter_add_(1, idx, src))
    p("scatter_", torch.zeros(3, 4).scatter_(1, idx, 5.0))
    p("scatter_reduce", torch.zeros(4).scatter_reduce(0, torch.tensor([0, 1, 0, 3]),
                                                        torch.tensor([1.0, 2.0, 3.0, 4.0]),
                                                        reduce="amax", include_self=False))
    p("index_add", torch.zeros(4, 2).index_add_(0, torch.tensor([0, 0, 2]), torch.ones(3, 2)))
    mask = a > 0
    p("masked_fill", a.masked_fill(mask, float("-inf")).softmax(-1).nan_to_num(0.0))
    p("masked_select", torch.masked_select(a, mask))
    vals, inds = torch.topk(a, 2, dim=1)
    p("topk_vals", vals)
    p("topk_inds", inds)
    vals, inds = a.topk(2, dim=0, largest=False, sorted=True)
    p("topk_small", inds)
    p("argsort", torch.argsort(a, dim=1, descending=True))
    sv, si = torch.sort(torch.tensor([3, 1, 2, 1, 3]), stable=True)
    p("sort_stable", si)
    p("cumsum", a.cumsum(dim=1))
    p("cumprod", torch.cumprod(torch.tensor([1, 2, 3, 4]), 0))
    p("cummax", torch.cummax(a[0], 0).indices)
    p("where", torch.where(a > 0, a, torch.zeros_like(a)))
    p("where_scalar", torch.where(a > 0, 1.0, -1.0))
    p("nonzero", torch.nonzero(mask))
    p("where_1arg", torch.where(mask)[1])
    p("index_select", torch.index_select(a, 0, torch.tensor([2, 0])))
    x = torch.tensor([3, 1, 2, 3, 1, 5])
    u, inv, cnt = torch.unique(x, return_inverse=True, return_counts=True)
    p("unique", u)
    p("unique_inv", inv)
    p("unique_cnt", cnt)
    p("unique_consecutive", torch.unique_consecutive(torch.tensor([1, 1, 2, 2, 3, 1])))
    p("unique_dim", torch.unique(torch.tensor([[1, 2], [1, 2], [0, 1]]), dim=0))
    p("bincount", torch.bincount(x))
    p("bincount_w", torch.bincount(x, weights=torch.arange(6, dtype=torch.float32), minlength=7))
    p("one_hot", F.one_hot(torch.tensor([0, 2, 1]), num_classes=4))
    p("one_hot_auto", F.one_hot(torch.tensor([[0, 2], [1, 1]])))
    seqs = [torch.tensor([1, 2, 3]), torch.tensor([4]), torch.tensor([5, 6])]
    p("pad_sequence", pad_sequence(seqs, batch_first=True, padding_value=-1))
    p("pad_sequence_T", pad_sequence(seqs))
    p("repeat_interleave", torch.repeat_interleave(torch.tensor([1, 2]), torch.tensor([2, 3])))
    p("repeat", torch.tensor([[1, 2]]).repeat(2, 2))
    p("expand", torch.tensor([[1], [2]]).expand(-1, 3))
    p("tril", torch.tril(torch.ones(3, 3), diagonal=-1))
    p("triu_indices", torch.triu_indices(3, 3, offset=1))
    gx, gy = torch.meshgrid(torch.arange(2), torch.arange(3), indexing="ij")
    p("meshgrid", gx * 10 + gy)
    p("chunk", torch.stack(torch.arange(6).chunk(3)))
    p("split", torch.cat([t.sum(0, keepdim=True) for t in torch.arange(7).split([3, 4])]))
    p("tensor_split", torch.tensor([len(t) for t in torch.arange(7).tensor_split(3)]))
    p("flip_roll", torch.roll(torch.arange(5).flip(0), shifts=2))
    p("cdist", torch.cdist(a, a[:2]))
    p("norm", torch.linalg.vector_norm(a, ord=2, dim=1))
    p("clamp_tensor", torch.clamp(a, min=torch.tensor(-0.5), max=torch.tensor(0.5)))
    p("diff", torch.diff(torch.tensor([1, 4, 9, 16])))
    p("searchsorted", torch.searchsorted(torch.tensor([1, 3, 5, 7]), torch.tensor([0, 3, 6, 9])))
    p("bucketize", torch.bucketize(torch.tensor([0.5, 3.0, 6.5]), torch.tensor([1.0, 3.0, 5.0]), right=True))
    p("histc", torch.histc(torch.tensor([1.0, 2, 1, 4]), bins=4, min=0, max=4))
    p("kthvalue", torch.kthvalue(torch.tensor([3.0, 1.0, 2.0]), 2).values)
    p("mode", torch.mode(torch.tensor([1, 2, 2, 3])).values)
    p("median", torch.median(torch.tensor([1.0, 4.0, 2.0, 3.0])))
    p("quantile", torch.quantile(torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([0.25, 0.5])))
    p("logsumexp", torch.logsumexp(a, dim=1))
    p("std_mean", torch.stack(torch.std_mean(a, dim=0, unbiased=False)))
    p("var_corr", a.var(dim=1, correction=0))
    p("amax", a.amax(dim=(0, 1)))
    p("max_dim", a.max(dim=1).indices)
    p("argmax_keepdim", a.argmax(dim=0, keepdim=True))
    p("all_any", torch.stack([mask.all(), mask.any(), mask.all(dim=1).any()]))
    p("count_nonzero", torch.count_nonzero(mask, dim=0))
    p("isin", torch.isin(torch.tensor([1, 2, 3, 4]), torch.tensor([2, 4])))
    p("view_as_strided", torch.arange(6).view(2, 3).t().contiguous().view(-1))
    p("unfold", torch.arange(8.0).unfold(0, 3, 2))
    p("flatten_unflatten", torch.arange(12).view(2, 6).unflatten(1, (2, 3)).flatten(0, 1))
    p("movedim", torch.arange(24).view(2, 3, 4).movedim(0, -1)[1])
    p("narrow_copy", torch.arange(10).narrow(0, 2, 3))
    p("F.pad", F.pad(torch.ones(1, 2, 2), (1, 0, 0, 1), value=7))
    p("F.normalize", F.normalize(a, dim=1))
    p("cos_sim", F.cosine_similarity(a[:1], a[1:], dim=1))
    p("dtype_promo", (torch.tensor([1, 2]) / 2))
    p("int_div", torch.div(torch.tensor([-7, 7]), 2, rounding_mode="floor"))
    p("remainder", torch.remainder(torch.tensor([-7, 7]), 3))
    p("fmod", torch.fmod(torch.tensor([-7.0, 7.0]), 3))
    p("bitwise", torch.tensor([5, 3]) & torch.tensor([3, 3]) | torch.tensor([8, 0]))
    p("shift", torch.tensor([1, 2]) << 2)
    p("type_as", torch.tensor([1.7, -1.7]).long())
    p("round", torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5])))
    p("round_dec", torch.round(torch.tensor([1.2345]), decimals=2))
    p("addcmul", torch.addcmul(torch.ones(2), torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0]), value=0.5))
    p("lerp", torch.lerp(torch.zeros(2), torch.ones(2), 0.25))
    p("baddbmm", torch.baddbmm(torch.zeros(2, 3, 3), bat, bat.transpose(1, 2), alpha=0.5))
    p("outer", torch.outer(torch.arange(3.0), torch.arange(2.0)))
    p("kron", torch.kron(torch.eye(2), torch.ones(1, 2)))
    p("block_diag", torch.block_diag(torch.ones(1, 1), 2 * torch.ones(2, 1)))
    p("diag_embed", torch.diag_embed(torch.tensor([[1.0, 2.0]])))
    p("cartesian", torch.cartesian_prod(torch.tensor([1, 2]), torch.tensor([3, 4])))
    p("combinations", torch.combinations(torch.tensor([1, 2, 3]), r=2))

    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 9, 10.0]])
    scores = torch.tensor([0.9, 0.8, 0.7, 0.95])
    p("iou", box_iou(boxes, boxes))
    p("nms", nms(boxes, scores, 0.5))

    # in-place ops through views and advanced-index assignment
    z = torch.zeros(3, 4)
    z[:, 1] += 1
    z[torch.tensor([0, 2]), torch.tensor([3, 0])] = torch.tensor([5.0, 6.0])
    z[z == 0] = -1
    z.narrow(1, 2, 1).mul_(3)
    z.index_put_((torch.tensor([1, 1]),), torch.tensor(9.0), accumulate=False)
    p("inplace_views", z)
    acc = torch.zeros(5)
    acc.index_put_((torch.tensor([0, 0, 3]),), torch.tensor([1.0, 2.0, 3.0]), accumulate=True)
    p("index_put_acc", acc)

    # jacobian / hessian / functional transforms
    def f(x):
        return torch.stack([x[0] ** 2 * x[1], x[1].sin() + x[0]])
    x0 = torch.tensor([1.0, 2.0])
    p("jacobian", torch.autograd.functional.jacobian(f, x0))
    p("hessian", torch.autograd.functional.hessian(lambda x: (x ** 3).sum() + x[0] * x[1], x0))
    _, vjp = torch.autograd.functional.vjp(f, x0, torch.tensor([1.0, 1.0]))
    p("vjp", vjp)
    from torch.func import grad, vmap, jacrev, functional_call
    p("func_grad", grad(lambda x: (x.sin() * x).sum())(x0))
    p("vmap", vmap(lambda v: v @ v)(torch.arange(6.0).view(3, 2)))
    p("vmap_in_dims", vmap(torch.mul, in_dims=(0, None))(torch.arange(3.0), torch.tensor(2.0)))
    p("jacrev", jacrev(f)(x0))
    lin = torch.nn.Linear(2, 1)
    params = {"weight": torch.tensor([[1.0, -1.0]]), "bias": torch.tensor([0.5])}
    p("functional_call", functional_call(lin, params, (torch.tensor([[3.0, 1.0]]),)))
    # per-sample gradients, the torch.func tutorial pattern
    def loss_fn(params, xb, yb):
        out = functional_call(lin, params, (xb.unsqueeze(0),))
        return F.mse_loss(out, yb.unsqueeze(0))
    xs = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    ys = torch.tensor([[1.0], [0.0]])
    psg = vmap(grad(loss_fn), in_dims=(None, 0, 0))(params, xs, ys)
    p("per_sample_grad", psg["weight"])


if __name__ == "__main__":
    main()
