"""Functional attention: scaled_dot_product_attention and multi_head_attention_forward."""
from ...ops.attention import scaled_dot_product_attention
from ._mha import multi_head_attention_forward

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]
