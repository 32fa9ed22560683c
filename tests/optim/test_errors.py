"""Bad arguments raise PyTorch's exceptions and messages."""
import warnings

import pytest
import torch

import ember


def both(fn):
    """Run fn(lib) for torch and Ember; return the two exceptions (type, message)."""
    out = []
    for lib in (torch, ember):
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001 - comparing the exact exception
            out.append((type(e), str(e)))
        else:
            out.append(None)
    return out


def leaf(lib, n=3):
    return lib.zeros(n, requires_grad=True)


CASES = {
    "negative lr": lambda lib: lib.optim.SGD([leaf(lib)], lr=-1.0),
    "adam negative lr": lambda lib: lib.optim.Adam([leaf(lib)], lr=-1.0),
    "beta0": lambda lib: lib.optim.Adam([leaf(lib)], betas=(1.0, 0.999)),
    "beta1": lambda lib: lib.optim.AdamW([leaf(lib)], betas=(0.9, -0.1)),
    "nadam beta": lambda lib: lib.optim.NAdam([leaf(lib)], betas=(0.9, 1.5)),
    "eps": lambda lib: lib.optim.Adam([leaf(lib)], eps=-1e-8),
    "weight decay": lambda lib: lib.optim.Adam([leaf(lib)], weight_decay=-0.1),
    "momentum": lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1, momentum=-0.5),
    "nesterov": lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1, nesterov=True),
    "betas types": lambda lib: lib.optim.Adam([leaf(lib)], betas=(0.9, 1)),
    "rho": lambda lib: lib.optim.Adadelta([leaf(lib)], rho=1.5),
    "etas": lambda lib: lib.optim.Rprop([leaf(lib)], etas=(1.5, 1.2)),
    "rmsprop alpha": lambda lib: lib.optim.RMSprop([leaf(lib)], alpha=-1),
    "adagrad lr_decay": lambda lib: lib.optim.Adagrad([leaf(lib)], lr_decay=-1),
    "sparse adam lr": lambda lib: lib.optim.SparseAdam([leaf(lib)], lr=0.0),
    "tensor lr 2 elements": lambda lib: lib.optim.SGD([leaf(lib)], lr=lib.ones(2)),
    "empty": lambda lib: lib.optim.SGD([], lr=0.1),
    "tensor params": lambda lib: lib.optim.SGD(leaf(lib), lr=0.1),
    "set params": lambda lib: lib.optim.SGD([{"params": {leaf(lib)}}], lr=0.1),
    "non-tensor": lambda lib: lib.optim.SGD([1.0], lr=0.1),
    "non-leaf": lambda lib: lib.optim.SGD([leaf(lib) * 2], lr=0.1),
    "twice across groups": lambda lib: (lambda p: lib.optim.SGD(
        [{"params": [p]}, {"params": [p]}], lr=0.1))(leaf(lib)),
    "fused+foreach": lambda lib: lib.optim.Adam([leaf(lib)], fused=True, foreach=True),
    "lbfgs groups": lambda lib: lib.optim.LBFGS([{"params": [leaf(lib)]},
                                                  {"params": [leaf(lib)]}]),
    "group not dict": lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1).add_param_group([1]),
    "named mixed": lambda lib: lib.optim.SGD([("a", leaf(lib)), leaf(lib)], lr=0.1),
    "load groups": lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1).load_state_dict(
        {"state": {}, "param_groups": []}),
    "load sizes": lambda lib: lib.optim.SGD([leaf(lib)], lr=0.1).load_state_dict(
        {"state": {}, "param_groups": [{"params": [0, 1], "lr": 0.1}]}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_error_matches_torch(name):
    t, e = both(CASES[name])
    assert t is not None, "torch accepted it"
    assert e is not None, f"ember accepted it; torch raised {t}"
    assert e[0] is t[0], (e, t)
    assert e[1] == t[1]


def test_duplicate_in_one_group_warns_like_torch():
    for lib in (torch, ember):
        p = leaf(lib)
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


def test_no_warning_in_right_order():
    w = leaf(ember)
    opt = ember.optim.Adam([w])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (w * 2).sum().backward()
        opt.step()
