"""``torch.profiler.profile``: time the regions (``record_function``) and Ember ops run while
it is active, with PyTorch's schedule / ``on_trace_ready`` / ``step()`` protocol."""
import enum
import os
import socket
import time
import warnings

from . import _events, _recorder

__all__ = ["ProfilerAction", "ProfilerActivity", "profile", "schedule",
           "supported_activities", "kineto_available", "tensorboard_trace_handler"]


class ProfilerActivity(enum.Enum):
    """Which activities to profile (Ember records host-side time for all of them)."""
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does during a step (see :func:`schedule`)."""
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def supported_activities():
    from .. import cuda
    acts = {ProfilerActivity.CPU}
    if cuda.is_available():
        acts.add(ProfilerActivity.CUDA)
    return acts


def kineto_available():
    """False: Ember records with its own host-side tracer, not Kineto."""
    return False


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """A step -> :class:`ProfilerAction` function: skip ``skip_first`` steps, then cycles of
    ``wait`` idle, ``warmup`` and ``active`` recorded steps (the last one saves), ``repeat``
    times (0: forever)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError("Invalid profiler schedule arguments")
    if warmup == 0:
        warnings.warn("Profiler won't be using warmup, this can skew profiler results",
                      stacklevel=2)

    def schedule_fn(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait and step < wait:  # the first cycle starts without waiting
            pass
        num_steps = wait + warmup + active
        if repeat > 0 and step / num_steps >= repeat:
            return ProfilerAction.NONE
        mod = step % num_steps
        if mod < wait:
            return ProfilerAction.NONE
        if mod < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod < num_steps - 1 else \
            ProfilerAction.RECORD_AND_SAVE
    return schedule_fn


def _always_record(step):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False):
    """An ``on_trace_ready`` callback writing ``<worker>.<time>.pt.trace.json`` into
    ``dir_name`` (the layout TensorBoard's profiler plugin reads)."""
    def handler(prof):
        nonlocal worker_name
        os.makedirs(dir_name, exist_ok=True)
        if not worker_name:
            worker_name = f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker_name}.{time.time_ns()}.pt.trace.json"
        if use_gzip:
            name += ".gz"
        prof.export_chrome_trace(os.path.join(dir_name, name))
    return handler


_RECORDING = (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)


class profile:
    """Profiler context manager.

    Args:
        activities: :class:`ProfilerActivity` values to trace (default: all supported).
        schedule: ``step -> ProfilerAction``; default records from start to stop.
        on_trace_ready: called with the profiler each time a recorded window ends.
        record_shapes (bool): keep the input shapes of each op.
        with_stack (bool): keep the Python stack of each event.

    Example::

        >>> with torch.profiler.profile() as prof:
        ...     with torch.profiler.record_function("step"):
        ...         loss = model(x).sum()
        >>> print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None,
                 record_shapes=False, profile_memory=False, with_stack=False, with_flops=False,
                 with_modules=False, experimental_config=None, execution_trace_observer=None,
                 acc_events=False, use_cuda=None, custom_trace_id_callback=None,
                 post_processing_timeout_s=None):
        acts = set(activities) if activities is not None else supported_activities()
        for a in acts:
            if not isinstance(a, ProfilerActivity):
                raise AssertionError(f"activities must be ProfilerActivity values, got {a!r}")
        if use_cuda:
            acts.add(ProfilerActivity.CUDA)
        self.activities = acts
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.profile_memory = profile_memory
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.schedule = schedule if schedule is not None else _always_record
        self.record_steps = schedule is not None
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.current_action = self.schedule(self.step_num)
        self._session = None
        self._step_ev = None
        self._result = None
        self._metadata = {}

    # ------------------------------------------------------------ lifecycle
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        if self.current_action in _RECORDING:
            self._begin()
        self._open_step()

    def stop(self):
        self._close_step()
        if self._session is not None:
            self._finish()

    def step(self):
        """Mark the end of a training step: moves the schedule on."""
        self._close_step()
        prev = self.current_action
        self.step_num += 1
        self.current_action = self.schedule(self.step_num)
        if self._session is not None and (prev is ProfilerAction.RECORD_AND_SAVE or
                                          self.current_action not in _RECORDING):
            self._finish()
        if self.current_action in _RECORDING and self._session is None:
            self._begin()
        self._open_step()

    def _begin(self):
        self._session = _recorder.Session(record_ops=True, record_shapes=self.record_shapes,
                                          with_stack=self.with_stack)
        _recorder.begin(self._session)

    def _finish(self):
        _recorder.end(self._session)
        self._result = _events.build(self._session)
        self._session = None
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def _open_step(self):
        if self.record_steps and self._session is not None:
            self._step_ev = _recorder.open_event(f"ProfilerStep#{self.step_num}",
                                                 "user_annotation")

    def _close_step(self):
        _recorder.close_event(self._step_ev)
        self._step_ev = None

    # ------------------------------------------------------------ results
    def events(self):
        if self._result is None:
            raise AssertionError("Profiler didn't finish running")
        return self._result

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0,
                     group_by_overload_name=False):
        """Events grouped by name (and shape / stack): an :class:`EventList` of averages."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        """Write the last recorded window as a Chrome trace JSON file."""
        return self.events().export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        if not self.with_stack:
            raise AssertionError("export_stacks() requires with_stack=True")
        return self.events().export_stacks(path, metric)

    def add_metadata(self, key, value):
        self._metadata[key] = value

    def add_metadata_json(self, key, value):
        self._metadata[key] = value

    def _stats(self):
        return None
