"""FractionalMaxPool2d / FractionalMaxPool3d."""
from ..functional import _fractional as _F
from .module import Module

__all__ = ["FractionalMaxPool2d", "FractionalMaxPool3d"]


class _FractionalMaxPoolNd(Module):
    _nd = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        nd = self._nd
        self.kernel_size = _F._tuple(kernel_size, nd)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _F._tuple(output_size, nd) if output_size is not None else None
        self.output_ratio = _F._tuple(output_ratio, nd) if output_ratio is not None else None
        name = type(self).__name__
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             f"ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return _F._pool(input, self.kernel_size, self.output_size, self.output_ratio,
                        self.return_indices, self._random_samples, self._nd)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Fractional max pooling over ``(N, C, H, W)`` inputs: windows of ``kernel_size`` at
    pseudo-random, increasing positions so the output is ``output_size`` (or
    ``output_ratio`` times the input) large.

    Shape:
        - Input: ``(N, C, H_in, W_in)`` or ``(C, H_in, W_in)``
        - Output: ``(N, C, H_out, W_out)`` or ``(C, H_out, W_out)``
    """
    _nd = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """Fractional max pooling over ``(N, C, T, H, W)`` inputs (see FractionalMaxPool2d)."""
    _nd = 3
