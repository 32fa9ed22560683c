"""Comparing nested DataLoader outputs of torch and ember."""
import collections.abc

import numpy as np

from oracle import assert_same, torch
import ember


def same(e, t, what="batch"):
    """Assert an ember structure (tensors, dicts, lists, namedtuples, ...) equals torch's."""
    if isinstance(t, torch.Tensor):
        assert_same(e, t, what=what)
    elif isinstance(t, collections.abc.Mapping):
        assert type(e).__name__ == type(t).__name__, f"{what}: {type(e)} vs {type(t)}"
        assert list(e.keys()) == list(t.keys()), f"{what}: keys {list(e)} vs {list(t)}"
        for k in t:
            same(e[k], t[k], f"{what}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert type(e).__name__ == type(t).__name__, f"{what}: {type(e)} vs {type(t)}"
        assert len(e) == len(t), f"{what}: {len(e)} vs {len(t)} items"
        for i, (a, b) in enumerate(zip(e, t)):
            same(a, b, f"{what}[{i}]")
    elif isinstance(t, np.ndarray):
        assert isinstance(e, np.ndarray)
        np.testing.assert_array_equal(e, t)
    else:
        assert not isinstance(e, ember.Tensor), f"{what}: ember gave a tensor, torch {t!r}"
        assert e == t and type(e) is type(t), f"{what}: {e!r} vs {t!r}"


def to_list(batch):
    """Nested python values of a batch (for order checks)."""
    if isinstance(batch, (torch.Tensor, ember.Tensor)):
        return batch.tolist()
    if isinstance(batch, dict):
        return {k: to_list(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [to_list(v) for v in batch]
    return batch
