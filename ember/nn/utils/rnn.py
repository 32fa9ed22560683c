"""Variable-length sequences: padding, packing and PackedSequence (``torch.nn.utils.rnn``).

A PackedSequence stores sequences sorted by decreasing length, time step by time step:
``data`` holds the rows of step 0 of every sequence, then step 1 of those still running, and
so on; ``batch_sizes[t]`` says how many sequences run at step t. Conversions to and from the
padded layout are one gather each (differentiable), through a precomputed index map.
"""
from typing import NamedTuple

import numpy as np

from ...ops.creation import tensor as _tensor
from ...ops.shape import cat, stack
from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence_(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor
    unsorted_indices: Tensor


class PackedSequence(PackedSequence_):
    """Holds the data and ``batch_sizes`` of a packed batch of sequences.

    Build it with :func:`pack_padded_sequence` or :func:`pack_sequence`, never directly.
    ``sorted_indices`` / ``unsorted_indices`` map between the caller's batch order and the
    length-sorted order (None when the input was already sorted).
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)) legacy form
            data, batch_sizes = data[0], data[1]
        if not isinstance(batch_sizes, Tensor):
            batch_sizes = _tensor(list(batch_sizes), dtype=_int64())
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        kw = {"device": data.device}
        si = self.sorted_indices.to(**kw) if self.sorted_indices is not None else None
        ui = self.unsorted_indices.to(**kw) if self.unsorted_indices is not None else None
        return type(self)(data, self.batch_sizes, si, ui)

    def cuda(self, *args, **kwargs):
        return self.to("cuda")

    def cpu(self, *args, **kwargs):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=_dtype("float64"))

    def float(self):
        return self.to(dtype=_dtype("float32"))

    def half(self):
        return self.to(dtype=_dtype("float16"))

    def long(self):
        return self.to(dtype=_int64())

    def int(self):
        return self.to(dtype=_dtype("int32"))

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def _dtype(name):
    from ... import dtypes
    return getattr(dtypes, name)


def _int64():
    return _dtype("int64")


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data if isinstance(permutation, Tensor) else np.asarray(permutation)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.shape[0], dtype=p.dtype)
    return Tensor._wrap(inv)


def _packed_rows(batch_sizes, nb):
    """For each packed row, its flat position ``t * nb + b`` in a (T, nb) padded layout."""
    bs = np.asarray(batch_sizes, dtype=np.int64)
    t = np.repeat(np.arange(bs.shape[0]), bs)
    starts = np.concatenate([[0], np.cumsum(bs)[:-1]])
    b = np.arange(t.shape[0]) - np.repeat(starts, bs)
    return t * nb + b


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return np.asarray(lengths._data).astype(np.int64).reshape(-1)
    return np.asarray([int(v) for v in lengths], dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``(T, B, *)`` (or ``(B, T, *)``) of sequences of ``lengths``.

    Args:
        input: padded sequences.
        lengths: list or 1-D tensor of each sequence's length.
        batch_first: input is ``(B, T, *)``.
        enforce_sorted: lengths must be decreasing; if False they are sorted here and the
            permutation is kept in ``sorted_indices``.
    """
    lens = _lengths_array(lengths)
    if lens.size and lens.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if enforce_sorted:
        if np.any(lens[1:] > lens[:-1]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = Tensor._wrap(order.astype(np.int64))
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    tmax, nb = input.shape[0], input.shape[1]
    if lens.size and lens[0] > tmax:
        raise RuntimeError(f"Expected sequence length to be larger than or equal to "
                           f"{int(lens[0])}, got {tmax}")  # PyTorch fails inside the kernel
    steps = int(lens[0]) if lens.size else 0
    batch_sizes = (lens[None, :] > np.arange(steps)[:, None]).sum(1).astype(np.int64)
    rows = _packed_rows(batch_sizes, nb)
    flat = input.reshape((tmax * nb,) + tuple(input.shape[2:]))
    data = flat[Tensor._wrap(rows)]
    return PackedSequence(data, Tensor._wrap(batch_sizes), sorted_indices,
                          invert_permutation(sorted_indices))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of :func:`pack_padded_sequence`: returns ``(padded, lengths)``.

    ``padded`` is ``(T, B, *)`` (or ``(B, T, *)``) in the caller's original batch order;
    ``total_length`` pads T further.
    """
    data, bsz = sequence.data, sequence.batch_sizes
    bs = np.asarray(bsz._data, dtype=np.int64)
    steps = bs.shape[0]
    nb = int(bs[0]) if steps else 0
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps_out = total_length
    else:
        steps_out = steps
    rows = _packed_rows(bs, nb)
    # Every padded slot reads a packed row, or an extra last row holding padding_value.
    src = np.full(steps_out * nb, data.shape[0], dtype=np.int64)
    src[rows] = np.arange(rows.shape[0])
    pad_row = data.new_full((1,) + tuple(data.shape[1:]), padding_value)
    padded = cat([data, pad_row], 0)[Tensor._wrap(src)]
    padded = padded.reshape((steps_out, nb) + tuple(data.shape[1:]))
    lengths = (bs[None, :] > np.arange(nb)[:, None]).sum(1).astype(np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices._data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, Tensor._wrap(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length tensors ``(L_i, *)`` into ``(T, B, *)`` (or ``(B, T, *)``).

    Args:
        padding_value: value of the padded slots.
        padding_side: ``'right'`` (default) or ``'left'``.
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got "
                         f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    tmax = max(s.shape[0] for s in sequences)
    trail = tuple(sequences[0].shape[1:])
    padded = []
    for s in sequences:
        n = s.shape[0]
        if tuple(s.shape[1:]) != trail:
            raise RuntimeError(f"The size of tensor a ({trail[0] if trail else 0}) must match "
                               f"the size of tensor b ({s.shape[1] if s.ndim > 1 else 0}) at "
                               "non-singleton dimension 1")
        if n < tmax:
            fill = s.new_full((tmax - n,) + trail, padding_value)
            s = cat([s, fill], 0) if padding_side == "right" else cat([fill, s], 0)
        padded.append(s)
    return stack(padded, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given ``lengths``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lens = _lengths_array(lengths)
    return [seq[:int(n)] for seq, n in zip(padded_sequences.unbind(0), lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length tensors ``(L_i, *)``."""
    lengths = [int(v.shape[0]) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Unpack a PackedSequence into the list of its tensors (original order)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
