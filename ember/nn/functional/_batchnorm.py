"""Functional forms: batch_norm, instance_norm (vision issue)."""
__all__ = []
