"""Regression tests for bugs the realistic programs (prog_*.py) found, each against torch."""
import multiprocessing
import sys

import numpy as np
import pytest

from oracle import assert_same, check, check_error

torch = pytest.importorskip("torch")
import ember  # noqa: E402


# ---------------------------------------------------------------- iterating a 1-D tensor
def test_iterating_a_vector_gives_zero_d_views():
    # REINFORCE: `for log_prob, R in zip(saved, returns)`, then `-log_prob * R` crashed
    # (the items held NumPy scalars, not 0-d arrays).
    for lib in (torch, ember):
        r = lib.tensor([1.0, 2.0, 3.0])
        items = list(r)
        assert items[0].shape == () and items[0].device.type == "cpu"
        lp = lib.tensor([0.5], requires_grad=True)
        (-lp * items[1]).sum().backward()
        assert lp.grad.tolist() == [-2.0]
        items[2].mul_(10)  # the items are views
        assert r.tolist() == [1.0, 2.0, 30.0]
    check(lambda lib, x: [v * 2 for v in x.unbind(0)], [(4,)])
    check(lambda lib, x: [v.exp() for v in x], [(3,)])


# ---------------------------------------------------------------- share_memory_ / Hogwild
def _hogwild_child(t, model):
    t[1] = 7.0
    with ember.no_grad():
        model.weight.fill_(3.0)


@pytest.mark.skipif(sys.platform != "linux", reason="fork start method")
def test_share_memory_is_seen_by_forked_processes():
    t = ember.zeros(3)
    assert not t.is_shared()
    assert t.share_memory_() is t and t.is_shared()
    model = ember.nn.Linear(2, 2)
    w = model.weight
    model.share_memory()
    assert model.weight is w and all(p.is_shared() for p in model.parameters())
    p = multiprocessing.get_context("fork").Process(target=_hogwild_child, args=(t, model))
    p.start()
    p.join()
    assert p.exitcode == 0
    assert t.tolist() == [0.0, 7.0, 0.0]
    assert model.weight.tolist() == [[3.0, 3.0], [3.0, 3.0]]
    # views keep working and the base moves with a shared view
    base = ember.arange(6.0)
    view = base[2:4]
    view.share_memory_()
    view[0] = 100.0
    assert base.tolist()[2] == 100.0 and base.is_shared()


# ---------------------------------------------------------------- torch._foreach_*
def _lists(lib, seed=0):
    rng = np.random.RandomState(seed)
    return [lib.tensor(rng.uniform(0.5, 2.0, size=s).astype(np.float32)) for s in [(3,), (2, 2)]]


@pytest.mark.parametrize("op", ["exp", "sqrt", "neg", "abs", "sigmoid", "reciprocal", "log"])
def test_foreach_unary(op):
    for suffix in ("", "_"):
        a, b = _lists(torch), _lists(ember)
        rt = getattr(torch, f"_foreach_{op}{suffix}")(a)
        re = getattr(ember, f"_foreach_{op}{suffix}")(b)
        if suffix:
            assert re is b and rt is a
        assert_same(list(re), list(rt))
        assert_same(b, a)


@pytest.mark.parametrize("op,other", [
    ("add", 1.5), ("sub", 2), ("mul", [2.0, 3.0]), ("div", "tensors"), ("maximum", "tensors"),
    ("clamp_min", 1.0), ("clamp_max", [1.0, 0.7]), ("pow", 2.0), ("mul", "scalar_tensor")])
def test_foreach_binary(op, other):
    def arg(lib):
        if other == "tensors":
            return _lists(lib, 1)
        if other == "scalar_tensor":
            return lib.tensor(2.5)
        return other
    for suffix in ("", "_"):
        a, b = _lists(torch), _lists(ember)
        rt = getattr(torch, f"_foreach_{op}{suffix}")(a, arg(torch))
        re = getattr(ember, f"_foreach_{op}{suffix}")(b, arg(ember))
        assert_same(list(re), list(rt))
        assert_same(b, a)


def test_foreach_alpha_lerp_addcmul_norm_and_autograd():
    t = {lib: (_lists(lib), _lists(lib, 1), _lists(lib, 2)) for lib in (torch, ember)}
    res = {}
    for lib, (a, o, c) in t.items():
        res[lib] = [list(lib._foreach_add(a, o, alpha=-0.5)),
                    list(lib._foreach_lerp(a, o, 0.3)),
                    list(lib._foreach_lerp(a, o, [lib.tensor(0.2), lib.tensor(0.9)])),
                    list(lib._foreach_addcmul(a, o, c, value=0.5)),
                    list(lib._foreach_addcdiv(a, o, c, [0.1, 0.2])),
                    list(lib._foreach_norm(a)), list(lib._foreach_norm(a, float("inf"))),
                    list(lib._foreach_max(a)), list(lib._foreach_pow(2.0, a))]
        lib._foreach_lerp_(a, o, 0.25)  # timm-style EMA
        lib._foreach_mul_(o, 0.5)
        lib._foreach_add_(o, c, alpha=2)
        lib._foreach_zero_(c)
        res[lib] += [a, o, c]
    for e, tt in zip(res[ember], res[torch]):
        assert_same(e, tt)
    check(lambda lib, x, y: lib._foreach_mul([x, y], 3.0), [(3,), (2, 2)])
    check(lambda lib, x, y: lib._foreach_add([x], [y], alpha=2), [(3,), (3,)])


def test_foreach_errors():
    check_error(lambda lib: lib._foreach_add([lib.ones(2)], [lib.ones(2), lib.ones(2)]))
    check_error(lambda lib: lib._foreach_add([], 1))
    check_error(lambda lib: lib._foreach_mul([lib.ones(2)], lib.ones(2)))


# ---------------------------------------------------------------- torch.func additions
def test_func_jvp_linearize_and_aux():
    def f(lib, x, y):
        return lib.func.jvp(lambda a, b: (a.sin() * b).sum(-1), (x, y),
                            (lib.ones_like(x), lib.zeros_like(y)))
    check(f, [(2, 3), (2, 3)], grad=False)

    def g(lib, x):
        out, fn = lib.func.linearize(lib.tanh, x)
        return out, fn(lib.full_like(x, 2.0))
    check(g, [(4,)], grad=False)

    def h(lib, x):
        return lib.func.jvp(lambda a: (a ** 2, a.cos()), (x,), (lib.ones_like(x),), has_aux=True)
    out_e = h(ember, ember.tensor([1.0, 2.0]))
    out_t = h(torch, torch.tensor([1.0, 2.0]))
    assert_same(list(out_e), list(out_t))
    assert out_e[2].requires_grad is out_t[2].requires_grad is False
    check_error(lambda lib: lib.func.jvp(lib.sin, lib.ones(2), (lib.ones(2),)))


def test_func_stack_module_state_ensemble():
    def run(lib):
        models = []
        for i in range(3):
            m = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.BatchNorm1d(2))
            rng = np.random.RandomState(i)
            with lib.no_grad():
                for p in m.parameters():
                    p.copy_(lib.tensor(rng.normal(size=tuple(p.shape)).astype(np.float32)))
            models.append(m.eval())
        params, buffers = lib.func.stack_module_state(models)
        x = lib.ones(4, 3)
        out = lib.func.vmap(lambda p, b, xx: lib.func.functional_call(models[0], (p, b), (xx,)),
                            in_dims=(0, 0, None))(params, buffers, x)
        return sorted(params), sorted(buffers), params["0.weight"], out, \
            params["0.weight"].requires_grad, params["0.weight"].is_leaf
    e, t = run(ember), run(torch)
    assert e[0] == t[0] and e[1] == t[1] and e[4:] == t[4:]
    assert_same(e[2], t[2])
    assert_same(e[3], t[3])
    check_error(lambda lib: lib.func.stack_module_state([]))


def test_func_replace_all_batch_norm_modules_():
    for lib in (torch, ember):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        assert lib.func.replace_all_batch_norm_modules_(m) is m
        bn = m[1]
        assert bn.running_mean is None and bn.running_var is None
        assert bn.track_running_stats is False
        m.eval()
        assert m(lib.ones(3, 2)).shape == (3, 2)


# ---------------------------------------------------------------- forward-mode AD
def test_forward_ad_dual_numbers():
    def run(lib):
        import importlib
        fwAD = importlib.import_module(lib.__name__ + ".autograd.forward_ad")
        x = lib.tensor([0.5, 1.0, -2.0])
        t = lib.tensor([1.0, 0.0, 2.0])
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with fwAD.dual_level():
            d = fwAD.make_dual(x, t)
            y = (lib.sin(d) * d).relu() + d.exp().sum()
            p, tan = fwAD.unpack_dual(y)
            same = fwAD.unpack_dual(d).tangent
            plain = fwAD.unpack_dual(lib.ones(2))
            z = fwAD.make_dual(w, lib.ones(3))
            pz, tz = fwAD.unpack_dual((z * z).sum())
        after = fwAD.unpack_dual(y).tangent
        return p, tan, same, plain.tangent, pz.requires_grad, tz, after, \
            type(fwAD.unpack_dual(lib.ones(1))).__name__
    e, t = run(ember), run(torch)
    assert_same(list(e[:3]), list(t[:3]))
    assert e[3] is None and t[3] is None and e[4] is t[4] is True
    assert_same(e[5], t[5])
    assert e[6] is None and t[6] is None and e[7] == t[7]

    def no_level(lib):
        import importlib
        importlib.import_module(lib.__name__ + ".autograd.forward_ad").make_dual(
            lib.ones(2), lib.ones(2))
    check_error(no_level)


# ---------------------------------------------------------------- fully masked softmax rows
def test_softmax_of_an_all_masked_row_is_nan_without_warnings():
    import warnings

    def f(lib, x):
        masked = x.masked_fill(lib.tensor([[True] * 4, [False, True, False, True]]),
                               float("-inf"))
        return lib.softmax(masked, -1), lib.log_softmax(masked, -1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # torch does not warn; NumPy's invalid-value did
        e, t = f(ember, ember.ones(2, 4)), f(torch, torch.ones(2, 4))
    assert_same(list(e), list(t))


# ---------------------------------------------------------------- torch.compiler / _dynamo
def test_compiler_and_dynamo_names_eager_programs_use():
    import importlib
    for lib in (torch, ember):
        compiler = importlib.import_module(lib.__name__ + ".compiler")
        dynamo = importlib.import_module(lib.__name__ + "._dynamo")
        assert compiler.is_compiling() is False and dynamo.is_compiling() is False

        @compiler.disable
        def f(x):
            return x + 1

        @dynamo.disable(recursive=False)
        def g(x):
            return x * 2
        assert f(lib.ones(1)).item() == 2.0 and g(lib.ones(1)).item() == 2.0
        dynamo.config.cache_size_limit = 64
        assert lib._dynamo.config.cache_size_limit == 64
    from ember.nn.common_types import _size_2_t  # noqa: F401  (type-hint imports)


# ---------------------------------------------------------------- setitem with leading 1-dims
def test_setitem_value_with_extra_leading_unit_dims():
    # CleanRL's GAE: `advantages[t] = lastgaelam = delta + ...` where delta is (1, 1).
    def f(lib, x, v):
        y = x.clone()
        y[0] = v[:1, :1] * 2          # basic index, 0-d slot
        y[1:3] = v[:1, :2]            # slice
        y[lib.tensor([3])] = v[:1, :1] + 1   # advanced index
        return y
    check(f, [(5,), (2, 3)])
    check(f, [(5,), (2, 3)], grad=False)

    def g(lib, v):
        y = lib.zeros(2, 3)
        y[lib.tensor([0, 1]), 1] = v[None]
        return y
    check(g, [(2,)])
    check_error(lambda lib: lib.zeros(3).__setitem__(slice(0, 2), lib.ones(2, 1)))


def test_losses_over_nothing_are_nan_without_warnings():
    import warnings

    def f(lib):
        x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
        ce = lib.nn.functional.cross_entropy(x, lib.tensor([5]), ignore_index=5)
        ce.backward()
        return ce, x.grad, lib.nn.functional.mse_loss(lib.ones(0), lib.ones(0)), \
            lib.nn.functional.l1_loss(lib.ones(0), lib.ones(0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = f(ember)
    assert_same(list(e), list(f(torch)))


# ---------------------------------------------------------------- 0-d gradients
def test_zero_d_gradients_are_tensors_after_accumulation_and_capture():
    # `y.backward(retain_graph=True); y.backward(); print(x.grad)` crashed in repr: the
    # accumulated 0-d gradient was a NumPy scalar.
    def f(lib):
        x = lib.tensor(2.0, requires_grad=True)
        y = x * x
        y.backward(retain_graph=True)
        y.backward()
        out = [x.grad.clone(), repr(x.grad)]
        x.grad = None
        (x + x).backward()
        out.append(repr(x.grad))
        g, = lib.autograd.grad(x * x, x)
        seen = []
        z = x * 1
        z.register_hook(lambda gg: seen.append(repr(gg)))
        (z * z).backward()
        return out + [repr(g), seen[0], x.grad.device.type]
    e, t = f(ember), f(torch)
    assert_same(e[0], t[0])
    assert e[1:] == t[1:]


# ---------------------------------------------------------------- NumPy-style axis= / keepdims=
@pytest.mark.parametrize("call", [
    lambda lib, x: x.sum(axis=1), lambda lib, x: lib.sum(x, axis=0, keepdims=True),
    lambda lib, x: x.mean(axis=1, keepdims=True), lambda lib, x: x.std(axis=0),
    lambda lib, x: x.var(axis=1, keepdims=True), lambda lib, x: x.max(axis=1).values,
    lambda lib, x: lib.min(x, axis=0, keepdims=True).indices, lambda lib, x: x.amax(axis=0),
    lambda lib, x: x.argmax(axis=1), lambda lib, x: x.prod(axis=1), lambda lib, x: x.cumsum(axis=1),
    lambda lib, x: lib.logsumexp(x, axis=1), lambda lib, x: x.softmax(axis=0),
    lambda lib, x: lib.cat([x, x], axis=1), lambda lib, x: lib.stack([x, x], axis=2),
    lambda lib, x: x.sort(axis=0).values, lambda lib, x: x.topk(2, axis=1).values,
    lambda lib, x: x.median(axis=1).values, lambda lib, x: x.quantile(0.5, axis=1),
    lambda lib, x: (x > 0).any(axis=1), lambda lib, x: x.unsqueeze(1).squeeze(axis=1),
    lambda lib, x: lib.std_mean(x, axis=1)[1], lambda lib, x: x.cummax(axis=1).values])
def test_numpy_style_axis_aliases(call):
    check(call, [(3, 4)])


def test_required_dim_still_required():
    check_error(lambda lib: lib.cumsum(lib.ones(2)))
    check_error(lambda lib: lib.logsumexp(lib.ones(2)))


# ---------------------------------------------------------------- NumPy floating-point noise
def test_no_numpy_floating_point_warnings_from_ember_ops():
    import os
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    code = ("import ember as torch, numpy as np\n"
            "x = torch.tensor([1., 0., 2.], requires_grad=True)\n"
            "y = torch.where(x > 0, torch.log(x), torch.zeros_like(x)); y.sum().backward()\n"
            "print(x.grad.tolist()[0], (torch.zeros(1) / 0).isnan().item())\n"
            "np.log(np.zeros(1))\n")  # the user's own NumPy warnings are kept
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=root), timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stdout.split() == ["1.0", "True"]
    assert res.stderr.count("RuntimeWarning") == 1 and "<string>" in res.stderr


# ---------------------------------------------------------------- x * scalar saves no tensor
def test_scalar_mul_div_do_not_save_their_tensor_operand():
    # `y[1] = y[0] * 10` (in-place write into the base of a view used by a scalar mul)
    def f(lib, x):
        y = x * 2
        y[1] = y[0] * 10
        y[2] = y[0] / 4
        return y
    check(f, [(4,)])

    def g(lib, x):
        y = x.clone()
        w = y * 3 + 2 * y   # rhs scalar saves nothing; lhs scalar (2 * y) is y * 2 too
        y.add_(1)
        return w
    check(g, [(3,)])
    # a tensor-tensor product still detects the in-place change
    for lib in (torch, ember):
        x = lib.ones(3, requires_grad=True)
        y = x * 2
        z = y[0] * y[2]
        y[1] = 0
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.backward()


# ---------------------------------------------------------------- spawn children under the runner
_SPAWN_PROG = '''
import torch
import torch.multiprocessing as mp
from torch.utils.data import DataLoader, Dataset


class DS(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return torch.tensor([float(i)]), torch.__name__


def work(rank, q):
    q.put((rank, torch.__name__, float(torch.ones(2).sum())))


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    q = ctx.SimpleQueue()
    mp.spawn(work, args=(q,), nprocs=2)
    print(sorted(q.get() for _ in range(2)))
    for x, names in DataLoader(DS(), batch_size=2, num_workers=2, multiprocessing_context="spawn"):
        print(x.flatten().tolist(), sorted(set(names)))
'''


def test_spawned_children_of_a_runner_program_get_ember(tmp_path):
    # Without the alias directory a spawned child imported the real torch (or failed).
    import os
    import subprocess
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    prog = tmp_path / "spawn_prog.py"
    prog.write_text(_SPAWN_PROG)
    res = subprocess.run([sys.executable, "-m", "ember", "run", str(prog)], capture_output=True,
                         text=True, cwd=tmp_path, timeout=120,
                         env=dict(os.environ, PYTHONPATH=root))
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.splitlines() == ["[(0, 'ember', 2.0), (1, 'ember', 2.0)]",
                                       "[0.0, 1.0] ['ember']", "[2.0, 3.0] ['ember']"]
    import ember._spawn_alias.torch  # noqa: F401  (imported under its own name it is inert)
    assert sys.modules.get("torch") is torch


# ---------------------------------------------------------------- SummaryWriter image batches
def _tb_images(lib, path, fn):
    import importlib
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    writer = importlib.import_module(lib.__name__ + ".utils.tensorboard").SummaryWriter(path)
    fn(writer)
    writer.close()
    acc = EventAccumulator(str(path), size_guidance={"images": 0})
    acc.Reload()
    return {tag: [(e.step, e.width, e.height) for e in acc.Images(tag)]
            for tag in acc.Tags()["images"]}


def test_summary_writer_add_images_and_add_figure(tmp_path):
    pytest.importorskip("tensorboard")
    rng = np.random.RandomState(0)
    batch = rng.uniform(0, 1, size=(10, 3, 6, 5)).astype(np.float32)
    gray = rng.uniform(0, 1, size=(3, 6, 5, 1)).astype(np.float32)

    def log(lib):
        def fn(w):
            w.add_images("batch", lib.tensor(batch), 2)
            w.add_images("gray", lib.tensor(gray), 3, dataformats="NHWC")
        return fn
    e = _tb_images(ember, tmp_path / "e", log(ember))
    t = _tb_images(torch, tmp_path / "t", log(torch))
    assert e == t == {"batch": [(2, 40, 12)], "gray": [(3, 15, 6)]}
    from ember.utils.tensorboard.writer import _grid
    g = _grid(batch)
    assert g.shape == (3, 12, 40) and np.array_equal(g[:, 6:, 5:10], batch[9])


def test_summary_writer_add_figure(tmp_path):
    pytest.importorskip("tensorboard")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def log(w):
        fig = plt.figure(figsize=(2, 1), dpi=50)
        plt.plot([1, 2, 3])
        w.add_figure("fig", fig, 1)
        w.add_figure("figs", [plt.figure(figsize=(1, 1), dpi=40) for _ in range(2)], 2)
    e = _tb_images(ember, tmp_path / "e", log)
    t = _tb_images(torch, tmp_path / "t", log)
    assert e == t == {"fig": [(1, 100, 50)], "figs": [(2, 80, 40)]}


def test_summary_writer_add_pr_curve(tmp_path):
    pytest.importorskip("tensorboard")
    import importlib
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 2, size=50)
    preds = rng.uniform(0, 1, size=50).astype(np.float32)
    out = {}
    for lib in (torch, ember):
        path = tmp_path / lib.__name__
        w = importlib.import_module(lib.__name__ + ".utils.tensorboard").SummaryWriter(path)
        w.add_pr_curve("pr", lib.tensor(labels), lib.tensor(preds), 4, num_thresholds=11)
        w.close()
        acc = EventAccumulator(str(path), size_guidance={"tensors": 0})
        acc.Reload()
        ev = acc.Tensors("pr")[0]
        out[lib] = (ev.step, [d.size for d in ev.tensor_proto.tensor_shape.dim],
                    np.array(ev.tensor_proto.float_val))
    assert out[ember][:2] == out[torch][:2] == (4, [6, 11])
    np.testing.assert_allclose(out[ember][2], out[torch][2], rtol=1e-6)


def test_jit_fork_wait_attribute_and_nn_common_types():
    for lib in (torch, ember):
        fut = lib.jit.fork(lambda a, b: a * b, lib.tensor([2.0]), b=lib.tensor([3.0]))
        assert lib.jit.wait(fut).item() == 6.0 and fut.wait().item() == 6.0
        assert hasattr(lib.nn, "common_types")
    # torch's is a namedtuple that ScriptModule unwraps; Ember has no ScriptModule: the value
    assert ember.jit.Attribute([1, 2], list) == torch.jit.Attribute([1, 2], list).value
