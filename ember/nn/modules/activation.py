"""Activation modules (ReLU ... GLU, Softmax family)."""
__all__ = []
