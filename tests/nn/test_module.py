import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest

from nn_module_oracle import module_check, to_ember_state
from oracle import assert_same

import ember
import torch


def make_net(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 4)
            self.register_buffer("scale", lib.ones(4))
            self.register_buffer("tmp", lib.zeros(2), persistent=False)
            self.act = nn.ReLU()

        def forward(self, x):
            return self.act(self.fc(x)) * self.scale

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = nn.Sequential(nn.Linear(4, 3), nn.Tanh())
            self.alpha = nn.Parameter(lib.tensor(0.5))
            self.plain = lib.ones(2)  # a plain tensor attribute is not registered

        def forward(self, x):
            return self.head(self.block(x)) * self.alpha

    return Net()


def test_registration_state_dict_repr_grads():
    em, tm = module_check(make_net, [(5, 4)])
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    assert [n for n, _ in em.named_modules()] == [n for n, _ in tm.named_modules()]
    assert [n for n, _ in em.named_children()] == [n for n, _ in tm.named_children()]
    assert "tmp" not in em.block.state_dict()
    assert not isinstance(em.plain, ember.nn.Parameter)


def test_named_parameters_options_and_sharing():
    for lib in (torch, ember):
        lin = lib.nn.Linear(2, 2)
        seq = lib.nn.Sequential(lin, lin)
        assert len(list(seq.parameters())) == 2
        names = [n for n, _ in seq.named_parameters(prefix="m", remove_duplicate=False)]
        assert names == ["m.0.weight", "m.0.bias", "m.1.weight", "m.1.bias"]
        assert [n for n, _ in seq.named_parameters(recurse=False)] == []
    e = make_net(ember)
    t = make_net(torch)
    assert [n for n, _ in e.named_parameters(recurse=False)] == \
        [n for n, _ in t.named_parameters(recurse=False)]


def test_tied_weights():
    a = ember.nn.Linear(3, 3)
    b = ember.nn.Linear(3, 3)
    b.weight = a.weight
    m = ember.nn.Sequential(a, b)
    assert len(list(m.parameters())) == 3
    assert list(m.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_load_state_dict_strict_errors_and_result():
    m = ember.nn.Linear(4, 2)
    sd = m.state_dict()
    res = m.load_state_dict(sd)
    assert repr(res) == "<All keys matched successfully>"
    bad = dict(sd)
    del bad["bias"]
    bad["extra"] = ember.zeros(1)
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(bad)
    t = torch.nn.Linear(4, 2)
    tbad = dict(t.state_dict())
    del tbad["bias"]
    tbad["extra"] = torch.zeros(1)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(tbad)
    assert str(e.value) == str(te.value)
    res = m.load_state_dict(bad, strict=False)
    assert res.missing_keys == ["bias"] and res.unexpected_keys == ["extra"]
    big = {"weight": ember.zeros(3, 4), "bias": ember.zeros(2)}
    with pytest.raises(RuntimeError) as e:
        m.load_state_dict(big)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict({"weight": torch.zeros(3, 4), "bias": torch.zeros(2)})
    assert str(e.value) == str(te.value)
    assert "size mismatch for weight" in str(e.value)


def test_load_state_dict_copies_and_assign():
    m = ember.nn.Linear(2, 2)
    w = m.weight
    m.load_state_dict({"weight": ember.ones(2, 2), "bias": ember.zeros(2)})
    assert m.weight is w and float(w.sum()) == 4.0
    new = ember.full((2, 2), 3.0)
    m.load_state_dict({"weight": new, "bias": ember.zeros(2)}, assign=True)
    assert isinstance(m.weight, ember.nn.Parameter) and m.weight.requires_grad
    assert float(m.weight.sum()) == 12.0


def test_getattr_setattr_errors():
    for lib in (torch, ember):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.nn.Linear(1, 1)
        n = Net()
        with pytest.raises(AttributeError, match="'Net' object has no attribute 'x'"):
            n.x
        with pytest.raises(TypeError):
            n.fc = 3
        with pytest.raises(KeyError):
            n.register_buffer("fc", lib.ones(1))
        with pytest.raises(TypeError):
            n.register_parameter("p", lib.ones(1))
        with pytest.raises(KeyError):
            n.register_parameter("a.b", None)
    e = make_net(ember)
    assert "block" in dir(e) and "alpha" in dir(e) and "forward" in dir(e)


def test_get_submodule_parameter_buffer():
    e = make_net(ember)
    assert e.get_submodule("head.0") is e.head[0]
    assert e.get_parameter("block.fc.weight") is e.block.fc.weight
    assert e.get_buffer("block.scale") is e.block.scale
    with pytest.raises(AttributeError, match="has no attribute `nope`"):
        e.get_submodule("block.nope")
    with pytest.raises(AttributeError, match="is not an nn.Parameter"):
        e.get_parameter("block.scale")


def test_train_eval_requires_grad_zero_grad():
    e = make_net(ember)
    e.eval()
    assert not any(m.training for m in e.modules())
    e.train()
    assert all(m.training for m in e.modules())
    with pytest.raises(ValueError):
        e.train("yes")
    e(ember.randn(2, 4)).sum().backward()
    assert all(p.grad is not None for p in e.parameters())
    e.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())


def test_to_double_float_keeps_parameter_identity():
    e = make_net(ember)
    w = e.block.fc.weight
    e.double()
    assert e.block.fc.weight is w and w.dtype == ember.float64
    assert e.block.scale.dtype == ember.float64
    out = e(ember.randn(2, 4, dtype=ember.float64))
    assert out.dtype == ember.float64
    e.to(ember.float32)
    assert w.dtype == ember.float32 and isinstance(w, ember.nn.Parameter)
    e.half().float()
    e.to("cpu").cpu()
    with pytest.raises(TypeError, match="floating point"):
        e.to(ember.int64)
    e.type(ember.float64)
    assert w.dtype == ember.float64


def test_apply_and_init():
    e = make_net(ember)
    seen = []

    def fn(m):
        seen.append(type(m).__name__)
        if isinstance(m, ember.nn.Linear):
            ember.nn.init.zeros_(m.weight)
    e.apply(fn)
    assert seen[-1] == "Net" and seen.count("Linear") == 2
    assert float(e.block.fc.weight.abs().sum()) == 0


def test_forward_hooks():
    for lib in (torch, ember):
        m = lib.nn.Linear(3, 2)
        log = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
        h3 = m.register_forward_pre_hook(
            lambda mod, args, kwargs: log.append(("kw", len(args))), with_kwargs=True)
        h4 = m.register_forward_hook(lambda mod, args, kwargs, out: log.append("post"),
                                     with_kwargs=True)
        x = lib.ones(1, 3)
        y = m(x)
        expected = lib.nn.functional.linear(x * 2, m.weight, m.bias) + 1
        assert lib.allclose(y, expected)
        assert log == [("kw", 1), "post"]
        for h in (h1, h2, h3, h4):
            h.remove()
        assert lib.allclose(m(x), lib.nn.functional.linear(x, m.weight, m.bias))


def test_full_backward_hooks_match_torch():
    results = {}
    for lib in (torch, ember):
        lib.manual_seed(0)
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
        got = []
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
        m.register_full_backward_hook(
            lambda mod, gi, go: got.append((gi[0].detach().numpy().copy(),
                                            go[0].detach().numpy().copy())))
        x = lib.tensor([[1.0, -1.0, 2.0]], requires_grad=True)
        m(x).sum().backward()
        results[lib.__name__] = (got, x.grad.numpy().copy(), m.weight.grad.numpy().copy())
    (eg, ex, ew), (tg, tx, tw) = results["ember"], results["torch"]
    assert len(eg) == len(tg) == 1
    np.testing.assert_allclose(eg[0][0], tg[0][0], rtol=1e-6)
    np.testing.assert_allclose(eg[0][1], tg[0][1], rtol=1e-6)
    np.testing.assert_allclose(ex, tx, rtol=1e-6)
    np.testing.assert_allclose(ew, tw, rtol=1e-6)


def test_backward_hook_can_replace_grad_input():
    m = ember.nn.Linear(2, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (ember.zeros_like(gi[0]),))
    x = ember.ones(1, 2, requires_grad=True)
    m(x).sum().backward()
    assert float(x.grad.abs().sum()) == 0
    assert m.weight.grad is not None


def test_state_dict_hooks_and_keep_vars():
    m = ember.nn.Linear(2, 1)
    sd = m.state_dict(keep_vars=True)
    assert sd["weight"] is m.weight
    assert not m.state_dict()["weight"].requires_grad
    m.register_state_dict_post_hook(lambda mod, sd, prefix, meta: sd.__setitem__("x", 1))
    assert m.state_dict()["x"] == 1
    calls = []
    m.register_load_state_dict_post_hook(lambda mod, keys: calls.append(list(keys.missing_keys)))
    m.load_state_dict({"weight": ember.zeros(1, 2)}, strict=False)
    assert calls == [["bias"]]


def test_deepcopy_and_pickle():
    e = make_net(ember)
    c = copy.deepcopy(e)
    assert c.block.fc.weight is not e.block.fc.weight
    assert isinstance(c.alpha, ember.nn.Parameter)
    x = ember.randn(2, 4)
    assert ember.equal(c(x), e(x))
    p = pickle.loads(pickle.dumps(ember.nn.Sequential(ember.nn.Linear(2, 2))))
    assert isinstance(p[0].weight, ember.nn.Parameter)


def test_parameter_behaviour():
    p = ember.nn.Parameter(ember.ones(2))
    tp = torch.nn.Parameter(torch.ones(2))
    assert repr(p) == repr(tp)
    assert p.requires_grad and p.is_leaf
    assert type(p * 2) is ember.Tensor
    with ember.no_grad():
        p.add_(1)
    assert float(p.sum()) == 4
    p.data = ember.zeros(3)
    assert p.shape == (3,) and isinstance(p, ember.nn.Parameter)
    assert not ember.nn.Parameter(ember.ones(1), requires_grad=False).requires_grad
    b = ember.nn.Buffer(ember.ones(2), persistent=False)
    m = ember.nn.Module()
    m.buf = b
    assert "buf" in dict(m.named_buffers()) and "buf" not in m.state_dict()


def test_module_missing_forward():
    with pytest.raises(NotImplementedError, match="missing the required \"forward\""):
        ember.nn.Module()(1)


def test_call_fast_path_turns_hooks_on(monkeypatch):
    # __call__ skips the hook tables while no hook was ever inserted; every way of adding
    # one must turn the check back on.
    from ember.nn.modules import module as M
    seen = []

    def hook(mod, args, out):
        seen.append(type(mod).__name__)

    def fresh():
        monkeypatch.setattr(M, "_call_hooks", [0])
        return ember.nn.Linear(2, 2)

    x = ember.randn(1, 2)
    lin = fresh()
    lin(x)
    lin.register_forward_hook(hook)
    lin(x)
    assert seen == ["Linear"]
    lin = fresh()
    lin._forward_hooks[12345] = hook  # direct insertion, as some libraries do
    lin(x)
    assert seen == ["Linear"] * 2
    lin = fresh()
    h = ember.nn.modules.module.register_module_forward_hook(hook)
    try:
        lin(x)
    finally:
        h.remove()
    assert seen == ["Linear"] * 3
    lin = fresh()
    lin.register_forward_pre_hook(lambda mod, args: seen.append("pre"))
    import pickle
    monkeypatch.setattr(M, "_call_hooks", [0])
    clone = pickle.loads(pickle.dumps(ember.nn.Sequential(ember.nn.Identity())))
    clone[0]._forward_hooks[1] = hook  # noqa - a restored table still counts
    clone(x)
    assert seen[-1] == "Identity"
