"""Dense layers: Identity, Linear, Bilinear, LazyLinear."""
import math

from ... import dtypes as _dt
from ...ops.creation import empty
from ...ops.dense import linear as _linear
from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


def _factory(device, dtype):
    return {"device": device, "dtype": dtype if dtype is not None else _dt.get_default_dtype()}


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x W^T + b``.

    Args:
        in_features (int): size of each input sample.
        out_features (int): size of each output sample.
        bias (bool): learn an additive bias. Default: ``True``.

    Shape:
        - Input: :math:`(*, H_{in})`; Output: :math:`(*, H_{out})`.

    Weights are initialised from :math:`U(-1/\\sqrt{in}, 1/\\sqrt{in})` (kaiming_uniform with
    ``a=sqrt(5)``), as PyTorch does.

    Example::

        >>> m = nn.Linear(20, 30)
        >>> m(torch.randn(128, 20)).shape
        torch.Size([128, 30])
    """

    __constants__ = ["in_features", "out_features"]

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        fk = _factory(device, dtype)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), **fk))
        if bias:
            self.bias = Parameter(empty(out_features, **fk))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        shape = input._data.shape
        if not shape or shape[-1] != self.in_features:
            _shape_error(self, input, self.in_features, "")
        # Registered parameters straight from the dict (a plain attribute lookup misses
        # __dict__ and goes through Module.__getattr__); a parametrized weight (a property)
        # is not in the dict and takes the attribute path.
        ps = self._parameters
        w = ps.get("weight")
        if w is None:
            w = self.weight
        b = ps["bias"] if "bias" in ps else self.bias
        return _linear(input, w, b)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def _shape_error(module, input, expected, which):
    shape = list(input.shape)
    got = shape[-1] if shape else "a 0-d tensor"
    raise RuntimeError(f"{module._get_name()}({module.extra_repr()}): expected {which}input "
                       f"with {expected} features in its last dimension, got {got} (input shape "
                       f"{shape})")


class Bilinear(Module):
    """``y = x_1^T A x_2 + b``.

    Args:
        in1_features (int), in2_features (int): sizes of the two inputs.
        out_features (int): size of the output.
        bias (bool): learn an additive bias. Default: ``True``.

    Shape:
        - Input1: :math:`(*, H_{in1})`, Input2: :math:`(*, H_{in2})`; Output: :math:`(*, H_{out})`.
    """

    __constants__ = ["in1_features", "in2_features", "out_features"]

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        fk = _factory(device, dtype)
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), **fk))
        if bias:
            self.bias = Parameter(empty(out_features, **fk))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        if not input1.ndim or input1.shape[-1] != self.in1_features:
            _shape_error(self, input1, self.in1_features, "first ")
        if not input2.ndim or input2.shape[-1] != self.in2_features:
            _shape_error(self, input2, self.in2_features, "second ")
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """A :class:`Linear` whose ``in_features`` is inferred from the first input.

    Becomes a plain :class:`Linear` after the first call.
    """

    cls_to_become = Linear

    def __init__(self, out_features, bias=True, device=None, dtype=None):
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def has_uninitialized_params(self):
        return any(isinstance(p, UninitializedParameter) for p in self._parameters.values())

    def initialize_parameters(self, input):
        if self.has_uninitialized_params():
            self.in_features = input.shape[-1]
            self.weight.materialize((self.out_features, self.in_features))
            if self.bias is not None:
                self.bias.materialize((self.out_features,))
            self.reset_parameters()

    def forward(self, input):
        self.initialize_parameters(input)
        if self.in_features == 0:  # materialised by load_state_dict
            self.in_features = self.weight.shape[1]
        self.__class__ = self.cls_to_become
        return Linear.forward(self, input)
