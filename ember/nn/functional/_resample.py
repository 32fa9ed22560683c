"""Functional forms: interpolate, upsample, grid_sample, affine_grid, pixel_shuffle (vision issue)."""
__all__ = []
