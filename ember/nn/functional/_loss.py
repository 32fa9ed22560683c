"""Functional forms: losses (nn issue)."""
__all__ = []
