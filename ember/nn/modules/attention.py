"""MultiheadAttention."""
__all__ = []
