"""Functional forms: activations, softmax family, glu (nn issue)."""
__all__ = []
