"""PyTorch's exception classes that programs catch by name."""


class OutOfMemoryError(RuntimeError):
    """``torch.OutOfMemoryError`` (also ``torch.cuda.OutOfMemoryError``): raised when a
    device allocation fails (Ember raises it for CuPy's allocation failures)."""


class AcceleratorError(RuntimeError):
    """``torch.AcceleratorError``: an error reported by the accelerator runtime."""


OutOfMemoryError.__module__ = AcceleratorError.__module__ = "ember"
