"""Profiler results: ``FunctionEvent``, ``FunctionEventAvg`` and ``EventList`` (tables, Chrome
traces, flame-graph stacks), shaped like ``torch.autograd.profiler_util``'s."""
import json
import os
from collections import OrderedDict

from . import _recorder as R


class Interval:
    def __init__(self, start, end):
        self.start = start
        self.end = end

    def elapsed_us(self):
        return self.end - self.start


class FunctionEvent:
    """One recorded region or op call; times in microseconds."""

    def __init__(self, id, name, thread, start_us, end_us, input_shapes=None, stack=None,
                 category="cpu_op"):
        self.id = id
        self.name = name
        self.thread = thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes = input_shapes or []
        self.stack = stack or []
        self.category = category
        self.cpu_children = []
        self.cpu_parent = None
        self.count = 1
        self.device_type = "CPU"
        self.device_time_total = self.self_device_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.flops = 0
        self.is_async = False
        self.is_legacy = False

    key = property(lambda self: self.name)
    cpu_time_total = property(lambda self: self.time_range.elapsed_us())
    cpu_time = cpu_time_total
    cuda_time_total = property(lambda self: 0.0)
    self_cuda_time_total = cuda_time_total

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time="
                f"{_fmt(self.cpu_time_total)} start_us={self.time_range.start:.3f} "
                f"end_us={self.time_range.end:.3f} input_shapes={self.input_shapes}>")


class FunctionEventAvg:
    """Events of one key added up (``key_averages()``)."""

    def __init__(self, key):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes = None
        self.stack = None
        self.is_top_level = False
        self.device_time_total = self.self_device_time_total = 0.0
        self.cuda_time_total = self.self_cuda_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.flops = 0
        self.is_legacy = False

    def add(self, ev):
        if self.count == 0:
            self.input_shapes = ev.input_shapes
            self.stack = ev.stack
        self.count += ev.count
        self.cpu_time_total += ev.cpu_time_total
        self.self_cpu_time_total += ev.self_cpu_time_total
        self.is_top_level = self.is_top_level or getattr(ev, "cpu_parent", None) is None
        return self

    @property
    def cpu_time(self):
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self):
        return self.self_cpu_time_total / self.count if self.count else 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={_fmt(self.self_cpu_time_total)}"
                f" cpu_time={_fmt(self.cpu_time_total)} input_shapes={self.input_shapes}>")


def _fmt(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _pct(part, whole):
    return f"{100.0 * part / whole:.2f}%" if whole else "0.00%"


class EventList(list):
    """A list of events with PyTorch's reporting helpers."""

    def __init__(self, *args, trace_start_ns=0, wall_start_ns=0, **kwargs):
        super().__init__(*args, **kwargs)
        self._trace_start_ns = trace_start_ns
        self._wall_start_ns = wall_start_ns

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        groups = OrderedDict()
        for ev in self:
            key = (ev.key,)
            if group_by_input_shape:
                key += (str(ev.input_shapes),)
            if group_by_stack_n:
                key += tuple(ev.stack[:group_by_stack_n])
            if key not in groups:
                groups[key] = FunctionEventAvg(ev.key)
            groups[key].add(ev)
        out = EventList(groups.values())
        out._grouped_by_shape = group_by_input_shape
        out._stack_n = group_by_stack_n
        return out

    def total_average(self):
        total = FunctionEventAvg("Total")
        for ev in self:
            total.add(ev)
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False, time_unit=None):
        """The events as PyTorch's text table (sorted descending by ``sort_by``)."""
        events = list(self)
        if sort_by is not None:
            events.sort(key=lambda e: getattr(e, sort_by, 0), reverse=True)
        if top_level_events_only:
            events = [e for e in events if getattr(e, "cpu_parent", None) is None
                      and getattr(e, "is_top_level", True)]
        total_self = sum(e.self_cpu_time_total for e in self)
        shown = events[:row_limit] if row_limit is not None and row_limit > 0 else events
        with_shapes = getattr(self, "_grouped_by_shape", False)
        stack_n = getattr(self, "_stack_n", 0)
        name_w = min(max([len(e.key) for e in shown] + [4]) + 4, max_name_column_width)
        heads = ["Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
                 "# of Calls"]
        widths = [name_w] + [12] * 6
        if with_shapes:
            heads.append("Input Shapes")
            widths.append(min(max([len(str(e.input_shapes)) for e in shown] + [12]) + 4,
                              max_shapes_column_width))
        if stack_n:
            heads.append("Source Location")
            widths.append(max_src_column_width)

        def row(cells):
            return "".join(f"{str(c)[:w]: >{w}}  " for c, w in zip(cells, widths))
        line = "".join("-" * w + "  " for w in widths)
        lines = []
        if header is not None:
            lines += ["=" * len(line), header]
        lines += [line, row(heads), line]
        for e in shown:
            name = e.key if len(e.key) <= name_w else e.key[:name_w - 3] + "..."
            cells = [name, _pct(e.self_cpu_time_total, total_self), _fmt(e.self_cpu_time_total),
                     _pct(e.cpu_time_total, total_self), _fmt(e.cpu_time_total),
                     _fmt(e.cpu_time_total / max(e.count, 1)), e.count]
            if with_shapes:
                cells.append(str(e.input_shapes))
            if stack_n:
                cells.append((e.stack or [""])[0])
            lines.append(row(cells))
        lines.append(line)
        lines.append(f"Self CPU time total: {_fmt(total_self)}")
        return "\n".join(lines) + "\n"

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (open in chrome://tracing or Perfetto)."""
        pid = os.getpid()
        trace = []
        for e in self:
            if not isinstance(e, FunctionEvent):
                continue
            item = {"ph": "X", "cat": e.category, "name": e.name, "pid": pid,
                    "tid": e.thread, "ts": e.time_range.start, "dur": e.cpu_time_total,
                    "args": {"External id": e.id}}
            if e.input_shapes:
                item["args"]["Input Dims"] = e.input_shapes
            trace.append(item)
        doc = {"schemaVersion": 1, "deviceProperties": [], "displayTimeUnit": "ms",
               "baseTimeNanoseconds": self._wall_start_ns - self._trace_start_ns,
               "traceEvents": [{"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
                                "args": {"name": "python"}}] + trace}
        opener = open
        if str(path).endswith(".gz"):
            import gzip
            opener = gzip.open
        with opener(path, "wt") as f:
            json.dump(doc, f, indent=1)
        return path

    def export_stacks(self, path, metric="self_cpu_time_total"):
        """Write ``frame;frame;...;op value`` lines for flame-graph tools."""
        with open(path, "w") as f:
            for e in self:
                if not getattr(e, "stack", None):
                    continue
                frames = ";".join(s.replace(" ", "_") for s in reversed(e.stack))
                f.write(f"{frames};{e.name} {int(getattr(e, metric, 0))}\n")


def build(session):
    """FunctionEvents (with parent/child links per thread) from a finished session."""
    t0 = session.start_ns
    events = EventList(trace_start_ns=t0, wall_start_ns=session.wall_ns)
    for i, ev in enumerate(sorted(session.events, key=lambda e: (e[R.START], -e[R.END]))):
        events.append(FunctionEvent(i + 1, ev[R.NAME], ev[R.TID], (ev[R.START] - t0) / 1e3,
                                    (ev[R.END] - t0) / 1e3, ev[R.SHAPES], ev[R.STACK],
                                    ev[R.CAT]))
    stacks = {}
    for e in events:
        st = stacks.setdefault(e.thread, [])
        while st and st[-1].time_range.end <= e.time_range.start:
            st.pop()
        if st:
            e.cpu_parent = st[-1]
            st[-1].cpu_children.append(e)
        st.append(e)
    return events
