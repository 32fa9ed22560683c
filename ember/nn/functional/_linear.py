"""Functional forms: linear, bilinear (nn issue)."""
__all__ = []
