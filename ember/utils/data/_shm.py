"""Moving tensors from DataLoader workers to the main process through shared memory.

A worker writes a batch's array into a file in ``/dev/shm`` (collate allocates it there
directly, so there is no extra copy) and sends only the file's name; the main process maps
the file, unlinks it at once (the memory lives as long as the mapping) and wraps the mapping
as the tensor's array. Small arrays are cheaper to pickle through the pipe, and so are arrays
where no shared-memory directory exists. Files a lost message leaves behind are removed by
:func:`cleanup` when the iterator shuts down (every file name starts with its prefix).
"""
import glob
import itertools
import mmap
import os
import pickle
import weakref

import numpy as np

from ...tensor import Tensor

SHM_DIR = "/dev/shm"
MIN_BYTES = 16 * 1024  # below this a file's open/map/unlink costs more than pickling
_prefix = None  # set in a worker process: the name prefix of the files it creates
_counter = itertools.count()
_opened = weakref.WeakValueDictionary()  # main side: path -> mapping, for repeated refs


class _Buffer(mmap.mmap):
    """A shared mapping that remembers its file (worker side) or caches it (main side)."""


def usable():
    return os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK | os.X_OK)


def enable(prefix):
    """Called in a worker: create shared-memory files named ``prefix<n>`` from now on."""
    global _prefix
    _prefix = prefix if prefix and usable() else None


def empty(shape, dtype):
    """An uninitialised C-contiguous array in a fresh shared-memory file, or None."""
    if _prefix is None:
        return None
    dtype = np.dtype(dtype)
    nbytes = dtype.itemsize
    for s in shape:
        nbytes *= s
    if nbytes < MIN_BYTES:
        return None
    path = f"{SHM_DIR}/{_prefix}{next(_counter)}"
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    try:
        # Reserve the pages now: a full /dev/shm then fails here, not with SIGBUS later.
        os.posix_fallocate(fd, 0, nbytes)
        buf = _Buffer(fd, nbytes)
    except (OSError, ValueError):
        os.close(fd)
        os.unlink(path)
        return None
    os.close(fd)
    buf.path = path
    buf.sent = False
    out = np.ndarray(tuple(shape), dtype, buffer=buf)
    buf.addr = out.__array_interface__["data"][0]
    return out


def _backing(arr):
    """The worker's shared buffer holding C-contiguous ``arr``, and arr's byte offset in it."""
    base = arr.base
    while isinstance(base, np.ndarray):
        base = base.base
    if not isinstance(base, _Buffer) or base.sent or not arr.flags.c_contiguous:
        return None, 0
    offset = arr.__array_interface__["data"][0] - base.addr
    if offset < 0 or offset + arr.nbytes > len(base):
        return None, 0
    return base, offset


def reduce_tensor(t):
    """ForkingPickler reducer for Tensor, registered in worker processes only."""
    arr = t._data
    if _prefix is not None and type(arr) is np.ndarray and arr.nbytes >= MIN_BYTES:
        buf, offset = _backing(arr)
        if buf is None:
            out = empty(arr.shape, arr.dtype)
            if out is not None:
                np.copyto(out, arr)
                arr, buf, offset = out, out.base, 0
        if buf is not None:
            buf.sent = True  # the receiver unlinks the file: never send its name twice
            return (_rebuild, (buf.path, len(buf), offset, arr.dtype, arr.shape,
                               t._requires_grad))
    return t.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _rebuild(path, size, offset, dtype, shape, requires_grad):
    buf = _opened.get(path)
    if buf is None:
        fd = os.open(path, os.O_RDWR)
        try:
            buf = _Buffer(fd, size)
        finally:
            os.close(fd)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        _opened[path] = buf
    t = Tensor._wrap(np.ndarray(shape, dtype, buffer=buf, offset=offset))
    t._requires_grad = requires_grad
    return t


def cleanup(prefix):
    """Remove files left by messages that were never received (main side, at shutdown)."""
    if not prefix:
        return
    for path in glob.glob(f"{SHM_DIR}/{glob.escape(prefix)}*"):
        try:
            os.unlink(path)
        except OSError:
            pass
