"""CosineSimilarity and PairwiseDistance."""
__all__ = []
