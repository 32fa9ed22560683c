"""Functional forms: pooling (vision issue)."""
__all__ = []
