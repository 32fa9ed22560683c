"""Functional forms: embedding, embedding_bag, one_hot lives with the losses' helpers."""
from ...ops.embedding import embedding, embedding_bag

__all__ = ["embedding", "embedding_bag"]
