"""Parameter, Buffer, UninitializedParameter."""
__all__ = []
