"""``torch.backends.cudnn`` flags. Ember has no cuDNN path yet: the flags are accepted and kept."""
benchmark = False
deterministic = False
enabled = True
allow_tf32 = True
benchmark_limit = 10


def is_available():
    return False


def version():
    return None


class flags:
    """Context manager setting the cudnn flags for a block."""

    def __init__(self, enabled=False, benchmark=False, deterministic=False, allow_tf32=True):
        self.new = dict(enabled=enabled, benchmark=benchmark, deterministic=deterministic,
                        allow_tf32=allow_tf32)

    def __enter__(self):
        g = globals()
        self.old = {k: g[k] for k in self.new}
        g.update(self.new)

    def __exit__(self, *exc):
        globals().update(self.old)
        return False
