"""Random sampling: shapes/dtypes/errors as torch, determinism under seeds, and statistics."""
import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _meta(t):
    return tuple(t.shape), str(t.dtype).replace("torch.", ""), t.requires_grad


def same_meta_or_error(fn, message=True):
    """fn(lib) -> tensor metadata / python values equal in both libraries, or same error."""
    res = []
    for lib in (torch, ember):
        try:
            res.append(("ok", fn(lib)))
        except Exception as exc:  # noqa: BLE001 - compared below
            res.append(("err", type(exc).__name__, str(exc) if message else ""))
    assert res[0] == res[1], f"\ntorch: {res[0]}\nember: {res[1]}"


META = {
    "rand": lambda lib: _meta(lib.rand(2, 3)),
    "rand_tuple_f64": lambda lib: _meta(lib.rand((2, 3), dtype=lib.float64)),
    "rand_size_kw": lambda lib: _meta(lib.rand(size=(4,))),
    "rand_requires_grad": lambda lib: _meta(lib.rand(2, requires_grad=True)),
    "rand_f16": lambda lib: _meta(lib.rand(3, dtype=lib.float16)),
    "randn_f16": lambda lib: _meta(lib.randn(4, dtype=lib.float16)),
    "randn_empty": lambda lib: _meta(lib.randn(0, 3)),
    "randint": lambda lib: _meta(lib.randint(3, 10, (2, 2))),
    "randint_high_only": lambda lib: _meta(lib.randint(10, (5,))),
    "randint_float": lambda lib: _meta(lib.randint(0, 10, (5,), dtype=lib.float32)),
    "randint_size_kw": lambda lib: _meta(lib.randint(2, 5, size=(3,))),
    "randperm": lambda lib: (_meta(lib.randperm(5)), sorted(lib.randperm(5).tolist())),
    "randperm_f32": lambda lib: _meta(lib.randperm(5, dtype=lib.float32)),
    "normal_tensors": lambda lib: _meta(lib.normal(lib.zeros(3), lib.ones(3))),
    "normal_tensor_float": lambda lib: _meta(lib.normal(lib.zeros(3, dtype=lib.float64), 2.)),
    "normal_float_tensor": lambda lib: _meta(lib.normal(0.0, lib.ones(2, 2))),
    "normal_floats_size": lambda lib: _meta(lib.normal(1.0, 2.0, (3, 2))),
    "normal_floats_dtype": lambda lib: _meta(lib.normal(1., 2., size=(3,), dtype=lib.float64)),
    "normal_broadcast": lambda lib: _meta(lib.normal(lib.zeros(3, 1), lib.ones(4))),
    "bernoulli": lambda lib: (_meta(lib.bernoulli(lib.full((3,), 0.5))),
                              lib.bernoulli(lib.ones(4)).tolist(),
                              lib.bernoulli(lib.zeros(2)).tolist()),
    "bernoulli_p": lambda lib: lib.bernoulli(lib.zeros(3), p=1.0).tolist(),
    "bernoulli_f64": lambda lib: _meta(lib.bernoulli(lib.full((3,), .5, dtype=lib.float64))),
    "multinomial": lambda lib: _meta(lib.multinomial(lib.tensor([.2, .8]), 4, True)),
    "multinomial_2d": lambda lib: _meta(lib.multinomial(lib.ones(3, 5), 2)),
    "multinomial_certain": lambda lib: lib.multinomial(lib.tensor([0., 1., 0.]), 1).tolist(),
    "rand_like": lambda lib: _meta(lib.rand_like(lib.ones(2, dtype=lib.float64))),
    "randn_like": lambda lib: _meta(lib.randn_like(lib.ones(2, 3))),
    "randint_like": lambda lib: _meta(lib.randint_like(lib.ones(2, 3), 5)),
    "randint_like_low_high": lambda lib: _meta(lib.randint_like(lib.ones(2, dtype=lib.int32),
                                                                3, 5)),
    "randn_out": lambda lib: (lambda o: (lib.randn(2, 2, out=o), _meta(o))[1])(lib.empty(0)),
    "in_place_version": lambda lib: (lambda t: (t.uniform_(), t._version)[1])(lib.ones(2)),
    "default_seed": lambda lib: lib.Generator().initial_seed(),
    "generator_device": lambda lib: str(lib.Generator().device),
    "manual_seed_returns_generator": lambda lib: type(lib.manual_seed(3)).__name__,
    "seed_is_int": lambda lib: type(lib.seed()).__name__,
    "state_is_bytes": lambda lib: (lambda s: (str(s.dtype), s.dim()))(lib.get_rng_state()),
}

ERRORS = {
    "rand_int_dtype": lambda lib: lib.rand(2, dtype=lib.int64),
    "randn_int_dtype": lambda lib: lib.randn(2, dtype=lib.int32),
    "rand_like_int": lambda lib: lib.rand_like(lib.ones(2, dtype=lib.int64)),
    "rand_negative": lambda lib: lib.rand(-1),
    "randint_empty_range": lambda lib: lib.randint(5, 3, (2,)),
    "randperm_negative": lambda lib: lib.randperm(-1),
    "normal_negative_std": lambda lib: lib.normal(lib.zeros(2), -1.0),
    "normal_negative_std_size": lambda lib: lib.normal(0., -1.0, (2,)),
    "bernoulli_bad_p": lambda lib: lib.bernoulli(lib.full((3,), 1.5)),
    "multinomial_too_many": lambda lib: lib.multinomial(lib.ones(3), 4),
    "multinomial_negative": lambda lib: lib.multinomial(lib.tensor([-1., 2.]), 1),
    "multinomial_zero_sum": lambda lib: lib.multinomial(lib.tensor([0., 0.]), 1),
    "multinomial_3d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial_int": lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    "uniform_bad_range": lambda lib: lib.empty(3).uniform_(3, 2),
    "normal_bad_std": lambda lib: lib.empty(3).normal_(0, -1),
    "random_bad_range": lambda lib: lib.empty(3).random_(5, 2),
    "exponential_bad": lambda lib: lib.empty(3).exponential_(-1.0),
    "geometric_bad": lambda lib: lib.empty(3).geometric_(1.5),
    "log_normal_bad": lambda lib: lib.empty(3).log_normal_(0, -1),
    "in_place_on_leaf": lambda lib: lib.ones(2, requires_grad=True).normal_(),
}


@pytest.mark.parametrize("name", sorted(META))
def test_shapes_dtypes_like_torch(name):
    same_meta_or_error(META[name])


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_like_torch(name):
    same_meta_or_error(ERRORS[name])


def test_randint_missing_size_is_type_error():
    same_meta_or_error(lambda lib: lib.randint(5), message=False)


@pytest.mark.parametrize("call", [
    lambda g: ember.rand(5, generator=g), lambda g: ember.randn(2, 3, generator=g),
    lambda g: ember.randint(0, 100, (6,), generator=g), lambda g: ember.randperm(8, generator=g),
    lambda g: ember.normal(ember.zeros(4), ember.ones(4), generator=g),
    lambda g: ember.bernoulli(ember.full((6,), 0.5), generator=g),
    lambda g: ember.multinomial(ember.ones(2, 6), 3, generator=g),
    lambda g: ember.empty(5).exponential_(generator=g),
    lambda g: ember.empty(5).uniform_(-1, 1, generator=g)])
def test_same_seed_same_numbers(call):
    a = call(ember.Generator().manual_seed(123)).tolist()
    b = call(ember.Generator().manual_seed(123)).tolist()
    c = call(ember.Generator().manual_seed(124)).tolist()
    assert a == b and a != c


def test_global_seed_and_rng_state():
    ember.manual_seed(7)
    a = ember.rand(4).tolist()
    ember.manual_seed(7)
    assert ember.rand(4).tolist() == a
    assert ember.initial_seed() == 7
    state = ember.get_rng_state()
    x = ember.randn(3).tolist()
    ember.set_rng_state(state)
    assert ember.randn(3).tolist() == x
    with ember.random.fork_rng():
        ember.rand(10)
    assert ember.randn(3).tolist() != x  # fork_rng restored the state after `x` was drawn
    with pytest.raises(TypeError):
        ember.set_rng_state([1, 2])


def test_generators_are_independent():
    g = ember.Generator().manual_seed(0)
    first = ember.rand(3, generator=g).tolist()
    ember.manual_seed(0)
    ember.rand(100)  # the default generator does not touch g
    g2 = ember.Generator().manual_seed(0)
    assert ember.rand(3, generator=g2).tolist() == first
    st = g.get_state()
    v = ember.rand(2, generator=g).tolist()
    g.set_state(st)
    assert ember.rand(2, generator=g).tolist() == v
    with pytest.raises(TypeError):
        ember.rand(2, generator=123)


def test_float32_sampling_stays_float32():
    for t in (ember.rand(8), ember.randn(8), ember.normal(0., 1., (8,)),
              ember.empty(8).uniform_(), ember.empty(8).normal_(),
              ember.empty(8).exponential_(), ember.empty(8).log_normal_(),
              ember.empty(8).cauchy_(), ember.empty(8).bernoulli_(0.3)):
        assert t.dtype is ember.float32 and t._data.dtype == np.float32


N = 200_000


@pytest.mark.parametrize("name,make,mean,var", [
    ("rand", lambda: ember.rand(N), 0.5, 1 / 12),
    ("randn", lambda: ember.randn(N), 0.0, 1.0),
    ("randn_f64", lambda: ember.randn(N, dtype=ember.float64), 0.0, 1.0),
    ("normal_floats", lambda: ember.normal(2.0, 3.0, (N,)), 2.0, 9.0),
    ("normal_tensors", lambda: ember.normal(ember.full((N,), -1.), ember.full((N,), .5)),
     -1.0, 0.25),
    ("uniform_", lambda: ember.empty(N).uniform_(-2, 4), 1.0, 3.0),
    ("normal_", lambda: ember.empty(N).normal_(1, 2), 1.0, 4.0),
    ("exponential_", lambda: ember.empty(N).exponential_(4.0), 0.25, 1 / 16),
    ("bernoulli", lambda: ember.bernoulli(ember.full((N,), 0.3)), 0.3, 0.21),
    ("bernoulli_", lambda: ember.empty(N).bernoulli_(0.7), 0.7, 0.21),
    ("geometric_", lambda: ember.empty(N).geometric_(0.25), 4.0, 0.75 / 0.0625),
    ("log_normal_", lambda: ember.empty(N).log_normal_(0.0, 0.5),
     float(np.exp(0.125)), float((np.exp(0.25) - 1) * np.exp(0.25))),
    ("randint", lambda: ember.randint(0, 10, (N,)).double(), 4.5, 99 / 12),
    ("random_to", lambda: ember.empty(N).random_(6), 2.5, 35 / 12),
    ("random_from_to", lambda: ember.empty(N, dtype=ember.int32).random_(3, 7).double(),
     4.5, 15 / 12),
])
def test_statistics(name, make, mean, var):
    ember.manual_seed(0)
    x = make().double().numpy()
    sd = np.sqrt(var)
    assert abs(x.mean() - mean) < 5 * sd / np.sqrt(N), (x.mean(), mean)
    assert abs(x.var() - var) < 0.05 * var, (x.var(), var)


def test_ranges_and_supports():
    ember.manual_seed(1)
    u = ember.empty(10_000).uniform_(2, 3)
    assert float(u.min()) >= 2 and float(u.max()) < 3
    r = ember.empty(1000, dtype=ember.uint8).random_()
    assert int(r.max()) > 200
    b = ember.empty(100, dtype=ember.bool).random_()
    assert set(b.tolist()) == {False, True}
    f = ember.empty(10_000).random_()
    assert float(f.min()) >= 0 and float(f.max()) <= 2 ** 24 and float(f.max()) > 2 ** 20
    ri = ember.randint(-3, 3, (10_000,))
    assert set(ri.tolist()) == set(range(-3, 3))
    c = ember.empty(20_001, dtype=ember.float64).cauchy_(1.0, 2.0)
    assert abs(float(c.median()) - 1.0) < 0.1
    g = ember.empty(1000).geometric_(0.5)
    assert float(g.min()) >= 1 and bool((g == g.round()).all())


def test_randperm_is_permutation():
    p = ember.randperm(1000)
    assert sorted(p.tolist()) == list(range(1000))
    assert p.tolist() != list(range(1000))


def test_multinomial_frequencies():
    ember.manual_seed(0)
    w = ember.tensor([[1., 2., 0., 7.], [5., 0., 5., 0.]])
    s = ember.multinomial(w, 20_000, replacement=True)
    for row, probs in zip(s.numpy(), (w / w.sum(1, keepdim=True)).numpy()):
        freq = np.bincount(row, minlength=4) / row.size
        np.testing.assert_allclose(freq, probs, atol=0.015)
    # Without replacement: distinct indices per row, never a zero-weight category.
    s = ember.multinomial(ember.tensor([[1., 0., 3., 2., 4.]] * 500), 3)
    arr = s.numpy()
    assert all(len(set(r)) == 3 for r in arr) and not (arr == 1).any()
    first = np.bincount(arr[:, 0], minlength=5) / len(arr)
    np.testing.assert_allclose(first, [0.1, 0, 0.3, 0.2, 0.4], atol=0.07)


def test_sampling_gradients_are_zero_like_torch():
    def f(lib):
        m = lib.zeros(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        y = lib.normal(m, s) + lib.normal(m, 2.0) + lib.bernoulli(s * 0.5)
        names = [type(lib.normal(m, s).grad_fn).__name__,
                 type(lib.normal(1.0, s).grad_fn).__name__]
        y.sum().backward()
        z = m * 2
        z.uniform_()
        (z * 3).sum().backward()
        return names, m.grad.tolist(), s.grad.tolist(), type(z.grad_fn).__name__
    same_meta_or_error(f)
