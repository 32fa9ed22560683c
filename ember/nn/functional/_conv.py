"""Functional forms: conv*, conv_transpose*, unfold, fold (vision issue)."""
__all__ = []
