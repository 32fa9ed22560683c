"""``torch.autograd.profiler``: the legacy profiler API over :mod:`ember.profiler`."""
from ..profiler import _events, _recorder
from ..profiler._events import EventList, FunctionEvent, FunctionEventAvg  # noqa: F401
from ..profiler._recorder import record_function
from ..profiler.profiler import ProfilerActivity, kineto_available  # noqa: F401

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]


class profile:
    """``torch.autograd.profiler.profile``: records while active; read the results with
    ``key_averages()``, ``table()``, ``function_events`` or ``export_chrome_trace()``."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=False, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None):
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self._session = None
        self.function_events = None

    def __enter__(self):
        if self.enabled:
            self._session = _recorder.Session(True, self.record_shapes, self.with_stack)
            _recorder.begin(self._session)
        return self

    def __exit__(self, *exc):
        if self._session is not None:
            _recorder.end(self._session)
            self.function_events = _events.build(self._session)
            self._session = None
        return False

    def _check(self):
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        return self._check().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75,
              max_name_column_width=55, max_shapes_column_width=80, header=None,
              top_level_events_only=False):
        return self._check().table(sort_by, row_limit, max_src_column_width,
                                   max_name_column_width, max_shapes_column_width, header,
                                   top_level_events_only)

    def total_average(self):
        return self._check().total_average()

    @property
    def self_cpu_time_total(self):
        return self._check().self_cpu_time_total

    def export_chrome_trace(self, path):
        return self._check().export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        return self._check().export_stacks(path, metric)

    def __str__(self):
        return self.table()
