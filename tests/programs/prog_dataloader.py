"""Custom Dataset + collate_fn + samplers + worker processes."""
import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence, pack_padded_sequence, pad_packed_sequence
from torch.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, RandomSampler,
                              SequentialSampler, Subset, TensorDataset, WeightedRandomSampler,
                              random_split, get_worker_info)


class VarLenDataset(Dataset):
    def __init__(self, n, seed=0):
        rng = np.random.RandomState(seed)
        self.seqs = [rng.randint(1, 50, size=rng.randint(2, 9)) for _ in range(n)]
        self.labels = rng.randint(0, 3, size=n)

    def __len__(self):
        return len(self.seqs)

    def __getitem__(self, idx):
        return {"tokens": torch.tensor(self.seqs[idx], dtype=torch.long),
                "label": int(self.labels[idx]),
                "idx": idx}


def collate_fn(batch):
    tokens = [b["tokens"] for b in batch]
    lengths = torch.tensor([len(t) for t in tokens])
    padded = pad_sequence(tokens, batch_first=True, padding_value=0)
    labels = torch.tensor([b["label"] for b in batch])
    idx = torch.tensor([b["idx"] for b in batch])
    return padded, lengths, labels, idx


class SquareDataset(Dataset):
    def __len__(self):
        return 20

    def __getitem__(self, i):
        info = get_worker_info()
        wid = -1 if info is None else info.id
        return torch.tensor([i, i * i], dtype=torch.float32), wid


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2 ** 32
    np.random.seed(worker_seed)


def main():
    torch.manual_seed(0)
    ds = VarLenDataset(60)
    # default collate on dicts
    dl = DataLoader(ds, batch_size=1)
    first = next(iter(dl))
    print("default_collate_dict", sorted(first.keys()), first["label"].dtype,
          tuple(first["tokens"].shape), type(first["idx"]).__name__)

    loader = DataLoader(ds, batch_size=8, shuffle=False, collate_fn=collate_fn, num_workers=2,
                        worker_init_fn=seed_worker, persistent_workers=False)
    print("len_loader", len(loader))
    seen = []
    total_tokens = 0
    for padded, lengths, labels, idx in loader:
        seen.extend(idx.tolist())
        total_tokens += int((padded != 0).sum())
        packed = pack_padded_sequence(padded, lengths, batch_first=True, enforce_sorted=False)
        unpacked, ul = pad_packed_sequence(packed, batch_first=True)
        assert torch.equal(ul, lengths)
        assert torch.equal(unpacked[:, :padded.size(1)], padded[:, :unpacked.size(1)])
    print("order_preserved", seen == list(range(60)), "tokens", total_tokens)

    # weighted random sampler for class balancing
    labels = torch.tensor(ds.labels)
    class_count = torch.bincount(labels)
    class_weights = 1.0 / class_count.float()
    sample_weights = class_weights[labels]
    print("class_count", class_count.tolist())
    g = torch.Generator()
    g.manual_seed(0)
    sampler = WeightedRandomSampler(sample_weights, num_samples=3000, replacement=True, generator=g)
    wl = DataLoader(ds, batch_size=100, sampler=sampler, collate_fn=collate_fn)
    counts = torch.zeros(3)
    for _, _, lab, _ in wl:
        counts += torch.bincount(lab, minlength=3).float()
    frac = counts / counts.sum()
    print("balanced", bool((frac - 1 / 3).abs().max() < 0.05), len(sampler))

    # TensorDataset / random_split / Subset / ConcatDataset
    X = torch.arange(40, dtype=torch.float32).view(20, 2)
    Y = torch.arange(20)
    tds = TensorDataset(X, Y)
    train, val = random_split(tds, [15, 5], generator=torch.Generator().manual_seed(42))
    print("split_sizes", len(train), len(val), sorted(train.indices + val.indices) == list(range(20)))
    frac_split = random_split(tds, [0.75, 0.25], generator=torch.Generator().manual_seed(1))
    print("frac_split", [len(s) for s in frac_split])
    sub = Subset(tds, [3, 1, 4])
    print("subset", [int(sub[i][1]) for i in range(len(sub))])
    cat = ConcatDataset([sub, tds])
    print("concat", len(cat), int(cat[3][1]), cat.cumulative_sizes)

    # batch samplers, drop_last
    bs = list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=False))
    print("batch_sampler", bs)
    bs2 = list(BatchSampler(SequentialSampler(range(10)), batch_size=3, drop_last=True))
    print("drop_last", len(bs2))
    rs = list(RandomSampler(range(10), generator=torch.Generator().manual_seed(3)))
    print("random_sampler_perm", sorted(rs) == list(range(10)))
    dl2 = DataLoader(tds, batch_size=6, shuffle=True, drop_last=True,
                     generator=torch.Generator().manual_seed(0))
    print("shuffle_batches", [tuple(b[0].shape) for b in dl2])

    # workers: every worker contributes, results come back in order
    wl = DataLoader(SquareDataset(), batch_size=4, num_workers=2)
    outs, wids = [], set()
    for x, wid in wl:
        outs.append(x)
        wids.update(wid.tolist())
    allx = torch.cat(outs)
    print("worker_results", allx[:, 1].sum().item(), sorted(wids))
    # batch_size=None: no batching
    nb = DataLoader(tds, batch_size=None)
    item = next(iter(nb))
    print("no_batching", tuple(item[0].shape), item[1].dim())
    # pin_memory accepted on CPU
    pl = DataLoader(tds, batch_size=5, pin_memory=torch.cuda.is_available())
    print("pinned_batches", sum(1 for _ in pl))


if __name__ == "__main__":
    main()
