"""Module: the base class of every layer (registration, state_dict, hooks, repr)."""
__all__ = []
