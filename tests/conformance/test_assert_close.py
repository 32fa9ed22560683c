"""torch.testing.assert_close: outcomes and messages equal PyTorch's."""
import numpy as np
import pytest
from oracle import ember, torch

CASES = [
    (lambda l: l.tensor(1.), lambda l: l.tensor(1.5), {}),
    (lambda l: 1.0, lambda l: 1.5, {}),
    (lambda l: 1, lambda l: 2, {}),
    (lambda l: True, lambda l: False, {}),
    (lambda l: 1.0, lambda l: 1, {}),
    (lambda l: l.tensor([[1., 2.], [3., 4.]]), lambda l: l.tensor([[1., 2.], [3., 5.]]), {}),
    (lambda l: l.tensor([1., 2.]), lambda l: l.tensor([1., 2.5]), {"msg": "custom"}),
    (lambda l: [l.ones(1), l.ones(2)], lambda l: [l.ones(1)], {}),
    (lambda l: {"a": 1}, lambda l: {"b": 1}, {}),
    (lambda l: {"a": l.ones(1), "b": [l.ones(1), l.zeros(2)]},
     lambda l: {"a": l.ones(1), "b": [l.ones(1), l.ones(2)]}, {}),
    (lambda l: np.ones(2), lambda l: np.zeros(2), {}),
    (lambda l: l.ones(2), lambda l: np.ones(2), {}),
    (lambda l: l.tensor(1), lambda l: 1, {}),
    (lambda l: [1, 2], lambda l: [1, 3], {}),
    (lambda l: l.tensor([1, 2], dtype=l.int32), lambda l: l.tensor([1, 2]), {}),
    (lambda l: l.tensor([1., 2.]), lambda l: l.tensor([1.1, 2.2], dtype=l.float64),
     {"check_dtype": False}),
    (lambda l: l.tensor([1., 2.]), lambda l: l.tensor([1., 2.]), {"rtol": 0}),
    (lambda l: l.tensor([True, False]), lambda l: l.tensor([True, True]), {}),
    (lambda l: l.tensor([float("inf")]), lambda l: l.tensor([-float("inf")]), {}),
    (lambda l: l.ones(2, 3).t(), lambda l: l.ones(3, 2), {"check_stride": True}),
    (lambda l: l.tensor([1000., 0.]), lambda l: l.tensor([1000.001, 1e-4]), {}),
    (lambda l: l.tensor([1., float("nan")]), lambda l: l.tensor([1.5, 2.]), {}),
    (lambda l: l.tensor([1., float("nan")]), lambda l: l.tensor([1.5, float("nan")]),
     {"equal_nan": True}),
    (lambda l: l.tensor([1], dtype=l.uint8), lambda l: l.tensor([3], dtype=l.uint8), {}),
    (lambda l: l.tensor([1, 2]), lambda l: l.tensor([1, 3]), {}),
    (lambda l: float("nan"), lambda l: float("nan"), {"equal_nan": True}),
    (lambda l: l.ones(2, requires_grad=True), lambda l: l.ones(2), {}),
]


def outcome(lib, a, b, kw):
    try:
        lib.testing.assert_close(a(lib), b(lib), **kw)
        return "ok"
    except Exception as e:  # noqa: BLE001 - the type and text are what is compared
        return type(e).__name__, str(e)


@pytest.mark.parametrize("a,b,kw", CASES)
def test_assert_close_matches_torch(a, b, kw):
    assert outcome(ember, a, b, kw) == outcome(torch, a, b, kw)


def test_msg_callable_gets_generated_message():
    with pytest.raises(AssertionError, match=r"^<Tensor-likes are not close!"):
        ember.testing.assert_close(ember.ones(2), ember.zeros(2), msg=lambda m: "<" + m + ">")
