"""torch.profiler: regions, per-op events, schedules, traces, tables."""
import json
import os
import time

import pytest

import ember
from ember.profiler import (ProfilerAction, ProfilerActivity, profile, record_function,
                            schedule, tensorboard_trace_handler)


def test_record_function_timings_and_table():
    x = ember.randn(20, 20)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("outer"):
            time.sleep(0.02)
            with record_function("inner"):
                y = ember.relu(x @ x)
                time.sleep(0.01)
    ev = {e.name: e for e in prof.events()}
    assert ev["outer"].cpu_time_total >= 30000 * 0.9
    assert 10000 * 0.9 <= ev["inner"].cpu_time_total < ev["outer"].cpu_time_total
    assert ev["inner"].cpu_parent is ev["outer"]
    # self time excludes children
    assert abs(ev["outer"].self_cpu_time_total - (ev["outer"].cpu_time_total
                                                 - ev["inner"].cpu_time_total)) < 1e-6
    assert ev["aten::matmul"].input_shapes == [[20, 20], [20, 20]]
    assert ev["aten::relu"].cpu_parent is ev["inner"]
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=2)
    lines = table.strip().splitlines()
    assert "Self CPU %" in lines[1] and "# of Calls" in lines[1]
    assert lines[3].split()[0] == "outer" and lines[4].split()[0] == "inner"
    assert len(lines) == 7 and lines[-1].startswith("Self CPU time total:")
    shaped = prof.key_averages(group_by_input_shape=True).table(row_limit=-1)
    assert "Input Shapes" in shaped and "[[20, 20], [20, 20]]" in shaped
    assert y.shape == (20, 20)


def test_ops_are_restored_and_cost_nothing_when_off():
    relu = ember.relu
    add = ember.Tensor.__add__
    with profile():
        assert ember.relu is not relu
    assert ember.relu is relu and ember.Tensor.__add__ is add
    with profile() as prof:
        pass
    assert len(prof.events()) == 0


def test_key_averages_counts_and_decorator():
    @record_function("step_fn")
    def f(x):
        return x * 2 + 1

    with profile() as prof:
        for _ in range(3):
            f(ember.ones(3))
    avg = {a.key: a for a in prof.key_averages()}
    assert avg["step_fn"].count == 3
    assert avg["aten::mul"].count == 3
    assert avg["step_fn"].cpu_time == pytest.approx(avg["step_fn"].cpu_time_total / 3)


def test_schedule_semantics():
    s = schedule(skip_first=1, wait=1, warmup=1, active=2, repeat=1)
    acts = [s(i) for i in range(7)]
    A = ProfilerAction
    assert acts == [A.NONE, A.NONE, A.WARMUP, A.RECORD, A.RECORD_AND_SAVE, A.NONE, A.NONE]


def test_profile_with_schedule_and_tensorboard_handler(tmp_path):
    ready = []
    handler = tensorboard_trace_handler(str(tmp_path), worker_name="w0")

    def on_ready(p):
        ready.append(p.step_num)
        handler(p)

    with profile(schedule=schedule(wait=1, warmup=1, active=2, repeat=2),
                 on_trace_ready=on_ready) as prof:
        for i in range(10):
            with record_function(f"work{i}"):
                ember.ones(2) + 1
            prof.step()
    assert ready == [4, 8]
    names = {e.name for e in prof.events()}
    assert names >= {"ProfilerStep#6", "ProfilerStep#7", "work6", "work7"}
    assert "work5" not in names
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and all(f.startswith("w0.") and f.endswith(".pt.trace.json")
                                   for f in files)
    doc = json.load(open(tmp_path / files[-1]))
    xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    assert {"work6", "work7"} <= {e["name"] for e in xs}
    assert all(e["dur"] >= 0 for e in xs)


def test_export_chrome_trace_and_stacks(tmp_path):
    with profile(with_stack=True) as prof:
        with record_function("region"):
            time.sleep(0.005)
    path = str(tmp_path / "t.json")
    prof.export_chrome_trace(path)
    doc = json.load(open(path))
    ev = [e for e in doc["traceEvents"] if e.get("name") == "region"][0]
    assert ev["ph"] == "X" and ev["dur"] >= 5000 * 0.9
    prof.export_stacks(str(tmp_path / "s.txt"))
    text = open(tmp_path / "s.txt").read()
    assert "test_profiler.py" in text and "region" in text


def test_legacy_autograd_profiler():
    with ember.autograd.profiler.profile(record_shapes=True) as prof:
        with ember.autograd.profiler.record_function("blk"):
            ember.ones(3).sum()
    assert "blk" in prof.table()
    assert prof.key_averages()[0].key
    assert prof.self_cpu_time_total > 0
    assert ember.profiler.record_function is ember.autograd.profiler.record_function
