"""Functional forms: one_hot, normalize, cosine_similarity, pairwise_distance, pdist, pad (nn issue)."""
__all__ = []
