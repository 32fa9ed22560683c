"""Transformer, its encoder/decoder stacks and layers."""
__all__ = []
