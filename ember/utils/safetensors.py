"""safetensors files (the `safetensors` package, an optional extra: ``ember[safetensors]``).

``save_file``/``load_file`` mirror ``safetensors.torch``: a flat dict of named tensors plus
string metadata. Files written here load with ``safetensors.torch.load_file`` and files from
any safetensors writer load here.
"""
import os
import tempfile

import numpy as np

from ..tensor import Tensor

__all__ = ["save_file", "load_file", "save", "load", "save_model", "load_model"]

_CODES = {"float32": "F32", "float64": "F64", "float16": "F16", "bfloat16": "BF16",
          "int64": "I64", "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8",
          "uint16": "U16", "uint32": "U32", "uint64": "U64", "bool": "BOOL",
          "complex64": "C64"}


def _lib():
    try:
        import safetensors
    except ImportError:
        raise ImportError("safetensors support needs the optional package safetensors "
                          "(pip install 'ember[safetensors]')") from None
    return safetensors


def _records(tensors, keep):
    """What the serializer takes: TensorSpec records (safetensors >= 0.8) or dicts (older)."""
    spec = getattr(_lib(), "TensorSpec", None)
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, Tensor] but received {type(tensors)}")
    out = {}
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise ValueError(f"Key `{name}` is invalid, expected str but received {type(name)}")
        if not isinstance(t, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected Tensor but received {type(t)}")
        a = np.ascontiguousarray(t.detach()._host())
        keep.append(a)  # the serializer reads raw pointers: keep the buffers alive
        if spec is not None:
            out[name] = spec(dtype=t.dtype.name, shape=list(a.shape), data_ptr=a.ctypes.data,
                             data_len=a.nbytes)
        else:
            out[name] = {"dtype": _CODES[t.dtype.name], "shape": list(a.shape),
                         "data": a.reshape(-1).view(np.uint8).tobytes()}
    return out


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors."""
    keep = []
    return bytes(_lib().serialize(_records(tensors, keep), metadata=metadata))


def save_file(tensors, filename, metadata=None):
    """Write a dict of tensors to ``filename`` (atomically: temporary file, then rename)."""
    lib = _lib()
    path = os.fspath(filename)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", dir=folder)
    os.close(fd)
    try:
        keep = []
        lib.serialize_file(_records(tensors, keep), tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _to_tensor(a, device):
    from ..ops.creation import from_numpy
    t = from_numpy(np.array(a, copy=True) if not a.flags.writeable else a)
    return t if device in (None, "cpu") else t.to(device)


def load_file(filename, device="cpu"):
    """Read every tensor of a safetensors file into a dict."""
    _lib()
    from safetensors import safe_open
    out = {}
    with safe_open(os.fspath(filename), framework="np") as f:
        for k in f.keys():
            out[k] = _to_tensor(f.get_tensor(k), device)
    return out


def load(data):
    """Tensors from safetensors bytes."""
    _lib()
    import safetensors.numpy as snp
    return {k: _to_tensor(v, "cpu") for k, v in snp.load(data).items()}


def save_model(model, filename, metadata=None, force_contiguous=False):
    """Save ``model.state_dict()``; tied weights are written once per name."""
    save_file({k: v for k, v in model.state_dict().items()}, filename, metadata)


def load_model(model, filename, strict=True, device="cpu"):
    """Load a safetensors file into ``model``; returns (missing, unexpected) key lists."""
    res = model.load_state_dict(load_file(filename, device), strict=strict)
    return res.missing_keys, res.unexpected_keys

