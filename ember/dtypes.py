"""dtype objects, PyTorch's type-promotion rules, finfo/iinfo and the NumPy mapping."""
import numpy as np

try:  # bfloat16 is an optional extra: NumPy has no native bfloat16
    import ml_dtypes as _ml_dtypes
    _np_bfloat16 = np.dtype(_ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover - depends on the environment
    _ml_dtypes = None
    _np_bfloat16 = None

# Categories order the promotion lattice: bool < integer < floating < complex.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, named and printed as PyTorch names it (``torch.float32``)."""

    __slots__ = ("name", "_np", "itemsize", "category", "is_signed", "_aliases")

    def __init__(self, name, np_dtype, itemsize, category, is_signed, aliases=()):
        self.name = name
        self._np = np_dtype
        self.itemsize = itemsize
        self.category = category
        self.is_signed = is_signed
        self._aliases = aliases

    @property
    def is_floating_point(self):
        return self.category == FLOAT

    @property
    def is_complex(self):
        return self.category == COMPLEX

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float64": complex128}.get(self.name, complex64)

    @property
    def numpy_dtype(self):
        if self._np is None:
            raise TypeError(
                "bfloat16 needs the optional package ml_dtypes (pip install 'ember[bfloat16]')")
        return self._np

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def __hash__(self):
        return hash(self.name)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other


def _dtype_by_name(name):
    return _BY_NAME[name]


bool_ = dtype("bool", np.dtype(np.bool_), 1, BOOL, False)
uint8 = dtype("uint8", np.dtype(np.uint8), 1, INT, False)
uint16 = dtype("uint16", np.dtype(np.uint16), 2, INT, False)
uint32 = dtype("uint32", np.dtype(np.uint32), 4, INT, False)
uint64 = dtype("uint64", np.dtype(np.uint64), 8, INT, False)
int8 = dtype("int8", np.dtype(np.int8), 1, INT, True)
int16 = dtype("int16", np.dtype(np.int16), 2, INT, True, ("short",))
int32 = dtype("int32", np.dtype(np.int32), 4, INT, True, ("int",))
int64 = dtype("int64", np.dtype(np.int64), 8, INT, True, ("long",))
float16 = dtype("float16", np.dtype(np.float16), 2, FLOAT, True, ("half",))
bfloat16 = dtype("bfloat16", _np_bfloat16, 2, FLOAT, True)
float32 = dtype("float32", np.dtype(np.float32), 4, FLOAT, True, ("float",))
float64 = dtype("float64", np.dtype(np.float64), 8, FLOAT, True, ("double",))
complex64 = dtype("complex64", np.dtype(np.complex64), 8, COMPLEX, True, ("cfloat",))
complex128 = dtype("complex128", np.dtype(np.complex128), 16, COMPLEX, True, ("cdouble",))

ALL = (bool_, uint8, uint16, uint32, uint64, int8, int16, int32, int64, float16, bfloat16,
       float32, float64, complex64, complex128)
_BY_NAME = {d.name: d for d in ALL}
for _d in ALL:
    for _a in _d._aliases:
        _BY_NAME[_a] = _d

_FROM_NP = {d._np: d for d in ALL if d._np is not None}


def from_numpy_dtype(np_dtype):
    """The ember dtype of a NumPy dtype; TypeError for ones PyTorch has no match for."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    np_dtype = np.dtype(np_dtype)
    if np_dtype in _FROM_NP:
        return _FROM_NP[np_dtype]
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{np_dtype}. The only supported types are: "
        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
        "and bool.")


def to_dtype(obj):
    """Accepts an ember dtype, a NumPy dtype, a Python type or a dtype name."""
    if type(obj) is dtype:
        return obj
    if obj is float:
        return _default[0]
    if obj is int:
        return int64
    if obj is bool:
        return bool_
    if obj is complex:
        return complex64 if _default[0] is float32 else complex128
    if isinstance(obj, str):
        name = obj[6:] if obj.startswith("torch.") else obj
        if name in _BY_NAME:
            return _BY_NAME[name]
        raise TypeError(f"invalid dtype name {obj!r}")
    try:
        return from_numpy_dtype(np.dtype(obj))
    except TypeError:
        raise TypeError(f"expected a dtype, but got {type(obj).__name__} {obj!r}") from None


# ---------------------------------------------------------------- default dtype
_default = [float32]


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    d = to_dtype(d)
    if d.category != FLOAT:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d


# ---------------------------------------------------------------- promotion
def _promote_same_category(a, b):
    if a is b:
        return a
    if a.category == FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if a.category == COMPLEX:
        return a if a.itemsize >= b.itemsize else b
    if a.category == BOOL:
        return a
    if a.is_signed == b.is_signed:
        return a if a.itemsize >= b.itemsize else b
    signed, unsigned = (a, b) if a.is_signed else (b, a)
    if signed.itemsize > unsigned.itemsize:
        return signed
    return {1: int16, 2: int32, 4: int64}.get(unsigned.itemsize, int64)


def promote_types(a, b):
    """``torch.promote_types``: the smallest dtype both can be cast to safely."""
    a, b = to_dtype(a), to_dtype(b)
    if a.category == b.category:
        return _promote_same_category(a, b)
    hi, lo = (a, b) if a.category > b.category else (b, a)
    if hi.category == COMPLEX and lo.category == FLOAT:
        return complex128 if (lo is float64 or hi is complex128) else hi
    return hi


def _combine_categories(higher, lower):
    # Mirrors c10's combine_categories: a higher tier keeps its dtype unless a lower tier
    # is of a higher category (e.g. an int tensor with a float scalar becomes float).
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        return higher.to_complex() if higher.category == FLOAT else lower
    if higher.category == FLOAT:
        return higher
    if higher is bool_ or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


_cache = {}


def result_type_of(entries):
    """entries: (dtype, tier) pairs; tier 0 = tensor with dims, 1 = 0-d tensor, 2 = scalar."""
    key = tuple(entries)
    hit = _cache.get(key)
    if hit is not None:
        return hit
    tiers = [None, None, None]
    for d, tier in entries:
        cur = tiers[tier]
        tiers[tier] = d if cur is None else promote_types(cur, d)
    res = _combine_categories(tiers[0], _combine_categories(tiers[1], tiers[2]))
    _cache[key] = res
    return res


def scalar_dtype(value):
    """The dtype a Python/NumPy scalar takes as a wrapped number."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default[0]
    if isinstance(value, complex):
        return complex64 if _default[0] is float32 else complex128
    if isinstance(value, np.generic):
        return from_numpy_dtype(value.dtype)
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


_TYPE_WORDS = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
               "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64", "bool": "Bool",
               "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def type_word(d):
    """PyTorch's C++ scalar-type name ('Float', 'Long' ...) used in kernel error messages."""
    name = d.name if type(d) is dtype else from_numpy_dtype(np.dtype(d)).name
    return _TYPE_WORDS[name]


def is_floating_point(t):
    return t.dtype.category == FLOAT


def is_complex(t):
    return t.dtype.category == COMPLEX


# ---------------------------------------------------------------- finfo / iinfo
class finfo:
    """Machine limits of a floating-point dtype, as ``torch.finfo``."""

    def __init__(self, type=None):
        d = _default[0] if type is None else to_dtype(type)
        if d.category not in (FLOAT, COMPLEX):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        d = d.to_real()
        info = (_ml_dtypes.finfo(d.numpy_dtype) if d is bfloat16 else np.finfo(d.numpy_dtype))
        self.dtype = d.name
        self.bits = d.itemsize * 8
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = self.tiny
        self.resolution = 10.0 ** -int(info.precision)  # PyTorch's value, exact in decimal

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype, as ``torch.iinfo``."""

    def __init__(self, type):
        d = to_dtype(type)
        if d.category not in (INT, BOOL):
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(d.numpy_dtype) if d is not bool_ else None
        self.dtype = d.name
        self.bits = d.itemsize * 8
        self.max = int(info.max) if info else 1
        self.min = int(info.min) if info else 0

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
