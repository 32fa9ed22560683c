"""The numeric helpers (ops/numeric.py) against torch, with gradients where torch has them."""
import pytest
from oracle import assert_same, check, ember, gradcheck, torch


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, x: lib.diff(x), [(3, 5)]),
    (lambda lib, x: lib.diff(x, n=2, dim=0), [(4, 3)]),
    (lambda lib, x, p: lib.diff(x, prepend=p), [(3, 4), (3, 1)]),
    (lambda lib, x: lib.quantile(x, 0.3), [(10,)]),
    (lambda lib, x: lib.quantile(x, lib.tensor([0.25, 0.5, 0.9]), dim=1, keepdim=True),
     [(3, 7)]),
    (lambda lib, x: x.quantile(0.4, dim=0, interpolation="midpoint"), [(5, 2)]),
    (lambda lib, x: lib.cov(x), [(3, 6)]),
    (lambda lib, x, w: lib.cov(x, correction=0, aweights=w.abs() + 0.1), [(2, 5), (5,)]),
    (lambda lib, x: lib.corrcoef(x), [(3, 6)]),
    (lambda lib, x: lib.trapezoid(x), [(3, 5)]),
    (lambda lib, x, t: lib.trapezoid(x, t.cumsum(0)), [(2, 4), (4,)]),
    (lambda lib, x: lib.cumulative_trapezoid(x, dim=0), [(4, 3)]),
    (lambda lib, x: lib.dist(x[0], x[1], p=3), [(2, 5)]),
    (lambda lib, x: lib.renorm(x, 2, 0, 1.0), [(3, 4)]),
    (lambda lib, x, y: lib.block_diag(x, y), [(2, 2), (1, 3)]),
    (lambda lib, x, y: lib.cartesian_prod(x, y), [(2,), (3,)]),
    (lambda lib, x: lib.combinations(x, 2), [(4,)]),
    (lambda lib, x: lib.combinations(x, 3, with_replacement=True), [(3,)]),
    (lambda lib, x: lib.linalg.vander(x), [(2, 3)]),
    (lambda lib, x, y: lib.select_scatter(x, y, 0, 1), [(3, 4), (4,)]),
    (lambda lib, x, y: lib.slice_scatter(x, y, 1, 1, 4, 2), [(3, 5), (3, 2)]),
    (lambda lib, x, y: lib.diagonal_scatter(x, y, 1), [(3, 4), (3,)]),
    (lambda lib, x, y: lib.ldexp(x, lib.tensor([1, 2, 3])), [(3,), (3,)]),
    (lambda lib, x: lib.hsplit(x, 2), [(3, 4)]),
    (lambda lib, x: lib.vsplit(x, [1]), [(3, 4)]),
    (lambda lib, x: lib.dsplit(x, 2), [(2, 2, 4)]),
    (lambda lib, x: lib.ravel(x.t()), [(3, 4)]),
    (lambda lib, x: x.sum_to_size(1, 4), [(3, 4)]),
    (lambda lib, x: x.unfold(1, 3, 2), [(2, 7)]),
    (lambda lib, x: x.unfold(0, 2, 1), [(4, 3)]),
    (lambda lib, x, s: lib.index_reduce(x, 0, lib.tensor([0, 2, 0]), s, "amax"), [(3, 2), (3, 2)]),
])
def test_numeric_vs_torch(fn, shapes):
    check(fn, shapes)


def test_vander_forward():
    # torch's own vander backward raises (in-place on a saved tensor); compare forward.
    check(lambda lib, x: lib.vander(x, 4), [(3,)], grad=False)
    check(lambda lib, x: lib.vander(x, increasing=True), [(3,)], grad=False)


@pytest.mark.parametrize("fn,shapes", [
    (lambda lib, x: lib.quantile(x, 0.3, dim=1), [(3, 5)]),
    (lambda lib, x: lib.cov(x), [(2, 4)]),
    (lambda lib, x: lib.trapezoid(x), [(3, 4)]),
    (lambda lib, x: x.unfold(1, 2, 1), [(2, 4)]),
])
def test_numeric_gradcheck(fn, shapes):
    gradcheck(fn, shapes)


def test_integer_and_set_helpers():
    for fn in [lambda lib: lib.isin(lib.arange(10), lib.tensor([1, 5, 11])),
               lambda lib: lib.isin(lib.arange(5), 3, invert=True),
               lambda lib: lib.gcd(lib.tensor([12, 18]), lib.tensor([8, 12])),
               lambda lib: lib.lcm(lib.tensor([4, 6]), lib.tensor([6, 4])),
               lambda lib: lib.heaviside(lib.tensor([-1., 0., 2.]), lib.tensor([0.5])),
               lambda lib: lib.frexp(lib.tensor([8., 0.3, -5.])),
               lambda lib: lib.unravel_index(lib.tensor([5, 7]), (3, 4)),
               lambda lib: lib.nanquantile(lib.tensor([1., float("nan"), 3.]), 0.5),
               lambda lib: lib.quantile(lib.tensor([1., float("nan"), 3.]), 0.5),
               lambda lib: lib.histogram(lib.tensor([1., 2., 1., 4.]), bins=3),
               lambda lib: lib.nextafter(lib.tensor([1.]), lib.tensor([2.])) > 1,
               lambda lib: lib.mvlgamma(lib.tensor([2.5, 3.]), 2),
               lambda lib: lib.combinations(lib.tensor([1, 2])),
               lambda lib: lib.vander(lib.tensor([1, 2, 3])),
               lambda lib: lib.can_cast(lib.float32, lib.int32),
               lambda lib: lib.can_cast(lib.int32, lib.float32),
               lambda lib: lib.is_same_size(lib.ones(2), lib.ones(2)),
               lambda lib: lib.as_strided(lib.arange(6), (2, 2), (1, 2)),
               lambda lib: lib.as_strided(lib.arange(9.).reshape(3, 3), (2, 2), (3, 1), 1)]:
        assert_same(fn(ember), fn(torch))


def test_as_strided_is_a_view():
    x = ember.arange(6.)
    v = x.as_strided((2, 2), (1, 2))
    v[0, 0] = 100
    assert x[0].item() == 100.0
