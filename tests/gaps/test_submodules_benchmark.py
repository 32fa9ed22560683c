"""``torch.utils.benchmark``: Measurement arithmetic and reprs, Compare tables (given the
same raw times, Ember's output equals torch's), and Timer running statements."""
import re

import pytest

from oracle import torch

import ember
import ember.utils.benchmark as eb
import torch.utils.benchmark as tb

RAW = {"d1": [1e-5, 1.1e-5, 1.2e-5, 0.9e-5], "d2": [2e-5, 2.1e-5, 2.5e-5, 5e-5],
       "d3": [3.3e-7, 3.1e-7, 3.2e-7, 3.25e-7, 3.4e-7]}


def _measurements(b):
    spec = dict(stmt="x + 1", setup="x = torch.ones(3)", label="add", sub_label="small")
    out = [b.Measurement(10, [t * 10 for t in RAW[d]],
                         b.TaskSpec(description=d, num_threads=1, **spec))
           for d in ("d1", "d2")]
    out.append(b.Measurement(1, [3e-6, 4e-6], b.TaskSpec(description="d1", num_threads=2,
                                                           **dict(spec, sub_label="big"))))
    out.append(b.Measurement(1, [3e-6, 4e-6], b.TaskSpec(description="d3", num_threads=2,
                                                           **spec)))
    out.append(b.Measurement(100, [t * 100 for t in RAW["d3"]],
                             b.TaskSpec(stmt="y.sum()\ny.mean()", setup="y = 1\nz = 2",
                                        description="d3", label="envs", env="other")))
    out.append(b.Measurement(10, [t * 10 for t in RAW["d1"]],
                             b.TaskSpec(stmt="y.sum()\ny.mean()", setup="pass",
                                        description="d3", label="envs", env="base")))
    out.append(b.Measurement(1, [2e-3], b.TaskSpec(stmt="pass", setup="pass", label="lone", description="solo",
                                                   num_threads=4)))
    return out


def _norm(text):
    return re.sub(r"<\S+ object at 0x[0-9a-f]+>", "<Measurement>", text)


def test_measurement_statistics_and_repr_match_torch():
    for e, t in zip(_measurements(eb), _measurements(tb)):
        assert e.times == t.times
        assert e.median == pytest.approx(t.median, rel=1e-12)
        assert e.mean == pytest.approx(t.mean, rel=1e-12)
        assert e.iqr == pytest.approx(t.iqr, rel=1e-9, abs=1e-18)
        assert e.significant_figures == t.significant_figures
        assert e.has_warnings == t.has_warnings
        assert e.meets_confidence(0.2) == t.meets_confidence(0.2)
        assert (e.title, e.env, e.as_row_name, e.num_threads) == \
            (t.title, t.env, t.as_row_name, t.num_threads)
        assert _norm(repr(e)) == _norm(repr(t))


def test_merge_and_helpers_match_torch():
    e = eb.Measurement.merge(_measurements(eb) + _measurements(eb)[:1])
    t = tb.Measurement.merge(_measurements(tb) + _measurements(tb)[:1])
    assert [(m.number_per_run, m.times) for m in e] == [(m.number_per_run, m.times) for m in t]
    for x in (3.2e-10, 4.5e-8, 7e-6, 0.02, 3.0):
        assert eb.select_unit(x) == tb.select_unit(x)
    for x, n in ((3.14159, 2), (0.012345, 3), (98765.4, 1)):
        assert eb.trim_sigfig(x, n) == pytest.approx(tb.trim_sigfig(x, n))
    assert eb.unit_to_english("us") == tb.unit_to_english("us")


@pytest.mark.parametrize("trim", [False, True])
@pytest.mark.parametrize("highlight", [False, True])
@pytest.mark.parametrize("colorize", [None, False, True])
def test_compare_table_equals_torch(trim, highlight, colorize):
    tables = []
    for b in (eb, tb):
        c = b.Compare(_measurements(b))
        if trim:
            c.trim_significant_figures()
        if highlight:
            c.highlight_warnings()
        if colorize is not None:
            c.colorize(rowwise=colorize)
        tables.append(str(c))
    assert tables[0] == tables[1]


def test_compare_rejects_non_measurements():
    with pytest.raises(ValueError, match="Expected an instance of `Measurement`"):
        eb.Compare([1])


def test_timer_runs_statement_in_globals_with_torch_bound():
    calls = []
    g = {"record": calls.append}
    t = eb.Timer("record(torch.ones(2).sum().item())", globals=g, label="L", sub_label="S",
                 description="D", num_threads=1)
    m = t.timeit(number=7)
    assert m.number_per_run == 7 and len(m.raw_times) == 1 and m.raw_times[0] > 0
    assert len(calls) == 7 + 2  # warm-up of max(7 // 100, 2) runs, then the 7 timed
    assert calls[-1] == 2.0 and "torch" not in g  # Timer copies the dict
    assert m.task_spec.label == "L" and m.description == "D"
    mine = {"torch": "user's"}
    assert eb.Timer("x = torch", globals=mine)._globals["torch"] == "user's"
    assert eb.Timer("pass")._globals["torch"] is ember


def test_blocked_and_adaptive_autorange():
    t = eb.Timer("x + 1", setup="x = torch.ones(3)")
    m = t.blocked_autorange(min_run_time=0.02)
    assert sum(m.raw_times) >= 0.02 and m.number_per_run >= 1
    assert m.median > 0 and all(x > 0 for x in m.times)
    seen = []
    m = t.adaptive_autorange(threshold=0.5, min_run_time=0.01, max_run_time=0.3,
                             callback=lambda n, s: seen.append((n, s)))
    assert len(seen) == len(m.raw_times) and seen[0][0] == m.number_per_run
    assert len(m.raw_times) > 3 or sum(m.raw_times) > 0.3


def test_timer_argument_errors():
    with pytest.raises(ValueError, match="only a `str` stmt"):
        eb.Timer(lambda: 1)
    with pytest.raises(ValueError, match="global_setup is C\\+\\+ only"):
        eb.Timer("pass", global_setup="#include <x>")
    with pytest.raises(ValueError, match="Invalid language"):
        eb.Timer("pass", language="rust")
    with pytest.raises(NotImplementedError, match="blocked_autorange"):
        eb.Timer("pass").repeat()
