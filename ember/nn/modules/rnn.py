"""Recurrent layers: RNN, LSTM, GRU and their single-step cells.

Each layer and direction runs as one fused op (``ember.ops.rnn.rnn_layer``); parameter names,
shapes, order and initialisation follow PyTorch so state dicts load both ways.
"""
import math
import numbers
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ...ops import rnn as _rnn
from ...ops.creation import empty, zeros
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _packed_rows
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """Shared machinery of RNN, LSTM and GRU: parameters, checks, layers and directions."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                     "dropout", "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
                isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: "
                            f"{type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        gate_size = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_in = input_size if layer == 0 else real_hidden * num_directions
                sfx = "_reverse" if direction == 1 else ""
                params = [("weight_ih", (gate_size, layer_in)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    params += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    params.append(("weight_hr", (proj_size, hidden_size)))
                names = []
                for base, shape in params:
                    name = f"{base}_l{layer}{sfx}"
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    # ------------------------------------------------------------ parameters
    @property
    def _flat_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """Accepted for compatibility: weights are always used in place (no cuDNN buffer)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for w in self.parameters():
                w.uniform_(-stdv, stdv)

    def _layer_params(self, layer, direction):
        names = self._all_weights[layer * (2 if self.bidirectional else 1) + direction]
        ps = [getattr(self, n) for n in names]
        w_ih, w_hh = ps[0], ps[1]
        b_ih = b_hh = w_hr = None
        if self.bias:
            b_ih, b_hh = ps[2], ps[3]
        if self.proj_size > 0:
            w_hr = ps[-1]
        return w_ih, w_hh, b_ih, b_hh, w_hr

    # ------------------------------------------------------------ checks
    def check_input(self, input, batch_sizes):
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.size())))

    def _weights_have_changed(self):
        return False

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    # ------------------------------------------------------------ the run
    def _run(self, input, hx, cx, batch_sizes):
        """Time-major input (T, B, I); hx (L*D, B, P); cx (L*D, B, H) or None."""
        dirs = 2 if self.bidirectional else 1
        mode = self.mode
        x = input
        hs, cs = [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_params(layer, d)
                out, h, c = _rnn.rnn_layer(mode, x, hx[k], cx[k] if cx is not None else None,
                                           w_ih, w_hh, b_ih, b_hh, w_hr, reverse=d == 1,
                                           batch_sizes=batch_sizes)
                outs.append(out)
                hs.append(h)
                cs.append(c)
            x = outs[0] if dirs == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        h_n = stack(hs, 0)
        c_n = stack(cs, 0) if cx is not None else None
        return x, h_n, c_n

    def _forward(self, input, hx):
        """Shared forward; ``hx`` is a tensor, an (h, c) pair (LSTM) or None."""
        lstm = self.mode == "LSTM"
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        packed = isinstance(input, PackedSequence)
        sorted_indices = unsorted_indices = batch_sizes = None
        if packed:
            data, bsz, sorted_indices, unsorted_indices = input
            batch_sizes = np.asarray(bsz._data, dtype=np.int64)
            nb = int(batch_sizes[0])
            steps = batch_sizes.shape[0]
            rows = _packed_rows(batch_sizes, nb)
            # Padded time-major copy of the packed rows (one gather: packed rows + a zero row).
            src = np.full(steps * nb, data.shape[0], dtype=np.int64)
            src[rows] = np.arange(rows.shape[0])
            x = cat([data, data.new_zeros((1, data.shape[1]))], 0)[Tensor._wrap(src)]
            x = x.reshape(steps, nb, data.shape[1])
            is_batched = True
        else:
            if input.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                                 "instead")
            is_batched = input.dim() == 3
            x = input
            if not is_batched:
                x = x.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
            nb = x.shape[1]
        if self.input_size != x.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {x.shape[-1]}")
        dirs = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        h_shape = (self.num_layers * dirs, nb, real_hidden)
        c_shape = (self.num_layers * dirs, nb, self.hidden_size)
        if hx is None:
            h0 = zeros(h_shape, dtype=x.dtype, device=x.device)
            c0 = zeros(c_shape, dtype=x.dtype, device=x.device) if lstm else None
        else:
            if lstm:
                h0, c0 = hx
            else:
                h0, c0 = hx, None
            if not packed:
                if is_batched:
                    if h0.dim() != 3 or (lstm and c0.dim() != 3):
                        if lstm:
                            raise RuntimeError(f"For batched 3-D input, hx and cx should also "
                                               f"be 3-D but got ({h0.dim()}-D, {c0.dim()}-D) "
                                               "tensors")
                        raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but "
                                           f"got {h0.dim()}-D tensor")
                else:
                    if h0.dim() != 2 or (lstm and c0.dim() != 2):
                        if lstm:
                            raise RuntimeError(f"For unbatched 2-D input, hx and cx should "
                                               f"also be 2-D but got ({h0.dim()}-D, "
                                               f"{c0.dim()}-D) tensors")
                        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D "
                                           f"but got {h0.dim()}-D tensor")
                    h0 = h0.unsqueeze(1)
                    c0 = c0.unsqueeze(1) if lstm else None
            h0 = self.permute_hidden(h0, sorted_indices)
            c0 = self.permute_hidden(c0, sorted_indices) if lstm else None
            if lstm:
                self.check_hidden_size(h0, h_shape, "Expected hidden[0] size {}, got {}")
                self.check_hidden_size(c0, c_shape, "Expected hidden[1] size {}, got {}")
            else:
                self.check_hidden_size(h0, h_shape)
        out, h_n, c_n = self._run(x, h0, c0, batch_sizes)
        if packed:
            flat = out.reshape(-1, out.shape[-1])
            out = PackedSequence(flat[Tensor._wrap(rows)], bsz, sorted_indices,
                                 unsorted_indices)
            h_n = self.permute_hidden(h_n, unsorted_indices)
            c_n = self.permute_hidden(c_n, unsorted_indices) if lstm else None
        elif not is_batched:
            out = out.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if lstm else None
        elif self.batch_first:
            out = out.transpose(0, 1)
        return out, ((h_n, c_n) if lstm else h_n)

    def forward(self, input, hx=None):
        return self._forward(input, hx)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or ReLU).

    Args:
        input_size, hidden_size: feature sizes of x and h.
        num_layers: stacked layers. Default: 1.
        nonlinearity: ``'tanh'`` (default) or ``'relu'``.
        bias: learn b_ih and b_hh. Default: True.
        batch_first: input/output are ``(B, T, *)``. Default: False.
        dropout: dropout on each layer's output except the last. Default: 0.
        bidirectional: run a reverse direction too. Default: False.

    Inputs: input ``(T, B, H_in)`` / ``(B, T, H_in)`` / ``(T, H_in)`` or a PackedSequence,
    and optional ``h_0`` ``(D * num_layers, B, H)``.
    Outputs: ``output`` ``(T, B, D * H)`` and ``h_n`` ``(D * num_layers, B, H)``.

    Example::

        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, hn = rnn(torch.randn(5, 3, 10), torch.randn(2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory layer (gates i, f, g, o), optionally with a projection.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional: as RNN.
        proj_size: if > 0, h is projected to this size by ``weight_hr``. Default: 0.

    Inputs: input and optional ``(h_0, c_0)``; outputs ``output, (h_n, c_n)``.

    Example::

        >>> lstm = nn.LSTM(10, 20, 2)
        >>> output, (hn, cn) = lstm(torch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        exp = self.get_expected_hidden_size(input, batch_sizes)
        return (exp[0], exp[1], self.hidden_size)


class GRU(RNNBase):
    """Gated recurrent unit layer (gates r, z, n, PyTorch's formulation).

    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``.

    Example::

        >>> gru = nn.GRU(10, 20, 2)
        >>> output, hn = gru(torch.randn(5, 3, 10))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ---------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Parameters and checks shared by the single-step cells."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device,
                                         dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size),
                                         device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        with no_grad():
            for w in self.parameters():
                w.uniform_(-stdv, stdv)

    def _prepare(self, input, hx, name, pair=False):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} "
                               f"expected {self.input_size}")
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        nb = x.shape[0]
        states = hx if pair else (hx,)
        if hx is None:
            states = tuple(zeros((nb, self.hidden_size), dtype=x.dtype, device=x.device)
                           for _ in range(2 if pair else 1))
        else:
            fixed = []
            for s in states:
                if s.dim() != (2 if batched else 1):
                    raise RuntimeError(f"{name}: Expected hidden to be {2 if batched else 1}D "
                                       f"and input to be {input.dim()}D, got {s.dim()}D "
                                       "instead" if not pair else
                                       f"{name}: Expected hx[0] to be {2 if batched else 1}D "
                                       f"and hx[1] to be {2 if batched else 1}D, got "
                                       f"{states[0].dim()}D and {states[1].dim()}D instead")
                s = s if batched else s.unsqueeze(0)
                if s.shape[0] != nb:
                    raise RuntimeError(f"Input batch size {nb} doesn't match hidden0 batch size "
                                       f"{s.shape[0]}")
                if s.shape[1] != self.hidden_size:
                    raise RuntimeError(f"hidden{len(fixed)} has inconsistent hidden_size: got "
                                       f"{s.shape[1]}, expected {self.hidden_size}")
                fixed.append(s)
            states = tuple(fixed)
        return x, states, batched

    def _step(self, mode, x, h, c):
        _, h1, c1 = _rnn.rnn_layer(mode, x.unsqueeze(0), h, c, self.weight_ih, self.weight_hh,
                                   self.bias_ih, self.bias_hh)
        return h1, c1


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ReLU).

    Example::

        >>> cell = nn.RNNCell(10, 20)
        >>> h = cell(torch.randn(3, 10))
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, (h,), batched = self._prepare(input, hx, "RNNCell")
        h1, _ = self._step("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", x, h, None)
        return h1 if batched else h1.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``.

    Example::

        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(torch.randn(3, 10))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        x, (h, c), batched = self._prepare(input, hx, "LSTMCell", pair=True)
        h1, c1 = self._step("LSTM", x, h, c)
        if not batched:
            return h1.squeeze(0), c1.squeeze(0)
        return h1, c1


class GRUCell(RNNCellBase):
    """One GRU step; returns ``h'``.

    Example::

        >>> cell = nn.GRUCell(10, 20)
        >>> h = cell(torch.randn(3, 10))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        x, (h,), batched = self._prepare(input, hx, "GRUCell")
        h1, _ = self._step("GRU", x, h, None)
        return h1 if batched else h1.squeeze(0)
