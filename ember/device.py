"""Device objects. A device knows which array module (NumPy or CuPy) serves it."""


class device:
    """``torch.device``: ``device('cpu')``, ``device('cuda')``, ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __new__(cls, type_or_device, index=None):
        if isinstance(type_or_device, device):
            if index is None:
                return type_or_device
            type_or_device = type_or_device.type
        if isinstance(type_or_device, int) and not isinstance(type_or_device, bool):
            type_or_device, index = "cuda", type_or_device
        if not isinstance(type_or_device, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({type(type_or_device).__name__})")
        kind = type_or_device
        if ":" in kind:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {kind}")
            kind, _, idx = kind.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type_or_device}'")
            index = int(idx)
        if kind not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError(
                "Expected one of cpu, cuda, meta, mps device type at start of device string: "
                f"{type_or_device}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self = object.__new__(cls)
        self.type = kind
        self.index = index
        return self

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self):
        from . import _config
        _config.device_stack.append(_config.default_device[0])
        _config.default_device[0] = self
        return self

    def __exit__(self, *exc):
        from . import _config
        _config.default_device[0] = _config.device_stack.pop()
        return False


CPU = device("cpu")


def to_device(obj):
    """Accept a device, a string, an int (CUDA ordinal) or None (→ the default device)."""
    if obj is None:
        from . import _config
        return _config.default_device[0] or CPU
    if type(obj) is device:
        return obj
    return device(obj)
