"""Alias of :mod:`ember.utils.data._worker` at PyTorch's ``_utils.worker`` path."""
from .._worker import WorkerInfo, get_worker_info  # noqa: F401
