"""Loss edge cases: every target ignored, and the grad_fn torch shows for cross-entropy."""
import warnings

import pytest

import ember
from oracle import assert_same, torch


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("weighted", [False, True])
def test_all_targets_ignored_gives_nan_loss_and_zero_grad(fn, weighted):
    outs = []
    for lib in (torch, ember):
        lib.manual_seed(0)
        x = lib.tensor([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]], requires_grad=True)
        kw = {"weight": lib.tensor([1.0, 2.0, 3.0])} if weighted else {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            loss = getattr(lib.nn.functional, fn)(x, lib.tensor([-100, -100]), **kw)
            loss.backward()
        outs.append((loss, x.grad))
    assert_same(outs[1][0], outs[0][0])
    assert_same(outs[1][1].abs(), outs[0][1].abs())  # torch writes -0.0 in places


def test_cross_entropy_prints_nll_loss_backward():
    for lib in (torch, ember):
        x = lib.zeros(2, 3, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x, lib.tensor([0, 1]))
        assert type(loss.grad_fn).__name__ == "NllLossBackward0"
        assert repr(loss).endswith("grad_fn=<NllLossBackward0>)")
