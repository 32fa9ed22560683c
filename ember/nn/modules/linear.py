"""Dense layers: Identity, Linear, Bilinear, LazyLinear."""
__all__ = []
