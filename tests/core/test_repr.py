"""repr / str of tensors in PyTorch's exact format."""
import numpy as np
import pytest

from oracle import torch

import ember

CASES = {
    "ints": lambda lib: lib.tensor([1, 2, -3]),
    "int_big": lambda lib: lib.tensor([1, 20000, -300000000]),
    "floats": lambda lib: lib.tensor([1.5, 2.25, -3.125]),
    "whole_floats": lambda lib: lib.tensor([1.0, 2.0, -3.0]),
    "zeros": lambda lib: lib.zeros(3),
    "tiny": lambda lib: lib.tensor([1e-5, 2.5e-6]),
    "huge": lambda lib: lib.tensor([1e10, 3.0]),
    "mixed_scale": lambda lib: lib.tensor([0.001, 1000.0, 5.0]),
    "big_whole": lambda lib: lib.tensor([1e9, 2.0]),
    "neg_mixed": lambda lib: lib.tensor([-0.5, 0.25, 100.75]),
    "nan_inf": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "nan_whole": lambda lib: lib.tensor([float("nan"), 1.0, 2.0]),
    "all_nan": lambda lib: lib.tensor([float("nan"), float("inf")]),
    "bools": lambda lib: lib.tensor([True, False, True]),
    "scalar_f": lambda lib: lib.tensor(3.5),
    "scalar_i": lambda lib: lib.tensor(7),
    "scalar_b": lambda lib: lib.tensor(False),
    "scalar_whole": lambda lib: lib.tensor(2.0),
    "scalar_tiny": lambda lib: lib.tensor(1e-8),
    "empty": lambda lib: lib.tensor([]),
    "empty_2d": lambda lib: lib.zeros(0, 3),
    "empty_int": lambda lib: lib.zeros(2, 0, dtype=lib.int64),
    "empty_f64": lambda lib: lib.zeros(0, dtype=lib.float64),
    "mat": lambda lib: lib.arange(12.0).reshape(3, 4) / 7,
    "mat_int": lambda lib: lib.arange(12).reshape(3, 4),
    "cube": lambda lib: lib.arange(24).reshape(2, 3, 4) - 5,
    "cube_f": lambda lib: (lib.arange(24.0).reshape(2, 3, 4) - 5) / 3,
    "four_d": lambda lib: lib.arange(16.0).reshape(2, 2, 2, 2),
    "summ_1d": lambda lib: lib.arange(2000.0),
    "summ_2d": lambda lib: lib.arange(3000).reshape(100, 30),
    "summ_3d": lambda lib: lib.arange(2000.0).reshape(10, 10, 20) / 3,
    "wrap_line": lambda lib: lib.arange(40.0) / 3,
    "wrap_int": lambda lib: lib.arange(100) * 1000,
    "wrap_rows": lambda lib: lib.arange(60.0).reshape(2, 30) * 1.5,
    "f64": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float64),
    "f16": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float16),
    "bf16": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.bfloat16),
    "i32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "u8": lambda lib: lib.tensor([1, 255], dtype=lib.uint8),
    "i8_scalar": lambda lib: lib.tensor(-3, dtype=lib.int8),
    "f64_scalar": lambda lib: lib.tensor(2.5, dtype=lib.float64),
    "requires_grad": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "grad_fn": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad_fn_scalar": lambda lib: (lib.tensor([1.0, 2.0], requires_grad=True) * 2).sum(),
    "grad_fn_f64": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True) + 1,
    "neg_zero": lambda lib: lib.tensor([-0.0, 1.0]),
    "sci_neg": lambda lib: lib.tensor([-1e-7, 3e5]),
    "precise": lambda lib: lib.tensor([0.123456789, 1.0]),
    "sci_ints": lambda lib: lib.tensor([1e20, 1.0]),
    "many_rows": lambda lib: lib.ones(8, 2),
    "col": lambda lib: lib.arange(5.0).reshape(5, 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    assert repr(CASES[name](ember)) == repr(CASES[name](torch))
    assert str(CASES[name](ember)) == str(CASES[name](torch))


@pytest.mark.parametrize("name", ["floats", "mat", "tiny", "f64", "scalar_f", "whole_floats"])
def test_repr_default_float64(name):
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        assert repr(CASES[name](ember)) == repr(CASES[name](torch))
        assert repr(ember.tensor([1.5], dtype=ember.float32)) == \
            repr(torch.tensor([1.5], dtype=torch.float32))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("opts", [{"precision": 2}, {"precision": 8}, {"sci_mode": True},
                                  {"sci_mode": False}, {"threshold": 5}, {"edgeitems": 1,
                                                                          "threshold": 5},
                                  {"linewidth": 40}, {"profile": "short"}])
def test_printoptions(opts):
    try:
        ember.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        for name in ("floats", "mat", "tiny", "summ_1d", "wrap_line", "cube_f", "ints"):
            assert repr(CASES[name](ember)) == repr(CASES[name](torch)), name
    finally:
        ember.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
