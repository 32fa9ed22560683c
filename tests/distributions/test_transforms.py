"""Transforms and constraints against PyTorch: forward, inverse, log|det J|, shapes."""
import pytest

from oracle import check

import ember


def _T(lib):
    return lib.distributions.transforms


TRANSFORMS = {
    "exp": (lambda lib: _T(lib).ExpTransform(), (2, 3)),
    "sigmoid": (lambda lib: _T(lib).SigmoidTransform(), (2, 3)),
    "tanh": (lambda lib: _T(lib).TanhTransform(), (2, 3)),
    "softplus": (lambda lib: _T(lib).SoftplusTransform(), (2, 3)),
    "affine": (lambda lib: _T(lib).AffineTransform(1.5, -2.0), (2, 3)),
    "affine_tensor": (lambda lib: _T(lib).AffineTransform(lib.tensor([1.0, 2.0, 3.0]),
                                                          lib.tensor([0.5, -1.0, 2.0]),
                                                          event_dim=1), (2, 3)),
    "power": (lambda lib: _T(lib).ComposeTransform([_T(lib).ExpTransform(),
                                                    _T(lib).PowerTransform(2.5)]), (2, 3)),
    "compose": (lambda lib: _T(lib).ComposeTransform([_T(lib).AffineTransform(0.5, 3.0),
                                                      _T(lib).SigmoidTransform()]), (2, 3)),
    "stick_breaking": (lambda lib: _T(lib).StickBreakingTransform(), (2, 3)),
    "lower_cholesky": (lambda lib: _T(lib).LowerCholeskyTransform(), (2, 3, 3)),
    "independent": (lambda lib: _T(lib).IndependentTransform(_T(lib).ExpTransform(), 1),
                    (2, 3)),
    "reshape": (lambda lib: _T(lib).ReshapeTransform((6,), (2, 3)), (4, 6)),
    "corr_cholesky": (lambda lib: _T(lib).CorrCholeskyTransform(), (2, 3)),
    "cat": (lambda lib: _T(lib).CatTransform([_T(lib).ExpTransform(),
                                              _T(lib).AffineTransform(1.0, 2.0)], dim=-1,
                                             lengths=[1, 2]), (2, 3)),
    "stack": (lambda lib: _T(lib).StackTransform([_T(lib).ExpTransform(),
                                                  _T(lib).SigmoidTransform()], dim=0), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transform(name):
    make, shape = TRANSFORMS[name]

    def f(lib, x):
        t = make(lib)
        y = t(x)
        res = [y, t.inv(y)]
        if name != "lower_cholesky":  # PyTorch defines no log-det for it
            res.append(t.log_abs_det_jacobian(x, y))
        return tuple(res), tuple(t.forward_shape(shape)), tuple(t.inverse_shape(y.shape)), \
            t.domain.event_dim, t.codomain.event_dim, t.bijective
    check(f, [shape], rtol=1e-4, atol=1e-5)


def test_softmax_abs_and_inverse_objects():
    def f(lib, x):
        T = _T(lib)
        s = T.SoftmaxTransform()
        a = T.AbsTransform()
        return s(x), a(x), T.ExpTransform().inv(x.exp()), repr(T.ExpTransform().inv), \
            T.ExpTransform() == T.ExpTransform(), T.ExpTransform().inv.inv == T.ExpTransform(), \
            T.SigmoidTransform().sign, repr(T.identity_transform)
    check(f, [(2, 4)])


def test_cache():
    t = ember.distributions.transforms.TanhTransform(cache_size=1)
    x = ember.tensor([30.0])
    y = t(x)
    assert t.inv(y) is x  # cached: no atanh(1) = inf


def test_constraints_check():
    def f(lib, x):
        c = lib.distributions.constraints
        p = x.softmax(-1)
        m = x @ x.mT + lib.eye(3)
        return (c.real.check(x), c.positive.check(x), c.unit_interval.check(x),
                c.simplex.check(p), c.simplex.check(x), c.interval(-1, 1).check(x),
                c.half_open_interval(-1, 1).check(x), c.greater_than_eq(0.5).check(x),
                c.less_than(0.0).check(x), c.integer_interval(0, 3).check(x.round()),
                c.nonnegative_integer.check(x.round()), c.boolean.check((x > 0).float()),
                c.lower_cholesky.check(m.tril()), c.lower_triangular.check(m),
                c.positive_definite.check(m), c.symmetric.check(m), c.square.check(m),
                c.real_vector.check(x), c.independent(c.positive, 1).check(x.exp()),
                c.corr_cholesky.check(lib.eye(3)), c.positive_semidefinite.check(m),
                c.one_hot.check(lib.eye(3)), repr(c.independent(c.real, 1)),
                repr(c.greater_than(1.5)), c.is_dependent(c.dependent),
                c.simplex.event_dim, c.positive.is_discrete)
    check(f, [(3, 3)], grad=False)


def test_biject_to_and_transform_to():
    def f(lib, x):
        D = lib.distributions
        c = D.constraints
        out = []
        for con in [c.positive, c.interval(-2.0, 3.0), c.unit_interval, c.greater_than(1.0),
                    c.less_than(2.0), c.real]:
            out.append(D.biject_to(con)(x))
            out.append(D.transform_to(con)(x))
        out.append(D.biject_to(c.simplex)(x))
        out.append(D.transform_to(c.simplex)(x))
        return tuple(out)
    check(f, [(2, 3)])
