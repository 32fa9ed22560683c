"""``torch.profiler``: host-side timings of ``record_function`` regions and of every Ember op
called while a profiler is active; tables, Chrome traces and TensorBoard trace files."""
from ._events import EventList, FunctionEvent, FunctionEventAvg  # noqa: F401
from ._recorder import record_function
from .profiler import (ProfilerAction, ProfilerActivity, kineto_available, profile, schedule,
                       supported_activities, tensorboard_trace_handler)
from . import profiler  # noqa: F401

__all__ = ["profile", "schedule", "supported_activities", "tensorboard_trace_handler",
           "ProfilerAction", "ProfilerActivity", "kineto_available", "record_function"]
