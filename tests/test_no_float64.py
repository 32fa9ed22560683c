"""No float64 upcasts in float32 training: after a step of each benchmark model, every
parameter, gradient, buffer and optimizer state is still float32."""
import os
import sys

import numpy as np
import pytest

import ember

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "benchmarks"))
from workloads import WORKLOADS  # noqa: E402

MODELS = ["linear_regression", "mlp_train", "cnn_train", "bn_cnn_train", "lstm_train",
          "gpt_train"]


@pytest.mark.parametrize("name", MODELS)
def test_training_step_stays_float32(name, monkeypatch):
    made = []
    real_wrap = ember.Tensor._wrap

    def spy(data):  # every array an op creates during the step
        made.append(data.dtype)
        return real_wrap(data)

    step = WORKLOADS[name](ember)
    step()
    monkeypatch.setattr(ember.Tensor, "_wrap", staticmethod(spy))
    step()
    monkeypatch.undo()
    assert np.dtype(np.float64) not in made, f"{name}: an op produced float64 during the step"
    for pname, p in step.model.named_parameters():
        assert p.dtype is ember.float32, pname
        assert p.grad is not None and p.grad.dtype is ember.float32, pname
    for bname, b in step.model.named_buffers():
        assert b.dtype in (ember.float32, ember.int64, ember.bool), bname
    for state in step.opt.state.values():
        for k, v in state.items():
            if isinstance(v, ember.Tensor):
                assert v.dtype is ember.float32, k
