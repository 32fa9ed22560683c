"""Pooling layers: max, average, adaptive, LP, unpooling."""
__all__ = []
