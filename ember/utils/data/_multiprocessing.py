"""The DataLoader iterator that loads batches in worker processes.

The main process sends ``(task_idx, indices)`` to each worker's index queue, round-robin,
keeping ``prefetch_factor * num_workers`` tasks in flight; workers send ``(task_idx, batch)``
to one result queue; results that arrive early wait in ``_task_info`` so batches come out in
sampler order (unless ``in_order=False``). While waiting, the main process watches the result
pipe and the workers' process sentinels together, so a dead worker is noticed at once rather
than by polling, and ``timeout`` bounds the wait.
"""
import itertools
import multiprocessing.connection
import os
import queue
import secrets
import signal
import threading
import time

from . import _shm
from ._worker import (MP_STATUS_CHECK_INTERVAL, ExceptionWrapper, ResultQueue,
                      _IterableDatasetStopIteration, _ResumeIteration, _worker_loop)
from .dataloader import _BaseDataLoaderIter, _DatasetKind, _default_context

# How long shutdown waits for workers to exit by themselves before terminating them.
_JOIN_TIMEOUT = 2.0


# One long-lived daemon thread joins finished workers off the critical path. Iterators hand
# it their workers through a SimpleQueue, whose put() is safe inside __del__ and the garbage
# collector; starting a Thread there is not (Thread.start can wait forever for a thread that
# needs a lock the collecting thread holds).
_reaper = {"queue": None, "thread": None, "pid": None}
_reaper_lock = threading.Lock()


def _reaper_loop(jobs):
    while True:
        _reap(*jobs.get())


def _ensure_reaper():
    """Start the reaper thread (once per process; called from ordinary code, not __del__)."""
    with _reaper_lock:
        thread = _reaper["thread"]
        if thread is not None and _reaper["pid"] == os.getpid() and thread.is_alive():
            return
        jobs = queue.SimpleQueue()
        thread = threading.Thread(target=_reaper_loop, args=(jobs,), daemon=True,
                                  name="ember DataLoader reaper")
        thread.start()
        _reaper.update(queue=jobs, thread=thread, pid=os.getpid())


class _TaskList(list):
    """Collects the first tasks for a worker that is not started yet."""

    put = list.append


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    _shutdown = True  # until the workers exist, there is nothing to shut down

    def __init__(self, loader):
        super().__init__(loader)
        _ensure_reaper()
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._prefetch_factor <= 0:
            raise AssertionError("prefetch_factor must be greater than 0 for "
                                 "MultiProcessingDataLoaderIter")
        ctx = loader.multiprocessing_context or _default_context()
        self._worker_init_fn = loader.worker_init_fn
        self._shm_prefix = f"ember_dl_{os.getpid()}_{secrets.token_hex(4)}_" \
            if _shm.usable() else None
        self._worker_result_queue = ResultQueue(ctx)
        self._data_queue = self._worker_result_queue
        self._workers_done_event = ctx.Event()
        self._workers = []
        self._workers_status = [True] * self._num_workers
        # The first tasks travel with the fork itself (as the worker's arguments): worker 0
        # starts loading while the next worker is still being forked, and no queue feeder
        # thread exists yet when the main process forks.
        self._index_queues = [_TaskList() for _ in range(self._num_workers)]
        self._shutdown = False
        try:
            self._reset(loader, first_iter=True)
            first_tasks = self._index_queues
            self._index_queues = []
            for _ in range(self._num_workers):
                index_queue = ctx.Queue()
                # Never block the main process at exit flushing indices nobody will read.
                index_queue.cancel_join_thread()
                self._index_queues.append(index_queue)
            for i in range(self._num_workers):
                w = ctx.Process(
                    target=_worker_loop, daemon=True,
                    args=(self._dataset_kind == _DatasetKind.Iterable, self._dataset,
                          self._index_queues[i], self._worker_result_queue,
                          self._workers_done_event, self._auto_collation, self._collate_fn,
                          self._drop_last, self._base_seed, self._worker_init_fn, i,
                          self._num_workers, self._persistent_workers, self._shm_prefix,
                          os.getpid(), list(first_tasks[i]),
                          self._prefetch_factor * self._num_workers + 1))
                self._workers.append(w)
                w.start()
        except BaseException:
            if isinstance(self._index_queues[0], _TaskList):  # no worker exists yet
                self._shutdown = True
                self._worker_result_queue.close()
            else:
                self._shutdown_workers()
            raise

    # ------------------------------------------------------------------ epochs
    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0  # index of the next task to send to a worker
        self._rcvd_idx = 0  # index of the next task to return
        # task_idx -> (worker_id,) while outstanding, (worker_id, data) once arrived early
        self._task_info = {}
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # Persistent workers: restart their fetchers; drop what a broken-off epoch left.
            for q in self._index_queues:
                q.put(_ResumeIteration(self._shared_seed))
            pending = self._num_workers
            while pending > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    # ------------------------------------------------------------------ receiving
    def _get_data(self):
        try:
            return self._wait_for_data()
        except KeyboardInterrupt:
            self._shutdown_workers(force=True)
            raise

    def _wait_for_data(self):
        deadline = time.monotonic() + self._timeout if self._timeout > 0 else None
        reader = self._data_queue._reader
        while True:
            wait_s = MP_STATUS_CHECK_INTERVAL
            if deadline is not None:
                wait_s = min(wait_s, deadline - time.monotonic())
                if wait_s <= 0:
                    self._shutdown_workers(force=True)
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            watched = [w.sentinel for w, alive in zip(self._workers, self._workers_status)
                       if alive]
            ready = multiprocessing.connection.wait([reader] + watched, wait_s)
            if reader in ready:
                try:
                    return self._data_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
                except queue.Empty:
                    continue
            if ready:
                self._raise_if_worker_died()

    def _raise_if_worker_died(self):
        for worker_id, w in enumerate(self._workers):
            if not self._workers_status[worker_id] or w.is_alive():
                continue
            code = w.exitcode
            if code is not None and code < 0:
                try:
                    name = signal.strsignal(-code) or f"signal {-code}"
                except ValueError:
                    name = f"signal {-code}"
                msg = f"DataLoader worker (pid {w.pid}) is killed by signal: {name}. "
                if -code == signal.SIGBUS:
                    msg += "It is possible that dataloader's workers are out of shared memory."
            elif code:
                msg = (f"DataLoader worker (pid {w.pid}) exited unexpectedly with exit code "
                       f"{code}. Details are lost due to multiprocessing. Rerunning with "
                       f"num_workers=0 may give better error trace.")
            else:
                msg = f"DataLoader worker (pid(s) {w.pid}) exited unexpectedly"
            self._shutdown_workers(force=True)
            raise RuntimeError(msg)

    def _next_data(self):
        if self._shutdown:
            raise StopIteration  # after a timeout or a dead worker: nothing more will come
        while True:
            # Skip tasks of workers that ended (iterable datasets) with nothing to return.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info:
                    if len(info) == 2 or self._workers_status[info[0]]:
                        break
                    del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers(wait=False)
                raise StopIteration

            if len(self._task_info[self._rcvd_idx]) == 2:
                worker_id, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

            assert not self._shutdown and self._tasks_outstanding > 0
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and \
                    isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker_id = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker_id)
                self._task_info[idx] += (data,)
            else:
                worker_id = self._task_info.pop(idx)[0]
                self._rcvd_idx += 1
                return self._process_data(data, worker_id)

    def _process_data(self, data, worker_id):
        self._workers_num_tasks[worker_id] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    # ------------------------------------------------------------------ sending
    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        assert self._tasks_outstanding < max_tasks
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker, if any
            worker_id = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker_id]:
                if self._in_order:
                    break
                if self._workers_num_tasks[worker_id] < max_tasks // sum(self._workers_status):
                    break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._workers_num_tasks[worker_id] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        # The worker gets None and exits; its results already in flight are still valid.
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    # ------------------------------------------------------------------ shutdown
    def _shutdown_workers(self, wait=True, force=False):
        """Stop the workers: tell them to exit, then join them (terminating stragglers).

        At the normal end of an epoch (``wait=False``) the joining runs in the reaper
        thread: a worker's exit takes the kernel tens of milliseconds in a big process, and
        the epoch need not wait for it. ``force`` terminates them at once (after a timeout
        or a dead worker, when the others may be stuck).
        """
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for worker_id in range(len(self._workers)):
                if self._persistent_workers or self._workers_status[worker_id]:
                    self._mark_worker_as_unavailable(worker_id, shutdown=True)
        finally:
            args = (self._workers, self._index_queues, self._worker_result_queue,
                    self._shm_prefix, 0.0 if force else _JOIN_TIMEOUT)
            if not wait and _reaper["pid"] == os.getpid() and _reaper["thread"].is_alive():
                _reaper["queue"].put(args)
                return
            _reap(*args)

    def __del__(self):
        try:
            # Never block here: the garbage collector may run this inside a queue's feeder
            # thread, which must return before the workers can receive their stop message.
            self._shutdown_workers(wait=False)
        except Exception:  # interpreter teardown: modules may already be gone
            pass


def _reap(workers, index_queues, result_queue, shm_prefix, join_timeout):
    """Join exiting workers; terminate any still busy (e.g. stuck in ``__getitem__``)."""
    try:
        deadline = time.monotonic() + join_timeout
        for w in workers:
            if w.pid is not None:
                w.join(timeout=max(0.0, deadline - time.monotonic()))
        for q in index_queues:
            q.cancel_join_thread()
            q.close()
    finally:
        for w in workers:
            if w.pid is not None and w.is_alive():
                w.terminate()
        for w in workers:
            if w.pid is not None:
                w.join(timeout=_JOIN_TIMEOUT)
                if w.is_alive():
                    w.kill()
                    w.join()
        result_queue.close()
        _shm.cleanup(shm_prefix)
