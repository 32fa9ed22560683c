"""Functional forms: dropout family (nn issue)."""
__all__ = []
