"""Exception types and messages PyTorch programs (and their tests) see."""
import pytest
from oracle import ember, torch


def msg(lib, fn):
    with pytest.raises(Exception) as info:
        fn(lib)
    return type(info.value), str(info.value)


@pytest.mark.parametrize("fn", [
    lambda lib: lib.tensor([1, 2]).mean(),
    lambda lib: int(lib.tensor([1, 2])),
    lambda lib: float(lib.ones(3)),
    lambda lib: lib.arange(0, 10, -1),
    lambda lib: lib.ones(3).masked_fill(lib.tensor([1, 0, 1]), 0),
    lambda lib: lib.ones(3).masked_fill(lib.tensor([1, 0, 1], dtype=lib.uint8), 0),
    lambda lib: lib.ones(2, dtype=lib.long, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.long).requires_grad_(),
    lambda lib: lib.ones(2).index_select(0, lib.tensor([0.])),
    lambda lib: lib.hsplit(lib.arange(12).reshape(3, 4), 3),
    lambda lib: lib.quantile(lib.tensor([1., 2.]), 1.5),
    lambda lib: lib.quantile(lib.tensor([1, 2]), 0.5),
    lambda lib: lib.renorm(lib.ones(3), 2, 0, 1),
    lambda lib: lib.combinations(lib.ones(2, 2)),
    lambda lib: lib.ones(3).unfold(0, 4, 1),
    lambda lib: lib.ones(2, 3).sum_to_size(4),
])
def test_same_exception(fn):
    assert msg(ember, fn) == msg(torch, fn)
