"""Recommender (matrix factorisation + EmbeddingBag user history) trained with BPR loss, a
DataLoader with persistent workers across epochs, and hit-rate@k evaluation."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset


class Interactions(Dataset):
    def __init__(self, pairs, negatives):
        self.pairs = pairs
        self.negatives = negatives

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, i):
        u, pos = self.pairs[i]
        return torch.tensor(u), torch.tensor(pos), torch.tensor(self.negatives[i])


class MF(nn.Module):
    def __init__(self, n_users, n_items, dim=8):
        super().__init__()
        self.user = nn.Embedding(n_users, dim)
        self.item = nn.Embedding(n_items, dim)
        self.history = nn.EmbeddingBag(n_items, dim, mode="sum")
        self.item_bias = nn.Embedding(n_items, 1)

    def user_vec(self, users, hist_items, hist_offsets, hist_weights):
        return self.user(users) + self.history(hist_items, hist_offsets, per_sample_weights=hist_weights)

    def score(self, uvec, items):
        return (uvec * self.item(items)).sum(-1) + self.item_bias(items).squeeze(-1)


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    n_users, n_items = 30, 40
    # each user likes items from one of 4 clusters
    cluster = rng.randint(0, 4, size=n_users)
    liked = {u: [i for i in range(n_items) if i % 4 == cluster[u]] for u in range(n_users)}
    pairs = [(u, int(rng.choice(liked[u]))) for u in range(n_users) for _ in range(6)]
    negatives = [int(rng.choice([i for i in range(n_items) if i % 4 != cluster[u]])) for u, _ in pairs]
    hist = {u: rng.choice(liked[u], size=3, replace=False) for u in range(n_users)}
    hist_items = torch.from_numpy(np.concatenate([hist[u] for u in range(n_users)]))
    offsets_all = torch.arange(0, 3 * n_users, 3)
    weights_all = torch.full((3 * n_users,), 1.0 / 3)

    model = MF(n_users, n_items)
    r = np.random.RandomState(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(r.normal(0, 0.1, p.shape).astype(np.float32)))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    ds = Interactions(pairs, negatives)
    loader = DataLoader(ds, batch_size=36, shuffle=False, num_workers=2, persistent_workers=True,
                        prefetch_factor=2)
    for epoch in range(4):
        total = 0.0
        seen = 0
        for users, pos, neg in loader:
            idx = torch.stack([torch.arange(u * 3, u * 3 + 3) for u in users.tolist()]).flatten()
            offs = torch.arange(0, 3 * len(users), 3)
            uvec = model.user_vec(users, hist_items[idx], offs, weights_all[idx])
            loss = -F.logsigmoid(model.score(uvec, pos) - model.score(uvec, neg)).mean()
            loss = loss + 1e-4 * (uvec.pow(2).sum() / len(users))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(users)
            seen += len(users)
        print(f"epoch {epoch} bpr {total / seen:.5f} batches {len(loader)}")
    model.eval()
    with torch.no_grad():
        uvec = model.user_vec(torch.arange(n_users), hist_items, offsets_all, weights_all)
        scores = uvec @ model.item.weight.T + model.item_bias.weight.T
        top = scores.topk(5, dim=1).indices
        hits = torch.isin(top % 4, torch.tensor([0, 1, 2, 3])).all()
        precision = ((top % 4) == torch.from_numpy(cluster).unsqueeze(1)).float().mean().item()
    print("hits_valid", bool(hits), f"precision@5 {precision:.4f}")
    bag = nn.EmbeddingBag(5, 2, mode="max")
    with torch.no_grad():
        bag.weight.copy_(torch.arange(10.0).view(5, 2))
    print("bag_max", bag(torch.tensor([[0, 4], [1, 2]])).tolist(),
          nn.EmbeddingBag(5, 2, mode="mean", padding_idx=0).from_pretrained(torch.arange(10.0).view(5, 2), mode="mean", padding_idx=0)(
              torch.tensor([0, 1, 3]), torch.tensor([0, 1])).tolist())
    # random negative sampling: values only checked by range
    negs = torch.randint(0, n_items, (1000,))
    print("neg_range", int(negs.min()) >= 0 and int(negs.max()) < n_items, negs.dtype)
    w = torch.multinomial(torch.tensor([0.0, 1.0, 3.0]), 200, replacement=True)
    print("multinomial", set(w.tolist()) <= {1, 2}, (w == 2).float().mean().item() > 0.6)


if __name__ == "__main__":
    main()
