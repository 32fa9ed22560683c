"""nn.utils.prune as the PyTorch pruning tutorial uses it (LeNet): masks, state_dict keys,
iterative pruning through a PruningContainer, global pruning, remove, errors."""
import importlib

import numpy as np
import pytest

from oracle import assert_same

import ember
import torch


def _lenet(lib):
    nn = lib.nn

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 3)
            self.conv2 = nn.Conv2d(6, 4, 3)
            self.fc1 = nn.Linear(16, 10)
            self.fc2 = nn.Linear(10, 3)

        def forward(self, x):
            x = nn.functional.max_pool2d(nn.functional.relu(self.conv1(x)), 2)
            x = nn.functional.relu(self.conv2(x))
            return self.fc2(nn.functional.relu(self.fc1(x.flatten(1))))
    return LeNet()


def _err(fn):
    try:
        fn()
    except Exception as ex:  # noqa: BLE001 - compared across libraries
        return type(ex).__name__, str(ex).replace("ember", "torch")
    return None


def _run(lib, m):
    prune = importlib.import_module(lib.__name__ + ".nn.utils.prune")
    x = lib.tensor(np.random.default_rng(0).standard_normal((2, 1, 10, 10)).astype(np.float32))
    prune.l1_unstructured(m.conv1, name="weight", amount=0.3)
    prune.l1_unstructured(m.conv1, name="bias", amount=3)
    r = [list(m.conv1.state_dict().keys()), [n for n, _ in m.conv1.named_parameters()],
         m.conv1.weight_mask, m.conv1.bias_mask, m.conv1.weight]
    prune.ln_structured(m.conv1, name="weight", amount=0.5, n=2, dim=0)
    hooks = list(m.conv1._forward_pre_hooks.values())
    r += [m.conv1.weight_mask, [type(h).__name__ for h in hooks],
          [type(h).__name__ for h in hooks[-1]]]
    prune.ln_structured(m.conv2, "weight", amount=1, n=float("inf"), dim=1)
    prune.global_unstructured([(m.fc1, "weight"), (m.fc2, "weight"), (m.conv2, "weight")],
                              pruning_method=prune.L1Unstructured, amount=0.4)
    r += [m.fc1.weight_mask, m.fc2.weight_mask, m.conv2.weight_mask]
    out = m(x)
    out.sum().backward()
    r += [out, [(n, p.grad) for n, p in m.named_parameters()],
          prune.is_pruned(m), prune.is_pruned(lib.nn.Linear(2, 2))]
    prune.remove(m.conv1, "weight")
    r += [list(m.conv1.state_dict().keys()), type(m.conv1.weight).__name__, m.conv1.weight,
          _err(lambda: prune.remove(m.conv1, "weight"))]
    r += [_err(f) for f in (
        lambda: prune.l1_unstructured(m.fc1, "bias", amount=1.5),
        lambda: prune.l1_unstructured(m.fc1, "bias", amount=-1),
        lambda: prune.l1_unstructured(m.fc1, "bias", amount=100),
        lambda: prune.ln_structured(m.fc2, "bias", 0.5, 2, 0),
        lambda: prune.global_unstructured([(m.fc1, "bias")], prune.LnStructured, amount=0.2,
                                          n=1))]
    r.append(list(m.state_dict().keys()))
    prune.random_unstructured(m.fc2, "bias", amount=2)
    r.append(int((m.fc2.bias_mask == 0).sum()))
    prune.random_structured(m.fc1, "weight", amount=3, dim=0)
    r.append(int((m.fc1.weight_mask.sum(1) == 0).sum()) >= 3)
    prune.custom_from_mask(m.fc2, "weight", mask=lib.ones(3, 10).tril())
    prune.identity(m.conv2, "bias")
    r += [m.fc2.weight_mask, m.conv2.bias_mask]
    return r


def test_pruning_tutorial_flow():
    tm, em = _lenet(torch), _lenet(ember)
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    assert_same(_run(ember, em), _run(torch, tm))


def test_prune_method_objects():
    from ember.nn.utils import prune
    t = ember.tensor([[0.1, -3.0], [2.0, 0.5]])
    assert prune.L1Unstructured(amount=2).prune(t).tolist() == [[0.0, -3.0], [2.0, 0.0]]
    with pytest.raises(TypeError):
        prune.PruningContainer().add_pruning_method(3)
