"""``torch.distributed`` in one process, and DistributedDataParallel, against torch's own
world-size-1 gloo group; plus a program through ``python -m ember run``."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from oracle import assert_same, torch

import ember
import ember.distributed as edist
import torch.distributed as tdist

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def groups():
    """Both libraries' default groups, world size 1, torch's over an in-memory store."""
    tdist.init_process_group("gloo", store=tdist.HashStore(), world_size=1, rank=0)
    edist.init_process_group("gloo", store=edist.HashStore(), world_size=1, rank=0)
    yield
    tdist.destroy_process_group()
    edist.destroy_process_group()


def both(fn):
    """Run ``fn(lib, dist)`` for ember and torch; return both results."""
    return fn(ember, edist), fn(torch, tdist)


def test_uninitialised_queries_raise_like_torch():
    assert edist.is_available() and not edist.is_initialized()
    assert edist.group.WORLD is None and edist.GroupMember.WORLD is None
    assert edist.is_torchelastic_launched() == tdist.is_torchelastic_launched()
    for call in (lambda d, lib: d.get_rank(), lambda d, lib: d.get_world_size(),
                 lambda d, lib: d.get_backend(), lambda d, lib: d.barrier(),
                 lambda d, lib: d.all_reduce(lib.ones(2)),
                 lambda d, lib: d.destroy_process_group()):
        with pytest.raises(Exception) as te:
            call(tdist, torch)
        with pytest.raises(type(te.value)) as ee:
            call(edist, ember)
        assert str(ee.value) == str(te.value)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))


@pytest.mark.parametrize("kwargs,env", [
    (dict(backend="gloo"), {}),
    (dict(backend="gloo"), {"MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}),
    (dict(backend="gloo", init_method="tcp://127.0.0.1:29500"), {}),
    (dict(backend="gloo", init_method="tcp://127.0.0.1:29500", world_size=1), {}),
    (dict(backend="gloo", store="hash", rank=0), {}),
    (dict(backend="no_such_backend", init_method="tcp://127.0.0.1:29500", world_size=1,
          rank=0), {}),
])
def test_init_argument_errors_match_torch(kwargs, env, monkeypatch):
    for var in ("MASTER_ADDR", "MASTER_PORT", "RANK", "WORLD_SIZE"):
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    msgs = []
    for d in (tdist, edist):
        kw = dict(kwargs)
        if kw.get("store") == "hash":
            kw["store"] = d.HashStore()
        with pytest.raises(Exception) as exc:
            d.init_process_group(**kw)
        msgs.append((type(exc.value), str(exc.value)))
    assert msgs[0] == msgs[1]
    assert not edist.is_initialized()


def test_world_size_above_one_says_it_needs_the_engine():
    with pytest.raises(RuntimeError, match="single process.*multi-process engine"):
        edist.init_process_group("gloo", store=edist.HashStore(), world_size=2, rank=0)
    with pytest.raises(ValueError, match="rank should be in the interval"):
        edist.init_process_group("gloo", store=edist.HashStore(), world_size=1, rank=1)
    assert not edist.is_initialized()


@pytest.mark.parametrize("backend", ["gloo", "nccl", "mpi"])
def test_env_init_every_backend_world_of_one(backend, monkeypatch):
    for k, v in dict(MASTER_ADDR="127.0.0.1", MASTER_PORT="29500", RANK="0",
                     WORLD_SIZE="1").items():
        monkeypatch.setenv(k, v)
    edist.init_process_group(backend)
    try:
        assert edist.is_initialized()
        assert (edist.get_rank(), edist.get_world_size(), edist.get_backend()) == \
            (0, 1, backend)
        with pytest.raises(ValueError, match="twice"):
            edist.init_process_group(backend)
    finally:
        edist.destroy_process_group()
    assert not edist.is_initialized()


def test_queries_and_groups(groups):
    e, t = both(lambda lib, d: (d.get_rank(), d.get_world_size(), d.get_backend(),
                                d.get_process_group_ranks(d.group.WORLD),
                                d.group.WORLD.rank(), d.group.WORLD.size(),
                                d.is_initialized(), d.get_global_rank(d.group.WORLD, 0),
                                d.get_group_rank(d.group.WORLD, 0)))
    assert e == t
    assert edist.group.WORLD is edist.GroupMember.WORLD
    g = edist.new_group([0])
    assert (edist.get_rank(g), edist.get_world_size(g), edist.get_backend(g)) == (0, 1, "gloo")
    for bad in ([0, 1], [1]):
        with pytest.raises(ValueError) as te:
            tdist.new_group(bad)
        with pytest.raises(ValueError) as ee:
            edist.new_group(bad)
        assert str(ee.value) == str(te.value)
    edist.destroy_process_group(g)
    assert edist.is_initialized()


def test_collectives_are_in_place_identities(groups):
    def run(lib, d):
        out = {}
        t = lib.tensor([1.0, 2.0])
        out["all_reduce"] = (d.all_reduce(t), t.clone())
        w = d.all_reduce(t, op=d.ReduceOp.MAX, async_op=True)
        out["async"] = (w.wait(), w.is_completed(), t.clone())
        for op in ("SUM", "PRODUCT", "MIN", "MAX", "AVG"):
            x = lib.tensor([2.0, -3.0])
            d.all_reduce(x, op=getattr(d.ReduceOp, op))
            out[op] = x
        xi = lib.tensor([6, 7])
        d.all_reduce(xi, op=d.ReduceOp.BXOR)
        out["bxor"] = xi
        b = lib.tensor([5.0])
        out["broadcast"] = (d.broadcast(b, src=0), d.reduce(b, dst=0), b)
        lst = [lib.zeros(2)]
        out["all_gather"] = (d.all_gather(lst, lib.tensor([3.0, 4.0])), lst)
        o = lib.zeros(2)
        with pytest.warns(FutureWarning, match="all_gather_single"):
            out["agt"] = (d.all_gather_into_tensor(o, lib.tensor([5.0, 6.0])), o)
        o2 = lib.zeros(2)
        with pytest.warns(FutureWarning, match="reduce_scatter_single"):
            out["rs"] = (d.reduce_scatter_tensor(o2, lib.tensor([7.0, 9.0])), o2)
        o3, o4 = lib.zeros(2, 1), lib.zeros(2)
        out["single"] = (d.all_gather_single(o3, lib.tensor([[1.0], [2.0]])),
                         d.reduce_scatter_single(o4, lib.tensor([3.0, 4.0])), o3, o4)
        co = [lib.tensor([1.0]), lib.tensor([2.0, 3.0])]
        out["coalesced"] = (d.all_reduce_coalesced(co), co)
        g = [lib.zeros(1)]
        out["gather"] = (d.gather(lib.tensor([2.0]), g, dst=0), g)
        s = lib.zeros(1)
        out["scatter"] = (d.scatter(s, [lib.tensor([4.0])], src=0), s)
        outs = [lib.zeros(2)]
        out["a2a"] = (d.all_to_all(outs, [lib.tensor([1.0, 8.0])]), outs)
        single = lib.zeros(3)
        out["a2a1"] = (d.all_to_all_single(single, lib.arange(3.0)), single)
        objs = [None]
        d.all_gather_object(objs, {"a": [1, 2]})
        bl = [{"x": 1}, 2]
        d.broadcast_object_list(bl, src=0)
        out["objects"] = (objs, bl, d.barrier())
        return out
    e, t = both(run)
    for key in t:
        assert_same(e[key], t[key], what=key)


def test_collective_errors_match_torch(groups):
    cases = [
        lambda lib, d: d.broadcast(lib.ones(1), src=1),
        lambda lib, d: d.reduce(lib.ones(1), dst=3),
        lambda lib, d: d.all_gather([lib.zeros(2), lib.zeros(2)], lib.ones(2)),
        lambda lib, d: d.all_reduce([1]),
        lambda lib, d: d.all_reduce(lib.tensor([1, 2]), op=d.ReduceOp.AVG),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch, tdist)
        with pytest.raises(type(te.value)) as ee:
            case(ember, edist)
        assert str(ee.value) == str(te.value)


def test_reduce_op_and_backend_objects():
    assert [m for m in edist.ReduceOp.RedOpType.__members__] == \
        [m for m in tdist.ReduceOp.RedOpType.__members__]
    assert repr(edist.ReduceOp.SUM) == repr(tdist.ReduceOp.SUM)
    assert edist.ReduceOp(edist.ReduceOp.MAX) == edist.ReduceOp.MAX
    assert edist.Backend("GLOO") == tdist.Backend("GLOO") == "gloo"
    assert edist.Backend.NCCL == tdist.Backend.NCCL
    store = edist.HashStore()
    store.set("k", "v")
    assert store.get("k") == b"v" and store.add("n", 3) == 3 and store.add("n", 2) == 5
    pre = edist.PrefixStore("p", store)
    pre.set("a", b"1")
    assert store.get("p/a") == b"1" and pre.check(["a"]) and not pre.check(["zz"])
    with pytest.raises(RuntimeError, match="never set"):
        store.wait(["missing"])


def test_ddp_matches_plain_training_and_torch(groups):
    rng = np.random.default_rng(0)
    w1 = rng.standard_normal((4, 3)).astype(np.float32)
    x = rng.standard_normal((8, 3)).astype(np.float32)

    def train(lib, d):
        lin = lib.nn.Linear(3, 4)
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(w1))
            lin.bias.zero_()
        model = lib.nn.parallel.DistributedDataParallel(lin)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        for step in range(3):
            opt.zero_grad()
            if step == 1:
                with model.no_sync():
                    model(lib.tensor(x)).pow(2).mean().backward()
            model(lib.tensor(x)).pow(2).mean().backward()
            opt.step()
        return (model.module.weight.detach(), model.module.bias.detach(),
                list(model.state_dict().keys()), repr(model), model.device_ids,
                model.output_device, model.dim, model.broadcast_buffers)
    e, t = both(train)
    assert_same(list(e[:2]), list(t[:2]))
    assert e[2:] == t[2:]


def test_ddp_errors_match_torch(groups):
    with pytest.raises(RuntimeError) as te:
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2).requires_grad_(False))
    with pytest.raises(RuntimeError) as ee:
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2).requires_grad_(False))
    assert str(ee.value) == str(te.value)


def test_program_through_the_runner(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent("""
        import os
        import torch
        import torch.distributed as dist
        import torch.nn as nn
        import torch.nn.functional as F
        import torch.utils._pytree as pytree
        from torch.nn.attention import sdpa_kernel, SDPBackend
        from torch.nn.parallel import DistributedDataParallel as DDP
        from torch.utils._pytree import tree_map
        from torch.utils.benchmark import Timer
        from torch.quasirandom import SobolEngine
        import torch.signal.windows
        import torch.cpu

        assert torch.nn.attention.SDPBackend is SDPBackend and torch.utils._pytree is pytree
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", "29500")
        dist.init_process_group("gloo", rank=0, world_size=1)
        torch.manual_seed(0)
        model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4)))
        opt = torch.optim.Adam(model.parameters(), lr=1e-2)
        q = torch.randn(2, 2, 5, 4)
        for _ in range(20):
            opt.zero_grad()
            with sdpa_kernel([SDPBackend.FLASH_ATTENTION, SDPBackend.MATH]):
                att = F.scaled_dot_product_attention(q, q, q, is_causal=True)
            loss = (model(att) - att).pow(2).mean()
            loss.backward()
            for p in model.parameters():
                dist.all_reduce(p.grad, op=dist.ReduceOp.SUM)
                p.grad /= dist.get_world_size()
            opt.step()
        batch = tree_map(lambda t: t * 2, {"x": torch.ones(2), "y": [torch.zeros(1)]})
        print("rank", dist.get_rank(), "of", dist.get_world_size(), dist.get_backend())
        print("pytree", batch["x"].tolist(), batch["y"][0].tolist())
        print("sobol", SobolEngine(2).draw(4).tolist())
        print("window", torch.signal.windows.hann(3).tolist(), torch.cpu.device_count())
        print("timer", Timer("x + 1", setup="x = torch.ones(3)").timeit(10).number_per_run)
        print("loss_dropped", loss.item() < 1.0)
        dist.barrier()
        dist.destroy_process_group()
    """))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, "-m", "ember", "run", str(prog)], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path, env=env)
    assert res.returncode == 0, res.stderr
    assert "rank 0 of 1 gloo" in res.stdout
    assert "pytree [2.0, 2.0] [0.0]" in res.stdout
    assert "sobol [[0.0, 0.0], [0.5, 0.5], [0.75, 0.25], [0.25, 0.75]]" in res.stdout
    assert "window [0.0, 1.0, 0.0] 1" in res.stdout
    assert "timer 10" in res.stdout and "loss_dropped True" in res.stdout


def test_distributed_sampler_uses_the_group(groups):
    s = ember.utils.data.DistributedSampler(list(range(7)), shuffle=False)
    t = torch.utils.data.DistributedSampler(list(range(7)), shuffle=False)
    assert (list(s), s.num_replicas, s.rank) == (list(t), t.num_replicas, t.rank)
