"""``torch.nn.attention.bias``: causal attention masks as objects.

``causal_upper_left(L, S)`` / ``causal_lower_right(L, S)`` return a :class:`CausalBias`: a
boolean ``(L, S)`` tensor that is True where a query may attend. Pass it as ``attn_mask`` to
``scaled_dot_product_attention``; with ``L == S`` both variants equal ``is_causal=True``.
"""
import enum
import warnings

import numpy as np

from ...tensor import Tensor

__all__ = ["causal_upper_left", "causal_lower_right", "CausalVariant", "CausalBias"]


class CausalVariant(enum.IntEnum):
    """Which corner the causal triangle is anchored to.

    ``UPPER_LEFT``: query ``i`` sees keys ``j <= i``. ``LOWER_RIGHT``: query ``i`` sees keys
    ``j <= i + S - L`` (the last query sees every key, as in decoding with a KV cache).
    """
    UPPER_LEFT = 1
    LOWER_RIGHT = 2


class CausalBias(Tensor):
    """A causal mask of ``seq_len_q`` queries by ``seq_len_kv`` keys (a boolean Tensor).

    Ember stores the materialised mask (PyTorch keeps only the sizes and builds it inside
    the attention kernel); as a Tensor it works as ``attn_mask`` wherever a mask does.
    """

    def __new__(cls, variant, seq_len_q, seq_len_kv):
        if not isinstance(variant, CausalVariant):
            raise AssertionError("variant must be a CausalVariant")
        offset = 0 if variant == CausalVariant.UPPER_LEFT else seq_len_kv - seq_len_q
        rows = np.arange(seq_len_q)[:, None] + offset
        mask = np.arange(seq_len_kv)[None, :] <= rows
        obj = object.__new__(cls)
        obj._init_from(mask, False)
        obj.variant = variant
        obj.seq_len_q = seq_len_q
        obj.seq_len_kv = seq_len_kv
        return obj

    def __init__(self, variant, seq_len_q, seq_len_kv):
        """Everything is set in ``__new__``."""

    def _materialize(self, device=None):
        """The mask as a plain boolean tensor (on ``device``)."""
        t = Tensor._wrap(self._data.copy())
        return t if device is None else t.to(device)

    def _upper_left(self, device=None):
        return CausalBias(CausalVariant.UPPER_LEFT, self.seq_len_q,
                          self.seq_len_kv)._materialize(device)

    def _lower_right(self, device=None):
        return CausalBias(CausalVariant.LOWER_RIGHT, self.seq_len_q,
                          self.seq_len_kv)._materialize(device)

    def __repr__(self):
        return repr(self._materialize())


def _sizes(name, size):
    if len(size) != 2:
        raise AssertionError(f"{name} only supports 2D tensors")
    return size


def causal_upper_left(*size):
    """A causal mask anchored at the upper-left corner: query ``i`` sees keys ``0..i``.

    Args:
        size: ``(seq_len_q, seq_len_kv)``.
    """
    q, kv = _sizes("causal_upper_left", size)
    return CausalBias(CausalVariant.UPPER_LEFT, q, kv)


def causal_lower_right(*size):
    """A causal mask anchored at the lower-right corner: query ``i`` sees keys
    ``0..i + seq_len_kv - seq_len_q``.

    Args:
        size: ``(seq_len_q, seq_len_kv)``.
    """
    q, kv = _sizes("causal_lower_right", size)
    if q > kv:
        warnings.warn("Lower right causal bias will produce NaNs in the output when "
                      "seq_len_q > seq_len_kv!")
    return CausalBias(CausalVariant.LOWER_RIGHT, q, kv)
