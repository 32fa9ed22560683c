"""Integer indices mixed with advanced ones follow PyTorch's placement, not NumPy's."""
import pytest
from oracle import assert_same, check, check_error, ember, torch

KEYS = [
    lambda lib: (0, slice(None), [1, 2]),
    lambda lib: (lib.tensor(0), slice(None), lib.tensor([1, 2])),
    lambda lib: (0, None, slice(None), [1, 2]),
    lambda lib: ([1, 0], 1, [1, 2]),
    lambda lib: (0, Ellipsis, [1, 2]),
    lambda lib: ([0], slice(None), [1, 2]),
    lambda lib: (slice(None), 1, [0, 3]),
]


@pytest.mark.parametrize("key", KEYS)
def test_getitem_with_int_and_array(key):
    check(lambda lib, x: x[key(lib)], [(2, 3, 4)])


@pytest.mark.parametrize("key", KEYS[:3])
def test_setitem_with_int_and_array(key):
    def fn(lib, x, v):
        y = x * 1
        y[key(lib)] = v
        return y
    check(fn, [(2, 3, 4), (3, 2)])


def test_bool_mask_shape_error_message():
    check_error(lambda lib: lib.arange(12).reshape(3, 4)[lib.tensor([True, False])], IndexError,
                match=r"The shape of the mask \[2\] at index 0 does not match the shape of the "
                      r"indexed tensor \[3, 4\] at index 0")


def test_one_hot_and_topk_idioms():
    def fn(lib, logits):
        labels = lib.tensor([0, 2, 1])
        oh = lib.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1.0)
        v, idx = logits.topk(2, dim=-1)
        masked = lib.full_like(logits, float("-inf")).scatter(1, idx, v)
        return oh, masked.softmax(-1)
    check(fn, [(3, 4)])
