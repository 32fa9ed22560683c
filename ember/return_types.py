"""``torch.return_types``: the named tuples that ops such as ``max(dim)``, ``sort``,
``topk`` and ``linalg.qr`` return, printed as PyTorch prints them::

    torch.return_types.max(
    values=tensor([2, 4]),
    indices=tensor([1, 1]))
"""
import collections


def _repr(self):
    body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"


def named(name, fields):
    """The return type called ``name`` with ``fields`` (one class per name)."""
    cls = globals().get(name)
    if isinstance(cls, type) and tuple(cls._fields) == tuple(fields):
        return cls
    base = collections.namedtuple(name, fields)
    cls = type(name, (base,), {"__slots__": (), "__module__": "torch.return_types",
                               "__repr__": _repr, "__str__": _repr})
    if name not in globals():
        globals()[name] = cls
    return cls
