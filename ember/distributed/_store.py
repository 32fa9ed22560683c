"""Key-value stores (``HashStore``, ``FileStore``, ``TCPStore``, ``PrefixStore``) for one
process: ``init_process_group(store=...)`` accepts them, and programs that use a store for
their own coordination get working ``set``/``get``/``add``/``wait``."""
import datetime
import time

__all__ = ["Store", "HashStore", "FileStore", "TCPStore", "PrefixStore"]


class Store:
    """An in-process key-value store; values are bytes."""

    def __init__(self):
        self._data = {}
        self._timeout = datetime.timedelta(seconds=300)

    @property
    def timeout(self):
        return self._timeout

    def set_timeout(self, timeout):
        self._timeout = timeout

    def set(self, key, value):
        self._data[key] = value.encode() if isinstance(value, str) else bytes(value)

    def get(self, key):
        if key not in self._data:
            self.wait([key])
        return self._data[key]

    def add(self, key, amount):
        """Add ``amount`` to the integer stored at ``key`` (0 if absent); returns the sum."""
        value = int(self._data.get(key, b"0")) + int(amount)
        self._data[key] = str(value).encode()
        return value

    def compare_set(self, key, expected_value, desired_value):
        current = self._data.get(key)
        expected = expected_value.encode() if isinstance(expected_value, str) else expected_value
        if (current is None and not expected) or current == expected:
            self.set(key, desired_value)
        return self._data.get(key, expected)

    def check(self, keys):
        return all(k in self._data for k in keys)

    def wait(self, keys, timeout=None):
        """Wait for ``keys``. One process has nobody to set a missing key later, so a missing
        key fails at once, with the error PyTorch raises when the wait times out."""
        missing = [k for k in keys if k not in self._data]
        if missing:
            limit = timeout if timeout is not None else self._timeout
            from ._types import DistStoreError
            raise DistStoreError(f"Wait timeout after {limit}: keys {missing} were never set "
                                 f"(this single-process store has no other writer)")

    def delete_key(self, key):
        return self._data.pop(key, None) is not None

    def num_keys(self):
        return len(self._data)

    def multi_set(self, keys, values):
        for k, v in zip(keys, values):
            self.set(k, v)

    def multi_get(self, keys):
        return [self.get(k) for k in keys]

    def append(self, key, value):
        extra = value.encode() if isinstance(value, str) else bytes(value)
        self._data[key] = self._data.get(key, b"") + extra


class HashStore(Store):
    """An in-memory store (PyTorch's is shared by threads of one process)."""


class FileStore(Store):
    """``FileStore(file_name, world_size=-1)``: kept in memory here (one process)."""

    def __init__(self, file_name, world_size=-1):
        super().__init__()
        self.path = file_name
        self.world_size = world_size


class TCPStore(Store):
    """``TCPStore(host_name, port, world_size=None, is_master=False, timeout=...)``: served
    in-process; more than one worker needs the multi-process engine."""

    def __init__(self, host_name, port, world_size=None, is_master=False,
                 timeout=datetime.timedelta(seconds=300), wait_for_workers=True,
                 multi_tenant=False, master_listen_fd=None, use_libuv=True):
        super().__init__()
        if world_size is not None and world_size > 1:
            raise RuntimeError(f"TCPStore with world_size={world_size}: Ember runs one process "
                               f"(see ember.distributed's docstring)")
        self.host = host_name
        self.port = port
        self.libuvBackend = use_libuv
        self._timeout = timeout
        self._created = time.time()


class PrefixStore(Store):
    """``PrefixStore(prefix, store)``: every key is ``prefix + '/' + key`` in ``store``."""

    def __init__(self, prefix, store):
        self.underlying_store = store
        self._prefix = prefix

    def _k(self, key):
        return f"{self._prefix}/{key}"

    @property
    def _data(self):
        return self.underlying_store._data

    @property
    def timeout(self):
        return self.underlying_store.timeout

    def set(self, key, value):
        self.underlying_store.set(self._k(key), value)

    def get(self, key):
        return self.underlying_store.get(self._k(key))

    def add(self, key, amount):
        return self.underlying_store.add(self._k(key), amount)

    def check(self, keys):
        return self.underlying_store.check([self._k(k) for k in keys])

    def wait(self, keys, timeout=None):
        self.underlying_store.wait([self._k(k) for k in keys], timeout)

    def delete_key(self, key):
        return self.underlying_store.delete_key(self._k(key))

    def compare_set(self, key, expected_value, desired_value):
        return self.underlying_store.compare_set(self._k(key), expected_value, desired_value)

    def append(self, key, value):
        self.underlying_store.append(self._k(key), value)

    def num_keys(self):
        return self.underlying_store.num_keys()
