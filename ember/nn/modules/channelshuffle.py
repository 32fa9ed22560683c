"""ChannelShuffle."""
__all__ = []
