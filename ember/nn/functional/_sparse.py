"""Functional forms: embedding, embedding_bag (sequence issue)."""
__all__ = []
