"""PyTorch's tensor repr: ``tensor([1., 2.], grad_fn=<MulBackward0>)``."""
import numpy as np

from . import dtypes as dt

PRINT_OPTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80,
              "sci_mode": None}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    if profile == "default":
        PRINT_OPTS.update(precision=4, threshold=1000, edgeitems=3, linewidth=80)
    elif profile == "short":
        PRINT_OPTS.update(precision=2, threshold=1000, edgeitems=2, linewidth=80)
    elif profile == "full":
        PRINT_OPTS.update(precision=4, threshold=float("inf"), edgeitems=3, linewidth=80)
    for k, v in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                 ("linewidth", linewidth)):
        if v is not None:
            PRINT_OPTS[k] = v
    PRINT_OPTS["sci_mode"] = sci_mode


def get_printoptions():
    return dict(PRINT_OPTS)


class _Formatter:
    def __init__(self, values, kind):
        self.kind = kind
        self.sci = False
        self.int_mode = True
        self.width = 1
        prec = PRINT_OPTS["precision"]
        if kind == "b":
            self.width = max((len(str(bool(v))) for v in values.flat), default=1)
            return
        if kind in "iu":
            self.width = max((len(str(int(v))) for v in values.flat), default=1)
            return
        finite = values[np.isfinite(values)] if values.size else values
        nonzero_vals = finite[finite != 0] if finite.size else finite
        nonzero = np.abs(nonzero_vals)
        self.prec = prec
        if nonzero.size == 0:
            # PyTorch sizes columns by the nonzero finite values only; none: width 1.
            return
        self.int_mode = bool(np.all(nonzero_vals == np.ceil(nonzero_vals)))
        if self.int_mode:
            if nonzero.size and (nonzero.max() / nonzero.min() > 1000.0 or
                                 nonzero.max() > 1e8):
                self.sci = True
        elif nonzero.size:
            mx, mn = float(nonzero.max()), float(nonzero.min())
            if mx / mn > 1000.0 or mx > 1e8 or mn < 1e-4:
                self.sci = True
        if PRINT_OPTS["sci_mode"] is not None:
            self.sci = PRINT_OPTS["sci_mode"]
        self.width = max(len(self.fmt(v)) for v in nonzero_vals.flat)

    @staticmethod
    def _special(v):
        if np.isnan(v):
            return "nan"
        return "inf" if v > 0 else "-inf"

    def fmt(self, v):
        if self.kind == "b":
            return str(bool(v))
        if self.kind in "iu":
            return str(int(v))
        v = float(v)
        if not np.isfinite(v):
            return self._special(v)
        if self.sci:
            return f"{v:.{self.prec}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{self.prec}f}"

    def __call__(self, v):
        return self.fmt(v).rjust(self.width)


class _ComplexFormatter:
    """Real parts right-aligned in a column, imaginary parts unpadded: ``1.5000+2.2500j``."""

    def __init__(self, values):
        self.re = _Formatter(values.real.astype(np.float64), "f")
        self.im = _Formatter(np.abs(values.imag).astype(np.float64), "f")
        self.width = self.re.width + 2 + max((len(self.im.fmt(v)) for v in
                                              np.abs(values.imag).flat), default=1)

    def __call__(self, v):
        v = complex(v)
        sign = "-" if v.imag < 0 or (v.imag == 0 and np.signbit(v.imag)) else "+"
        return f"{self.re(v.real)}{sign}{self.im.fmt(abs(v.imag))}j"


def _fmt_array(a, fmt, indent, summarize):
    edge = PRINT_OPTS["edgeitems"]
    if a.ndim == 0:
        return fmt(a.item() if hasattr(a, "item") else a)
    if a.ndim == 1:
        items = [fmt(v) for v in a.tolist()] if not summarize or a.shape[0] <= 2 * edge else \
            [fmt(v) for v in a[:edge].tolist()] + [" ..."] + [fmt(v) for v in a[-edge:].tolist()]
        per_line = max(1, (PRINT_OPTS["linewidth"] - indent) // (fmt.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and a.shape[0] > 2 * edge:
        rows = [_fmt_array(a[i], fmt, indent + 1, summarize) for i in range(edge)] + ["..."] + \
            [_fmt_array(a[i], fmt, indent + 1, summarize) for i in range(a.shape[0] - edge,
                                                                          a.shape[0])]
    else:
        rows = [_fmt_array(a[i], fmt, indent + 1, summarize) for i in range(a.shape[0])]
    sep = "," + "\n" * (a.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(rows) + "]"


def _sample(a, edge):
    # Only the printed elements decide the format when the tensor is summarised.
    if a.ndim == 0:
        return a.reshape(1)
    idx = []
    for n in a.shape:
        idx.append(np.r_[0:min(n, edge), max(n - edge, edge):n] if n > 2 * edge else
                   np.arange(n))
    return a[np.ix_(*idx)]


def tensor_repr(t, prefix="tensor("):
    a = t._host()
    kind = a.dtype.kind
    if a.dtype == dt._np_bfloat16 or kind == "f" and a.dtype != np.float64:
        a = a.astype(np.float32 if a.dtype != np.float16 else np.float32)
    summarize = a.size > PRINT_OPTS["threshold"]
    suffixes = []
    indent = len(prefix)
    d = t.dtype
    if a.size == 0:
        body = "[]"
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if d is not dt.get_default_dtype():  # PyTorch names even int64 / bool when empty
            suffixes.append(f"dtype={d!r}")
    else:
        sample = _sample(a, PRINT_OPTS["edgeitems"]) if summarize else a
        if kind == "c":
            fmt = _ComplexFormatter(sample)
        else:
            fmt = _Formatter(sample.astype(np.float64) if kind == "f" else sample, kind)
        body = _fmt_array(a, fmt, indent, summarize)
    if a.size and not (d is dt.get_default_dtype() or d is dt.int64 or d is dt.bool_ or
                       (d is dt.complex64 and dt.get_default_dtype() is dt.float32)):
        suffixes.append(f"dtype={d!r}")
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    parts = [body] + suffixes
    return prefix + ", ".join(parts) + ")"
