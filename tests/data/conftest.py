import os
import signal
import time

import pytest

TEST_TIME_LIMIT = 60  # seconds; a DataLoader bug must fail a test, never hang CI


def _is_resource_tracker(pid):
    # multiprocessing's own helper (started by 'spawn' semaphores); it lives as long as we do.
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"resource_tracker" in f.read()
    except OSError:
        return False


def child_pids(pid=None):
    """Live (non-zombie) child processes of ``pid`` (default: this process), from /proc."""
    pid = os.getpid() if pid is None else pid
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z" and not _is_resource_tracker(name):
            out.append(int(name))
    return out


def wait_no_children(before=(), timeout=10.0):
    """Wait until no child processes besides ``before`` remain; return the leftovers."""
    import gc
    gc.collect()  # iterators kept only by exception/traceback cycles shut down when freed
    deadline = time.monotonic() + timeout
    while True:
        import multiprocessing
        multiprocessing.active_children()  # reaps finished Process objects
        left = [p for p in child_pids() if p not in before]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


@pytest.fixture(autouse=True)
def _time_limit():
    if not hasattr(signal, "SIGALRM"):
        yield
        return

    def on_alarm(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_TIME_LIMIT} s (DataLoader hang?)")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(TEST_TIME_LIMIT)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture(scope="module", autouse=True)
def _no_orphans():
    """After each test module: no worker process of ours is left running."""
    before = set(child_pids())
    yield
    left = wait_no_children(before)
    assert not left, f"DataLoader worker processes left running: {left}"
