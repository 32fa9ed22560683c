"""Functional forms: scaled_dot_product_attention, multi_head_attention_forward (sequence issue)."""
__all__ = []
