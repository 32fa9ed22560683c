"""Functional forms: layer_norm, group_norm, rms_norm, local_response_norm."""
from ...ops.layernorm import group_norm, layer_norm, local_response_norm, rms_norm

__all__ = ["layer_norm", "group_norm", "rms_norm", "local_response_norm"]
