"""Graph neural networks with scatter-based message passing (PyG style, no extension
packages): GCN normalisation, GAT edge softmax via scatter_reduce, global mean pooling."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def add_self_loops(edge_index, num_nodes):
    loops = torch.arange(num_nodes).unsqueeze(0).repeat(2, 1)
    return torch.cat([edge_index, loops], dim=1)


def degree(index, num_nodes, dtype=torch.float32):
    out = torch.zeros(num_nodes, dtype=dtype)
    return out.scatter_add_(0, index, torch.ones(index.size(0), dtype=dtype))


def scatter_softmax(src, index, num_nodes):
    """Softmax of src grouped by index (per target node), numerically stable."""
    H = src.size(1)
    mx = torch.full((num_nodes, H), float("-inf")).scatter_reduce(
        0, index.unsqueeze(1).expand(-1, H), src, reduce="amax", include_self=True)
    ex = (src - mx[index]).exp()
    denom = torch.zeros(num_nodes, H).index_add_(0, index, ex)
    return ex / (denom[index] + 1e-16)


class GCNConv(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels, bias=False)
        self.bias = nn.Parameter(torch.zeros(out_channels))

    def forward(self, x, edge_index):
        N = x.size(0)
        edge_index = add_self_loops(edge_index, N)
        row, col = edge_index
        deg = degree(col, N)
        deg_inv_sqrt = deg.pow(-0.5)
        deg_inv_sqrt[deg_inv_sqrt == float("inf")] = 0
        norm = deg_inv_sqrt[row] * deg_inv_sqrt[col]
        x = self.lin(x)
        msg = norm.view(-1, 1) * x[row]
        out = torch.zeros_like(x).index_add_(0, col, msg)
        return out + self.bias


class GATConv(nn.Module):
    def __init__(self, in_channels, out_channels, heads=2):
        super().__init__()
        self.heads, self.out_channels = heads, out_channels
        self.lin = nn.Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = nn.Parameter(torch.empty(1, heads, out_channels))
        self.att_dst = nn.Parameter(torch.empty(1, heads, out_channels))
        nn.init.xavier_uniform_(self.att_src)
        nn.init.xavier_uniform_(self.att_dst)

    def forward(self, x, edge_index):
        N, H, C = x.size(0), self.heads, self.out_channels
        edge_index = add_self_loops(edge_index, N)
        src, dst = edge_index
        h = self.lin(x).view(N, H, C)
        a_src = (h * self.att_src).sum(-1)
        a_dst = (h * self.att_dst).sum(-1)
        alpha = F.leaky_relu(a_src[src] + a_dst[dst], 0.2)
        alpha = scatter_softmax(alpha, dst, N)
        out = torch.zeros(N, H, C).index_add_(0, dst, h[src] * alpha.unsqueeze(-1))
        return out.mean(1), alpha


class Net(nn.Module):
    def __init__(self, in_dim, hid, n_classes):
        super().__init__()
        self.conv1 = GCNConv(in_dim, hid)
        self.conv2 = GATConv(hid, hid)
        self.cls = nn.Linear(hid, n_classes)

    def forward(self, x, edge_index, batch, num_graphs):
        x = F.relu(self.conv1(x, edge_index))
        x = F.dropout(x, p=0.0, training=self.training)
        x, alpha = self.conv2(x, edge_index)
        x = F.elu(x)
        # global mean pool
        sums = torch.zeros(num_graphs, x.size(1)).index_add_(0, batch, x)
        counts = torch.bincount(batch, minlength=num_graphs).clamp(min=1).unsqueeze(1)
        return self.cls(sums / counts), alpha


def make_graphs(n_graphs, rng):
    xs, eis, ys, batch = [], [], [], []
    offset = 0
    for g in range(n_graphs):
        n = rng.randint(4, 9)
        label = rng.randint(0, 2)
        p = 0.7 if label else 0.25   # dense vs sparse graphs
        adj = np.triu(rng.rand(n, n) < p, 1)
        src, dst = np.nonzero(adj)
        ei = np.concatenate([np.stack([src, dst]), np.stack([dst, src])], axis=1) + offset
        xs.append(rng.normal(size=(n, 3)).astype(np.float32))
        eis.append(ei)
        ys.append(label)
        batch.extend([g] * n)
        offset += n
    return (torch.from_numpy(np.concatenate(xs)), torch.from_numpy(np.concatenate(eis, 1)).long(),
            torch.tensor(ys), torch.tensor(batch))


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    x, edge_index, y, batch = make_graphs(40, rng)
    print("graph", tuple(x.shape), tuple(edge_index.shape), int(batch.max()) + 1)
    model = Net(3, 16, 2)
    r = np.random.RandomState(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.uniform(-0.4, 0.4, p.shape).astype(np.float32)))
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for epoch in range(30):
        model.train()
        opt.zero_grad()
        out, alpha = model(x, edge_index, batch, 40)
        loss = F.cross_entropy(out, y)
        loss.backward()
        opt.step()
        if epoch % 10 == 9:
            acc = (out.argmax(1) == y).float().mean().item()
            print(f"epoch {epoch} loss {loss.item():.5f} acc {acc:.4f}")
    N = x.size(0)
    dst = add_self_loops(edge_index, N)[1]
    sums = torch.zeros(N, 2).index_add_(0, dst, alpha.detach())
    print("alpha_normalised", torch.allclose(sums, torch.ones(N, 2), atol=1e-5))
    deg = degree(edge_index[0], N)
    print("degree_stats", deg.max().item(), deg.sum().item(),
          torch.equal(deg.long(), torch.bincount(edge_index[0], minlength=N)))
    # scatter_reduce flavours used for pooling
    vals = torch.tensor([1.0, 5.0, 2.0, 4.0, 3.0])
    idx = torch.tensor([0, 0, 1, 1, 2])
    for red in ["sum", "prod", "mean", "amax", "amin"]:
        r1 = torch.zeros(3).scatter_reduce(0, idx, vals, reduce=red, include_self=False)
        print("scatter_reduce", red, r1.tolist())
    src = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    outm = torch.zeros(2).scatter_reduce(0, torch.tensor([0, 0, 1]), src, reduce="mean", include_self=False)
    outm.sum().backward()
    print("scatter_mean_grad", src.grad.tolist())
    # adjacency via dense tensors and index_put_
    A = torch.zeros(N, N)
    A.index_put_((edge_index[0], edge_index[1]), torch.ones(edge_index.size(1)), accumulate=True)
    print("adjacency_sym", torch.equal(A, A.t()), int(A.sum().item()))
    Dinv = torch.diag(A.sum(1).clamp(min=1).rsqrt())
    L = torch.eye(N) - Dinv @ A @ Dinv
    evals = torch.linalg.eigvalsh(L)
    print("laplacian_eig", f"{evals.min().item():.4f}", f"{evals.max().item():.4f}")


if __name__ == "__main__":
    main()
