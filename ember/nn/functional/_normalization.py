"""Functional forms: layer_norm, group_norm, rms_norm, local_response_norm (sequence issue)."""
__all__ = []
