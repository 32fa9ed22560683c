"""Elementwise ops against torch: forward, backward, dtypes, in-place and operator forms."""
import math

import numpy as np
import pytest

from oracle import assert_same, check, check_error, gradcheck, torch

import ember

# name -> input domain: "any", "pos" (> 0), "unit" (-1, 1), "gt1" (> 1)
UNARY = {
    "abs": "any", "neg": "any", "exp": "any", "exp2": "any", "expm1": "any", "log": "pos",
    "log2": "pos", "log10": "pos", "log1p": "pos", "sqrt": "pos", "rsqrt": "pos",
    "sin": "any", "cos": "any", "tan": "any", "asin": "unit", "acos": "unit", "atan": "any",
    "sinh": "any", "cosh": "any", "tanh": "any", "asinh": "any", "acosh": "gt1",
    "atanh": "unit", "sigmoid": "any", "relu": "any", "sign": "any", "floor": "any",
    "ceil": "any", "round": "any", "trunc": "any", "frac": "any", "reciprocal": "pos",
    "square": "any", "erf": "any", "erfc": "any", "erfinv": "unit", "lgamma": "pos",
    "digamma": "pos", "sgn": "any", "fix": "any", "positive": "any", "arcsin": "unit",
    "deg2rad": "any", "rad2deg": "any", "sinc": "any", "i0": "any", "logit": "unit01",
}
# piecewise-constant ops (their gradient is zero, finite differences jump)
NO_GRADCHECK = {"sign", "floor", "ceil", "round", "trunc", "sgn", "fix", "i0"}


def domain_array(shape, domain, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    lo, hi = {"any": (-2.0, 2.0), "pos": (0.2, 3.0), "unit": (-0.9, 0.9), "gt1": (1.2, 3.0),
              "unit01": (0.05, 0.95)}[domain]
    a = rng.uniform(lo, hi, size=shape)
    if domain == "any":
        a = a + 0.05 * np.sign(a)  # keep away from kinks at 0 and integers
        a = np.where(np.abs(a - np.round(a)) < 0.05, a + 0.1, a)
    return a.astype(dtype)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(3, 4), (), (0, 3), (2, 3, 2)])
def test_unary_float32(name, shape):
    a = domain_array(shape, UNARY[name])
    grad = name not in ("i0", "sgn")  # torch's sgn gradient is a ZeroTensor
    check(lambda lib, x: getattr(lib, name)(x), [a], grad=grad)
    check(lambda lib, x: getattr(x, name)(), [a], grad=grad)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_noncontig(name):
    a = domain_array((3, 4), UNARY[name], seed=3)
    check(lambda lib, x: getattr(lib, name)(x), [a], noncontig=True,
          grad=name not in ("i0", "sgn"))


@pytest.mark.parametrize("name", sorted(set(UNARY) - NO_GRADCHECK))
def test_unary_gradcheck(name):
    a = domain_array((2, 3), UNARY[name], "float64", seed=1)
    x = ember.tensor(a, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: getattr(ember, name)(t), (x,))


@pytest.mark.parametrize("name", sorted(set(UNARY) - NO_GRADCHECK - {"abs", "relu", "frac",
                                                                     "positive"}))
def test_unary_double_backward(name):
    """The first derivative is itself differentiable: compare d/dx of it with torch."""
    a = domain_array((4,), UNARY[name], "float64", seed=2)

    def first(lib, x):
        y = getattr(lib, name)(x)
        return lib.autograd.grad(y.sum(), x, create_graph=True)[0]
    check(first, [a], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "int8", "bool", "float16",
                                   "float64", "bfloat16"])
def test_unary_dtypes(name, dtype):
    if dtype in ("float16", "bfloat16", "float64"):
        a = domain_array((5,), UNARY[name], "float32", seed=4)
    else:
        a = np.array([0, 1, 2, 3, 1]).astype(dtype) if dtype != "bool" else \
            np.array([True, False, True])

    def fn(lib, x):
        return getattr(lib, name)(lib.tensor(x).to(getattr(lib, dtype)))
    try:
        expect = fn(torch, a)
    except Exception as exc:  # noqa: BLE001 - torch refuses: ember must refuse alike
        with pytest.raises(type(exc)):
            fn(ember, a)
        return
    assert_same(fn(ember, a), expect)


@pytest.mark.parametrize("name", sorted(set(UNARY) - {"positive", "i0", "sinc"}))
def test_unary_inplace(name):
    a = domain_array((3, 4), UNARY[name], seed=5)

    def fn(lib, x):
        y = x * 1.0
        r = getattr(y, name + "_")()
        assert r is y
        return y * 2
    # torch lacks derivatives of a few in-place forms (and sgn's is a ZeroTensor)
    check(fn, [a], grad=name not in ("acosh", "asinh", "atanh", "sgn"))


def test_unary_out():
    for lib in (torch, ember):
        o = lib.zeros(3)
        r = lib.sin(lib.tensor([0.0, 1.0, 2.0]), out=o)
        assert r is o
    assert np.allclose(o.numpy(), np.sin([0.0, 1.0, 2.0]))


def test_unary_special_values():
    vals = np.array([0.0, -0.0, float("inf"), float("-inf"), float("nan"), 1.0, -1.0],
                    dtype=np.float32)
    for name in ("exp", "log", "sqrt", "abs", "sign", "tanh", "sigmoid", "atan", "floor",
                 "reciprocal", "rsqrt", "erf", "erfinv", "relu", "frac", "round", "lgamma"):
        check(lambda lib, x: getattr(lib, name)(x), [vals], grad=False)


def test_round_decimals():
    a = np.array([1.2345, -2.5, 0.5, 1.5, 123.456], dtype=np.float32)
    check(lambda lib, x: lib.round(x), [a])
    check(lambda lib, x: lib.round(x, decimals=2), [a], rtol=1e-6)
    check(lambda lib, x: lib.round(x, decimals=-1), [a])


# ================================================================ binary ops
BINARY = ["add", "sub", "mul", "div", "pow", "atan2", "hypot", "fmod", "remainder",
          "floor_divide", "maximum", "minimum", "fmax", "fmin", "true_divide", "copysign",
          "logaddexp", "xlogy", "float_power"]
NONDIFF = {"floor_divide"}


def _binary_arrays(name, shapes, dtype="float32", seed=0):
    a = domain_array(shapes[0], "pos" if name in ("pow", "xlogy", "float_power") else "any",
                     dtype, seed)
    b = domain_array(shapes[1], "any", dtype, seed + 1)
    if name in ("fmod", "remainder", "floor_divide", "div", "true_divide"):
        b = np.where(np.abs(b) < 0.3, 0.7, b).astype(dtype)
    if name == "xlogy":
        b = np.abs(b) + 0.2
    return a, b


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", [[(3, 4), (3, 4)], [(3, 4), (4,)], [(2, 1, 4), (3, 1)],
                                    [(), (3,)], [(3,), ()], [(0, 4), (4,)]])
def test_binary(name, shapes):
    a, b = _binary_arrays(name, shapes)
    check(lambda lib, x, y: getattr(lib, name)(x, y), [a, b], grad=name not in NONDIFF)
    check(lambda lib, x, y: getattr(x, name)(y), [a, b], grad=name not in NONDIFF)


@pytest.mark.parametrize("name", BINARY)
def test_binary_noncontig_and_gradcheck(name):
    a, b = _binary_arrays(name, [(3, 4), (3, 4)], seed=7)
    check(lambda lib, x, y: getattr(lib, name)(x, y), [a, b], noncontig=True,
          grad=name not in NONDIFF)
    if name in NONDIFF:
        return
    a, b = _binary_arrays(name, [(2, 3), (3,)], "float64", seed=8)
    xa = ember.tensor(a, requires_grad=True)
    xb = ember.tensor(b, requires_grad=True)
    assert ember.autograd.gradcheck(lambda s, t: getattr(ember, name)(s, t), (xa, xb))


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("scalar", [2, 0.5, -1.5, True])
def test_binary_scalar(name, scalar):
    a, _ = _binary_arrays(name, [(3, 4), (1,)])
    try:
        getattr(torch, name)(torch.tensor(a), scalar)
    except Exception as exc:  # noqa: BLE001 - torch refuses a number here: so must ember
        check_error(lambda lib: getattr(lib, name)(lib.tensor(a), scalar), type(exc))
        return
    check(lambda lib, x: getattr(lib, name)(x, scalar), [a], grad=name not in NONDIFF)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "atan2", "remainder",
                                  "fmod", "floor_divide", "maximum", "minimum", "hypot"])
@pytest.mark.parametrize("da,db", [("int64", "int64"), ("int32", "float32"),
                                   ("uint8", "int8"), ("bool", "int64"), ("float16", "float64"),
                                   ("int16", "float16"), ("bool", "bool"), ("uint8", "bool")])
def test_binary_dtypes(name, da, db):
    a = np.array([[1, 2, 3], [4, 5, 1]]).astype(da)
    b = np.array([2, 1, 3]).astype(db)

    def fn(lib, x, y):
        return getattr(lib, name)(lib.tensor(x), lib.tensor(y))
    try:
        expect = fn(torch, a, b)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            fn(ember, a, b)
        return
    assert_same(fn(ember, a, b), expect)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "remainder", "fmod",
                                  "floor_divide", "maximum", "atan2"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16", "bfloat16"])
@pytest.mark.parametrize("scalar", [3, 2.5, True])
def test_binary_tensor_scalar_dtypes(name, dtype, scalar):
    a = np.array([1, 2, 3, 4]).astype(dtype if dtype != "bfloat16" else "float32")

    def fn(lib, x):
        return getattr(lib, name)(lib.tensor(x).to(getattr(lib, dtype)), scalar)
    try:
        expect = fn(torch, a)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            fn(ember, a)
        return
    assert_same(fn(ember, a), expect)


def test_int_division_semantics():
    a = np.array([7, -7, 7, -7, 0])
    b = np.array([2, 2, -2, -2, 3])
    for fn in (lambda lib, x, y: x / y, lambda lib, x, y: x // y, lambda lib, x, y: x % y,
               lambda lib, x, y: lib.fmod(x, y), lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"),
               lambda lib, x, y: lib.div(x, y, rounding_mode="floor"),
               lambda lib, x, y: lib.remainder(x, 3), lambda lib, x, y: 7 // y,
               lambda lib, x, y: -7 % y, lambda lib, x, y: x.float() // y):
        check(fn, [a, b])
    check_error(lambda lib: lib.tensor([1, 2]) // lib.tensor([0, 1]), RuntimeError)
    check_error(lambda lib: lib.div(lib.tensor([1.0]), 2, rounding_mode="bad"), RuntimeError)
    check_error(lambda lib: lib.tensor([2, 3]) ** -1, RuntimeError)


def test_float_division_by_zero():
    a = np.array([1.0, -1.0, 0.0], dtype=np.float32)
    check(lambda lib, x: x / 0, [a], grad=False)
    check(lambda lib, x: x // 0.0, [a], grad=False)
    check(lambda lib, x: lib.fmod(x, 0.0), [a], grad=False)
    check(lambda lib, x: lib.remainder(x, 0.0), [a], grad=False)


def test_pow_variants():
    a = domain_array((3, 4), "pos", seed=1)
    for e in (0, 1, 2, 3, 0.5, -1, -2.5, 1 / 3):
        check(lambda lib, x: x ** e, [a])
        check(lambda lib, x: lib.pow(x, e), [a])
    check(lambda lib, x: 2 ** x, [a])
    check(lambda lib, x: 0.5 ** x, [a])
    check(lambda lib, x: lib.pow(2.0, x), [a])
    check(lambda lib, x: lib.tensor(2.0) ** x, [a])
    z = np.array([0.0, 1.0, 2.0, 0.0])
    check(lambda lib, x, y: lib.pow(x, y), [z, np.array([2.0, 0.0, 1.5, 0.0])])
    check(lambda lib, x: x ** 0, [z])
    check(lambda lib, x: x ** 2, [np.array([-1.0, 0.0, 3.0])])
    gradcheck(lambda lib, x: 3.0 ** x, [(2, 3)])
    gradcheck(lambda lib, x: x ** 2.5, [(2, 3)], positive=True)
    check(lambda lib, x: lib.pow(x, 2), [np.array([1, 2, -3])])
    check(lambda lib, x: lib.pow(2, x), [np.array([1, 2, 3])])
    check(lambda lib, x: lib.pow(x, 0.5), [np.array([1, 4, 9])])


# ================================================================ operator forms
def test_reflected_operators():
    a = domain_array((3, 4), "pos", seed=2)
    for fn in (lambda lib, x: 2 - x, lambda lib, x: 2 + x, lambda lib, x: 2 * x,
               lambda lib, x: 1 / x, lambda lib, x: 2 ** x, lambda lib, x: x.floor(),
               lambda lib, x: 2.5 - x, lambda lib, x: -x, lambda lib, x: +x,
               lambda lib, x: abs(x - 1), lambda lib, x: 3 - x * 2, 
               lambda lib, x: lib.rsub(x, 2, alpha=3), lambda lib, x: lib.sub(x, 2, alpha=2),
               lambda lib, x: lib.add(x, x, alpha=0.5), lambda lib, x: lib.sub(x, x * 2, alpha=2)):
        check(fn, [a])
    for fn in (lambda lib, x: 5 % x, lambda lib, x: 5 // x, lambda lib, x: x // 2):
        check(fn, [a], grad=False)  # torch: "derivative for aten::... is not implemented"
        y = fn(ember, ember.tensor(a, requires_grad=True))
        assert y.grad_fn.name() == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::"):
            y.sum().backward()
    i = np.array([1, 2, 3])
    for fn in (lambda lib, x: 2 - x, lambda lib, x: 1 / x, lambda lib, x: 2 ** x,
               lambda lib, x: 7 // x, lambda lib, x: 7 % x, lambda lib, x: 1.5 * x,
               lambda lib, x: 1 << x, lambda lib, x: 64 >> x, lambda lib, x: x << 2,
               lambda lib, x: x >> 1, lambda lib, x: ~x, lambda lib, x: 6 & x,
               lambda lib, x: 6 | x, lambda lib, x: 6 ^ x, lambda lib, x: -x):
        check(fn, [i])


def test_matmul_operators():
    check(lambda lib, x, y: x @ y, [(3, 4), (4, 2)])
    check(lambda lib, x, y: x @ y, [(4,), (4,)])
    check(lambda lib, x, y: x.__rmatmul__(y), [(3, 2), (4, 3)])


def test_inplace_operators():
    def fn(lib, x, y):
        z = x * 1
        z += y
        z -= 0.5
        z *= y
        z /= 2
        z **= 2
        w = z.detach().clone()  # torch defines no derivative for //
        w //= 0.7
        w %= 0.9
        return z + w
    check(fn, [(3, 4), (4,)])

    def ints(lib, x, y):
        z = x.clone()
        z &= y
        z |= 4
        z ^= y
        z <<= 1
        z >>= 1
        z += 2
        return z
    check(ints, [np.array([1, 5, 7]), np.array([3, 3, 2])])


def test_inplace_methods_binary():
    for name, other in [("add_", 2), ("sub_", 1.5), ("mul_", 3), ("div_", 2), ("pow_", 2),
                        ("atan2_", None), ("hypot_", None), ("fmod_", 0.7),
                        ("remainder_", 0.7), 
                        ("copysign_", -1.0), ("xlogy_", 2.0), ("clamp_", None),
                        ("lerp_", None), ("addcmul_", None), ("addcdiv_", None),
                        ("float_power_", None), ("true_divide_", 2)]:
        def fn(lib, x, y):
            z = x * 1.0
            if name in ("atan2_", "hypot_"):
                r = getattr(z, name)(y)
            elif name == "clamp_":
                r = z.clamp_(-0.5, 0.5)
            elif name == "lerp_":
                r = z.lerp_(y, 0.3)
            elif name in ("addcmul_", "addcdiv_"):
                r = getattr(z, name)(y, y + 3, value=0.5)
            elif name == "float_power_":
                return None
            else:
                r = getattr(z, name)(other)
            assert r is z
            return z * y
        check(fn, [domain_array((3, 4), "pos", seed=3), (4,)])


def test_inplace_dtype_rules():
    check_error(lambda lib: lib.tensor([1, 2]).add_(1.5), RuntimeError)
    check_error(lambda lib: lib.tensor([1, 2]).div_(2), RuntimeError)
    check_error(lambda lib: lib.tensor([1, 2]).sin_(), RuntimeError)
    check_error(lambda lib: lib.ones(3).add_(lib.ones(2, 3)), RuntimeError)
    check_error(lambda lib: lib.ones(3, requires_grad=True).add_(1), RuntimeError)
    for lib in (torch, ember):
        t = lib.tensor([1.0, 2.0])
        t += lib.tensor([1, 2])  # an int tensor into float: allowed
        assert t.dtype == lib.float32
        u = lib.tensor([1, 2], dtype=lib.int32)
        u += lib.tensor(3)  # 0-d int64 does not widen
        assert u.dtype == lib.int32
    assert t.tolist() == [2.0, 4.0]


def test_inplace_on_view_propagates():
    def fn(lib, x):
        y = x * 1
        y[0].mul_(3)
        y[:, 1].exp_()
        return y
    check(fn, [(3, 4)])


# ================================================================ compare / logical / bitwise
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "greater", "less_equal",
                                  "not_equal", "greater_equal", "less"])
def test_comparisons(name):
    a = np.array([[1.0, 2.0, float("nan")], [3.0, -1.0, 2.0]], np.float32)
    b = np.array([2.0, 2.0, float("nan")], np.float32)
    check(lambda lib, x, y: getattr(lib, name)(x, y), [a, b], grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 2), [a], grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 2.5), [np.array([1, 2, 3])], grad=False)
    check(lambda lib, x, y: getattr(lib, name)(x, y), [np.array([1, 2, 3], np.uint8),
                                                      np.array([1, -2, 5], np.int8)], grad=False)
    ops = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__",
           "ge": "__ge__"}
    if name in ops:
        check(lambda lib, x: getattr(x, ops[name])(1.0), [a], grad=False)

        def inpl(lib, x, y):
            z = x.clone()
            getattr(z, name + "_")(y)
            return z
        check(inpl, [a, b], grad=False)


def test_reflected_comparisons():
    a = np.array([1.0, 2.0, 3.0], np.float32)
    for fn in (lambda lib, x: 2 < x, lambda lib, x: 2 >= x, lambda lib, x: 2 == x,
               lambda lib, x: 2 != x, lambda lib, x: x == None):  # noqa: E711
        e = fn(ember, ember.tensor(a))
        t = fn(torch, torch.tensor(a))
        if isinstance(t, torch.Tensor):
            assert_same(e, t)
        else:
            assert e == t


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical(name):
    a = np.array([0.0, 1.0, 2.0, 0.0], np.float32)
    b = np.array([0, 0, 3, 5])
    check(lambda lib, x, y: getattr(lib, name)(x, y), [a, b], grad=False)
    check(lambda lib, x, y: getattr(x, name)(y), [b, np.array([True, False, True, False])],
          grad=False)

    def inpl(lib, x, y):
        z = x.clone()
        getattr(z, name + "_")(y)
        return z
    check(inpl, [a, b], grad=False)
    check(inpl, [np.array([1, 0, 3, 0]), b], grad=False)


def test_logical_not():
    for a in (np.array([0.0, 1.5]), np.array([0, 3]), np.array([True, False])):
        check(lambda lib, x: lib.logical_not(x), [a], grad=False)

        def inpl(lib, x):
            z = x.clone()
            z.logical_not_()
            return z
        check(inpl, [a], grad=False)


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor",
                                  "bitwise_left_shift", "bitwise_right_shift"])
@pytest.mark.parametrize("da,db", [("int64", "int64"), ("uint8", "int8"), ("bool", "bool"),
                                   ("int32", "int64"), ("bool", "int16"), ("float32", "int64")])
def test_bitwise(name, da, db):
    a = np.array([1, 6, 3, 0]).astype(da)
    b = np.array([1, 2, 0, 1]).astype(db)

    def fn(lib, x, y):
        return getattr(lib, name)(lib.tensor(x), lib.tensor(y))
    try:
        expect = fn(torch, a, b)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            fn(ember, a, b)
        return
    assert_same(fn(ember, a, b), expect)
    other = 1 if da != "bool" else True
    try:
        expect = fn(torch, a, other)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(type(exc)):
            fn(ember, a, other)
        return
    assert_same(fn(ember, a, other), expect)


def test_bitwise_not():
    for a in (np.array([0, 5, -3]), np.array([True, False]), np.array([0, 200], np.uint8)):
        check(lambda lib, x: lib.bitwise_not(x), [a])
        check(lambda lib, x: ~x, [a])
    check_error(lambda lib: ~lib.tensor([1.0]), TypeError)


def test_bool_arithmetic():
    a = np.array([True, False, True])
    b = np.array([True, True, False])
    for fn in (lambda lib, x, y: x + y, lambda lib, x, y: x * y, lambda lib, x, y: x + 1,
               lambda lib, x, y: x & y, lambda lib, x, y: x | y, lambda lib, x, y: x ^ y,
               lambda lib, x, y: x / y, lambda lib, x, y: x + 1.5, lambda lib, x, y: x.sum(),
               lambda lib, x, y: lib.maximum(x, y)):
        check(fn, [a, b])
    check_error(lambda lib: lib.tensor([True]) - lib.tensor([False]), RuntimeError)
    check_error(lambda lib: -lib.tensor([True]), RuntimeError)


# ================================================================ clamp / where / lerp / addc*
@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (None, 0.3), (-0.2, None), (1.0, -1.0),
                                    (0, 1)])
def test_clamp_scalar(bounds):
    lo, hi = bounds
    check(lambda lib, x: lib.clamp(x, lo, hi), [(3, 4)])
    check(lambda lib, x: x.clip(min=lo, max=hi), [(3, 4)], noncontig=True)
    check(lambda lib, x: x.clamp(lo, hi), [np.array([-3, 0, 2, 5])])
    gradcheck(lambda lib, x: lib.clamp(x, lo, hi), [(2, 5)])


def test_clamp_tensor_bounds():
    check(lambda lib, x, lo, hi: lib.clamp(x, lo, hi), [(3, 4), (4,), (3, 1)])
    check(lambda lib, x, lo: lib.clamp(x, min=lo), [(3, 4), (4,)])
    check(lambda lib, x, hi: lib.clamp(x, max=hi), [(3, 4), ()])
    check(lambda lib, x, lo: lib.clamp_min(x, lo), [(3, 4), (4,)])
    check(lambda lib, x: lib.clamp_max(x, 0.1), [(3, 4)])
    check(lambda lib, x: x.clamp(lib.tensor(2), lib.tensor(4)), [np.array([1, 3, 5])])
    check_error(lambda lib: lib.clamp(lib.ones(2)), RuntimeError)

    def inpl(lib, x, lo):
        z = x * 1
        z.clamp_(min=lo)
        return z
    check(inpl, [(3, 4), (4,)])


def test_where():
    c = np.array([[True, False, True, False]] * 3)
    check(lambda lib, c, x, y: lib.where(c, x, y), [c, (3, 4), (4,)])
    check(lambda lib, c, x: lib.where(c, x, 0.0), [c, (3, 4)])
    check(lambda lib, c, y: lib.where(c, 1.5, y), [c, (1, 4)])
    check(lambda lib, c: lib.where(c, 1, 0), [c])
    check(lambda lib, c: lib.where(c, 1.0, 0), [c])
    check(lambda lib, c, x: lib.where(c, x, 2), [c, np.array([1, 2, 3, 4], np.int32)])
    check(lambda lib, c, x, y: lib.where(c, x, y), [c, np.ones(4, np.float64),
                                                    np.ones(4, np.float32)])
    check(lambda lib, c, x: x.where(c, -x), [c, (3, 4)])
    check(lambda lib, c: lib.where(c), [c])
    gradcheck(lambda lib, x, y: lib.where(x > 0, x, y), [(3, 4), (4,)])
    check_error(lambda lib: lib.where(lib.ones(2), lib.ones(2), lib.zeros(2)), RuntimeError)


def test_lerp_addcmul_addcdiv():
    check(lambda lib, a, b: lib.lerp(a, b, 0.3), [(3, 4), (4,)])
    check(lambda lib, a, b, w: lib.lerp(a, b, w), [(3, 4), (3, 4), (4,)])
    check(lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5), [(3, 4), (4,), (3, 1)])
    check(lambda lib, a, b, c: lib.addcmul(a, b, c), [(3, 4), (4,), (3, 1)])
    check(lambda lib, a, b, c: lib.addcdiv(a, b, c + 3, value=-2), [(3, 4), (4,), (3, 1)])
    check(lambda lib, a, b, c: a.addcdiv(b, c + 3), [(3, 4), (3, 4), (3, 4)], noncontig=True)
    check(lambda lib, a, b, c: lib.addcmul(a, b, c, value=2),
          [np.array([1, 2]), np.array([3, 4]), np.array([5, 6])])
    gradcheck(lambda lib, a, b, w: lib.lerp(a, b, w), [(2, 3), (2, 3), (3,)])
    gradcheck(lambda lib, a, b, c: lib.addcdiv(a, b, c + 3, value=0.5), [(2, 3), (3,), (2, 1)])
    gradcheck(lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5), [(2, 3), (3,), (2, 1)])


def test_nan_to_num():
    a = np.array([1.0, float("nan"), float("inf"), float("-inf"), -2.0], np.float32)
    check(lambda lib, x: lib.nan_to_num(x), [a])
    check(lambda lib, x: lib.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-3.0), [a])
    check(lambda lib, x: x.nan_to_num(posinf=5.0), [a.astype(np.float64)])
    check(lambda lib, x: lib.nan_to_num(x), [a.astype(np.float16)])
    check(lambda lib, x: lib.nan_to_num(x), [np.array([1, 2])])

    def inpl(lib, x):
        z = x * 1
        z.nan_to_num_(0.5)
        return z
    check(inpl, [a])


def test_predicates():
    a = np.array([1.0, float("nan"), float("inf"), float("-inf"), -0.0], np.float32)
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "isreal"):
        check(lambda lib, x: getattr(lib, name)(x), [a])
        check(lambda lib, x: getattr(x, name)(), [np.array([1, -2, 3])])
        check(lambda lib, x: getattr(lib, name)(x), [a.astype(np.float16)])


def test_isclose_allclose_equal():
    a = np.array([1.0, 2.0, float("nan")], np.float32)
    b = np.array([1.0 + 1e-7, 2.1, float("nan")], np.float32)
    check(lambda lib, x, y: lib.isclose(x, y), [a, b])
    check(lambda lib, x, y: lib.isclose(x, y, equal_nan=True, atol=0.2), [a, b])
    for lib in (torch, ember):
        assert not lib.allclose(lib.tensor(a), lib.tensor(b))
        assert lib.allclose(lib.tensor(a), lib.tensor(b), atol=0.2, equal_nan=True)
        assert lib.equal(lib.tensor([1, 2]), lib.tensor([1, 2]))
        assert not lib.equal(lib.tensor([1, 2]), lib.tensor([1, 2, 3]))


# ================================================================ grad_fn names and errors
def test_grad_fn_names():
    def names(lib):
        x = lib.ones(2, requires_grad=True)
        y = lib.ones(2, requires_grad=True)
        outs = [x + y, x - y, x * y, x / y, x ** 2, x ** y, 2 ** x, 2 - x, x.exp(), x.sin(),
                lib.maximum(x, y), lib.atan2(x, y), x.sigmoid(), x.relu(), x.abs(), -x,
                x.clamp(0, 1), lib.where(x > 0, x, y), x.tanh(), x.sqrt(), x.square(),
                lib.lerp(x, y, 0.5), lib.addcmul(x, x, y), lib.addcdiv(x, x, y),
                lib.hypot(x, y), lib.fmod(x, 2), lib.remainder(x, y), x.reciprocal(),
                x.floor(), x.round(), x.frac(), x.erfinv() if False else x.erf(), x.log1p()]
        return [o.grad_fn.name() for o in outs]
    assert names(ember) == names(torch)


def test_shape_mismatch_error():
    check_error(lambda lib: lib.ones(2, 3) + lib.ones(4), RuntimeError,
                match=r"size of tensor a \(3\) must match the size of tensor b \(4\)")
    check_error(lambda lib: lib.ones(2, 3) * lib.ones(3, 3), RuntimeError)
    check_error(lambda lib: lib.maximum(lib.ones(2), lib.ones(3)), RuntimeError)
    check_error(lambda lib: lib.ones(2) + "a", TypeError)


def test_erfinv_edges_and_accuracy():
    y = np.linspace(-0.999, 0.999, 101)
    check(lambda lib, x: lib.erfinv(x), [y], rtol=1e-8, atol=1e-10)
    check(lambda lib, x: lib.erfinv(x), [np.array([-1.0, 1.0, 0.0, 1.5])], grad=False)


def test_lgamma_digamma_negative():
    a = np.array([-2.5, -0.5, 0.5, 3.0, 10.0, 100.0])
    check(lambda lib, x: lib.lgamma(x), [a])
    check(lambda lib, x: lib.digamma(x), [a], rtol=1e-7)
    check(lambda lib, x: lib.polygamma(1, x), [np.array([0.5, 3.0, 10.0])], rtol=1e-7)
    check(lambda lib, x: lib.digamma(x), [np.array([0.0, -1.0])], grad=False)
