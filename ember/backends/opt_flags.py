"""``torch.backends.mkl`` / ``openmp`` / ``mkldnn`` availability (Ember computes with NumPy)."""


class _Backend:
    def __init__(self, available):
        self._available = available
        self.enabled = available

    def is_available(self):
        return self._available


mkl = _Backend(False)
mkldnn = _Backend(False)
openmp = _Backend(False)
