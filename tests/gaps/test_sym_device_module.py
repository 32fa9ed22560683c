"""torch.sym_* on plain numbers and torch.get_device_module, against torch."""
import pytest
import torch

import ember

CASES = [("sym_int", (3.7,)), ("sym_int", (-3.7,)), ("sym_int", (5,)), ("sym_float", (2,)),
         ("sym_max", (2, 3.0)), ("sym_max", (2, 3)), ("sym_min", (2.5, 1)), ("sym_min", (4, 1)),
         ("sym_not", (0,)), ("sym_not", (True,)), ("sym_ite", (True, 1, 2)),
         ("sym_ite", (False, 1, 2)), ("sym_sqrt", (4,)), ("sym_sum", ([1, 2, 3],)),
         ("sym_sum", ([0.5, 2],))]


@pytest.mark.parametrize("name,args", CASES)
def test_sym_functions(name, args):
    got, want = getattr(ember, name)(*args), getattr(torch, name)(*args)
    assert got == want and type(got) is type(want)


@pytest.mark.parametrize("dev", ["cpu", "cuda", "cuda:0", None])
def test_get_device_module(dev):
    arg = dev if dev != "cuda:0" else ember.device(dev)
    targ = dev if dev != "cuda:0" else torch.device(dev)
    got = ember.get_device_module(arg).__name__
    assert got.replace("ember", "torch") == torch.get_device_module(targ).__name__


def test_get_device_module_errors():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Invalid value of device '3'"):
            lib.get_device_module(3)
        with pytest.raises(RuntimeError, match="registered as 'torch.meta'"):
            lib.get_device_module("meta")
