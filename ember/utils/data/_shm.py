"""Moving batches from DataLoader workers to the main process through shared memory.

Each worker keeps a ring of ``ring_size`` slots; a slot is a list of shared-memory files in
``/dev/shm``, created once and reused. Pickling a batch (in the worker's queue feeder thread)
takes the next slot and copies every large array of the batch into the slot's files; the
message carries only the files' names. The main process maps each file the first time it
sees it and unlinks it at once (both mappings keep the memory alive, and nothing is left
behind if a process dies), and on receipt copies the array out into private memory.

Why the copy is safe: the main process keeps at most ``P = prefetch_factor * num_workers``
tasks outstanding, and one worker's messages arrive in order; so when a worker fills a slot
again ``P + 1`` messages later, the message that used it before has been received (and
copied). Why a ring rather than a new file per batch (as PyTorch does): creating, faulting
in and freeing a 200 KB file costs ~0.4 ms per batch; reusing warm pages costs ~20 us.

Small arrays, and everything where no shared-memory directory exists, are pickled through
the pipe as usual.
"""
import glob
import itertools
import mmap
import os
import pickle

import numpy as np

from ...tensor import Tensor

SHM_DIR = "/dev/shm"
MIN_BYTES = 16 * 1024  # below this, pickling through the pipe is as cheap as a copy

# Worker side.
_prefix = None  # the name prefix of this worker's files; None: shared memory is off
_ring = []  # slots: lists of _Buffer
_ring_size = 0
_slot = -1  # the slot of the message being pickled
_pos = 0  # the next buffer of that slot
_counter = itertools.count()

# Main side: file key -> (path, mapping), one entry per (worker, slot, position).
_maps = {}


class _Buffer(mmap.mmap):
    """A shared mapping that remembers its file's name."""


def usable():
    return os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK | os.X_OK)


def enable(prefix, ring_size):
    """Called in a worker: send large arrays through a ring of ``ring_size`` slots."""
    global _prefix, _ring, _ring_size, _slot
    _prefix = prefix if prefix and ring_size > 0 and usable() else None
    _ring = [[] for _ in range(ring_size)]
    _ring_size = ring_size
    _slot = -1


class Message:
    """Wraps a worker's outgoing batch: pickling it moves on to the next ring slot."""

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    def __reduce__(self):
        global _slot, _pos
        if _prefix is not None:
            _slot = (_slot + 1) % _ring_size
            _pos = 0
        return (_unwrap, (self.data,))


def _unwrap(data):
    return data


def _new_buffer(slot, pos, nbytes):
    # The name's last field is a generation: a grown buffer gets a new file, and the main
    # process replaces its mapping of the (slot, pos) key.
    path = f"{SHM_DIR}/{_prefix}{slot}_{pos}_{next(_counter)}"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        # Reserve the pages now: a full /dev/shm fails here, not with SIGBUS on a write.
        os.posix_fallocate(fd, 0, nbytes)
        buf = _Buffer(fd, nbytes)
    except (OSError, ValueError):
        os.close(fd)
        os.unlink(path)
        return None
    os.close(fd)
    buf.path = path
    return buf


def _take_buffer(nbytes):
    global _pos
    if _slot < 0:
        return None  # a tensor pickled outside a Message
    slot = _ring[_slot]
    pos = _pos
    _pos += 1
    if pos < len(slot) and len(slot[pos]) >= nbytes:
        return slot[pos]
    # Grow with some slack, so that slowly growing batches do not make a file each time.
    size = -(-(nbytes + nbytes // 4) // mmap.PAGESIZE) * mmap.PAGESIZE
    buf = _new_buffer(_slot, pos, size)
    if buf is not None:
        if pos < len(slot):
            slot[pos] = buf
        else:
            slot.append(buf)
    return buf


def reduce_tensor(t):
    """ForkingPickler reducer for Tensor, registered in worker processes only."""
    arr = t._data
    if _prefix is not None and type(arr) is np.ndarray and arr.nbytes >= MIN_BYTES:
        buf = _take_buffer(arr.nbytes)
        if buf is not None:
            np.copyto(np.ndarray(arr.shape, arr.dtype, buffer=buf), arr)
            return (_rebuild, (buf.path, len(buf), arr.dtype, arr.shape, t._requires_grad))
    return t.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _rebuild(path, size, dtype, shape, requires_grad):
    key = path.rsplit("_", 1)[0]
    entry = _maps.get(key)
    if entry is None or entry[0] != path:
        fd = os.open(path, os.O_RDONLY)
        try:
            mm = mmap.mmap(fd, size, prot=mmap.PROT_READ)
        finally:
            os.close(fd)
        os.unlink(path)  # the two mappings keep the memory; no name is left to leak
        entry = _maps[key] = (path, mm)
    # Copy out now: the worker refills this buffer P + 1 messages later.
    t = Tensor._wrap(np.ndarray(shape, dtype, buffer=entry[1]).copy())
    t._requires_grad = requires_grad
    return t


def cleanup(prefix):
    """Main side, at shutdown: drop the mappings of ``prefix``'s files, remove leftovers."""
    if not prefix:
        return
    start = f"{SHM_DIR}/{prefix}"
    for key in [k for k in list(_maps) if k.startswith(start)]:  # list(): other threads
        _maps.pop(key, None)
    for path in glob.glob(f"{SHM_DIR}/{glob.escape(prefix)}*"):
        try:
            os.unlink(path)
        except OSError:
            pass
