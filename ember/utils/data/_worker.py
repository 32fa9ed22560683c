"""What runs inside a DataLoader worker process, and the messages it exchanges."""
import multiprocessing.queues
import os
import pickle
import queue
import random
import sys
import traceback

import numpy as np

from . import _shm

# How often an idle worker checks that the main process is still alive (seconds).
MP_STATUS_CHECK_INTERVAL = 1.0

_worker_info = None


class WorkerInfo:
    """Describes the current worker: ``id``, ``num_workers``, ``seed``, ``dataset``."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ", ".join(f"{k}={getattr(self, k)}" for k in self.__keys)
        return f"{self.__class__.__name__}({items})"


def get_worker_info():
    """In a DataLoader worker: its :class:`WorkerInfo`; in the main process: ``None``.

    ``dataset`` is the worker's own copy of the dataset, so an
    :class:`~ember.utils.data.IterableDataset` can pick its shard from ``id`` and
    ``num_workers``, or configure itself in a ``worker_init_fn``.
    """
    return _worker_info


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows a readable traceback."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main process with its traceback."""

    def __init__(self, exc_info=None, where="in background"):
        if exc_info is None:
            exc_info = sys.exc_info()
        exc_type = exc_info[0]
        self.exc_name = exc_type.__name__
        try:
            pickle.dumps(exc_type)
        except Exception:
            exc_type = RuntimeError  # a local exception class cannot travel; keep its name
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raise the exception again, as the same type, with the original traceback text."""
        msg = f"Caught {self.exc_name} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        try:
            raise exception
        finally:
            # Break the exception -> traceback -> this frame cycle, so the iterator that
            # re-raised is freed (and its workers shut down) as soon as the caller is done.
            del exception


class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch; echoed back when done."""

    def __init__(self, seed=None):
        self.seed = seed


def _numpy_seed(base_seed, worker_id):
    # Four 32-bit words from a hash of (worker_id, base_seed), like PyTorch's
    # _generate_state, so that the workers' numpy streams are decorrelated.
    entropy = [worker_id, base_seed & 0xFFFF_FFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4)


def _seed_worker(base_seed, worker_id):
    from ... import random as _random
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


class ResultQueue(multiprocessing.queues.Queue):
    """The worker->main queue; a batch that fails to pickle is sent as its error instead.

    ``multiprocessing.Queue`` pickles in a feeder thread; by default a batch that cannot be
    pickled is dropped there with a printed traceback, and the main process would wait for
    it forever.
    """

    def __init__(self, ctx):
        super().__init__(ctx=ctx)

    def _on_queue_feeder_error(self, e, obj):
        if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[1], _shm.Message):
            wid = getattr(_worker_info, "id", "?")
            try:
                raise TypeError(f"cannot send a batch from DataLoader worker process {wid} "
                                f"to the main process: {type(e).__name__}: {e}") from e
            except TypeError:
                self.put((obj[0], ExceptionWrapper(
                    where=f"in DataLoader worker process {wid}")))
        else:
            super()._on_queue_feeder_error(e, obj)


def _worker_loop(iterable, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, shm_prefix, manager_pid, first_tasks, ring_size):
    """The body of a worker process: fetch what ``index_queue`` asks for until told to stop."""
    global _worker_info
    try:
        from multiprocessing.reduction import ForkingPickler
        from ...tensor import Tensor
        from ._fetch import create_fetcher

        # Batches leave through shared memory; registered here, so only workers do this.
        _shm.enable(f"{shm_prefix}{worker_id}_" if shm_prefix else None, ring_size)
        ForkingPickler.register(Tensor, _shm.reduce_tensor)

        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        init_exception = fetcher = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        first_tasks = list(first_tasks)
        first_tasks.reverse()
        while True:
            if first_tasks:
                r = first_tasks.pop()
            else:
                try:
                    r = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
                except queue.Empty:
                    if os.getppid() != manager_pid:
                        # The main process is gone: do not linger as an orphan, and remove
                        # the shared-memory files it can no longer unlink.
                        _shm.cleanup(_shm._prefix)
                        break
                    continue
            if isinstance(r, _ResumeIteration):
                data_queue.put((r, None))
                iteration_end = False
                if init_exception is None:
                    fetcher = create_fetcher(iterable, dataset, auto_collation, collate_fn,
                                             drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue  # wait for the None that ends this worker
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:
                    if isinstance(e, StopIteration) and iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            if not isinstance(data, (ExceptionWrapper, _IterableDatasetStopIteration)):
                data = _shm.Message(data)  # large arrays travel through shared memory
            data_queue.put((idx, data))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass  # the main process gets the interrupt too and shuts the workers down
    if done_event.is_set():
        # Nobody reads any more: do not block at exit flushing unread batches.
        data_queue.cancel_join_thread()
        data_queue.close()
