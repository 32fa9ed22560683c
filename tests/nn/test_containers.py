from collections import OrderedDict

import pytest

from nn_module_oracle import module_check

import ember
import torch


def test_sequential_oracle_and_forms():
    module_check(lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(),
                                               lib.nn.Linear(5, 2)), [(3, 4)])
    module_check(lambda lib: lib.nn.Sequential(OrderedDict(
        [("fc", lib.nn.Linear(4, 5)), ("act", lib.nn.GELU())])), [(3, 4)])


def test_sequential_list_ops_match_torch():
    def ops(lib):
        s = lib.nn.Sequential(lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.Sigmoid())
        out = [len(s), type(s[-1]).__name__, repr(s[1:])]
        s.append(lib.nn.Identity())
        s.insert(1, lib.nn.GELU())
        s.extend([lib.nn.ELU()])
        out.append(repr(s))
        del s[0]
        out.append(list(s._modules))
        out.append(type(s.pop(1)).__name__)
        out.append(repr(s + lib.nn.Sequential(lib.nn.ReLU())))
        out.append(repr(s * 2))
        s[0] = lib.nn.SiLU()
        out.append(repr(s))
        return out
    assert ops(ember) == ops(torch)
    with pytest.raises(IndexError):
        ember.nn.Sequential()[0]


def test_modulelist_and_dict_match_torch():
    def ops(lib):
        ml = lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)])
        ml.append(lib.nn.ReLU())
        ml += [lib.nn.ReLU()]
        ml.insert(0, lib.nn.Tanh())
        out = [len(ml), repr(ml), [n for n, _ in ml.named_parameters()]]
        del ml[1]
        out.append(list(ml._modules))
        out.append(repr(ml[1:3]))
        md = lib.nn.ModuleDict({"b": lib.nn.ReLU(), "a": lib.nn.Tanh()})
        md["c"] = lib.nn.Linear(1, 1)
        md.update([("d", lib.nn.Identity())])
        out += [list(md.keys()), repr(md), "a" in md, len(md)]
        md.pop("a")
        out.append(list(md))
        return out
    assert ops(ember) == ops(torch)


def test_parameter_list_and_dict_match_torch():
    def ops(lib):
        pl = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4)])
        pl.append(lib.ones(1))
        out = [len(pl), repr(pl), [n for n, _ in pl.named_parameters()],
               type(pl[1]).__name__]
        pd = lib.nn.ParameterDict({"w": lib.ones(2), "b": lib.nn.Parameter(lib.zeros(3))})
        pd["z"] = lib.ones(1)
        out += [list(pd.keys()), repr(pd), [n for n, _ in pd.named_parameters()],
                type(pd["w"]).__name__]
        return out
    assert ops(ember) == ops(torch)
    with pytest.raises(RuntimeError):
        ember.nn.ParameterList()()


def test_container_state_dict_roundtrip():
    module_check(lambda lib: lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 1)]),
                 [(3, 2)], forward=lambda m, x: m[1](m[0](x)))
