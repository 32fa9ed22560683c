"""``Compare``: print many Measurements as tables (one per label; rows are sub-labels, columns
descriptions, grouped by thread count), in PyTorch's layout."""
import collections
import enum
import itertools
import math

from . import common

__all__ = ["Colorize", "Compare"]

BEST = "\033[92m"
GOOD = "\033[34m"
BAD = "\033[2m\033[91m"
VERY_BAD = "\033[31m"
BOLD = "\033[1m"
TERMINATE = "\033[0m"


class Colorize(enum.Enum):
    NONE = "none"
    COLUMNWISE = "columnwise"
    ROWWISE = "rowwise"


class _Column:
    """Number formatting shared by one column: same width and decimals for every row."""

    def __init__(self, grouped, time_scale, trim, highlight):
        self.grouped = grouped
        flat = [m for m in itertools.chain.from_iterable(grouped)]
        self.trim = trim
        self.highlight = highlight and any(m.has_warnings for m in flat if m)
        digits = [math.ceil(math.log10(m.median / time_scale)) if m else None for m in flat]
        unit_digits = max(d for d in digits if d is not None)
        if trim:
            decimals = min(max(m.significant_figures - d, 0)
                           for d, m in zip(digits, flat) if m is not None and d is not None)
        else:
            decimals = 1
        length = unit_digits + decimals + (1 if decimals else 0)
        self.template = f"{{:>{length}.{decimals}f}}{{:>{7 if self.highlight else 0}}}"

    def num_to_str(self, value, sigfigs, spread):
        if value is None:
            return " " * len(self.num_to_str(1, sigfigs, None))
        if self.trim:
            value = common.trim_sigfig(value, sigfigs)
        note = f" (! {spread * 100:.0f}%)" if self.highlight and spread is not None else ""
        return self.template.format(value, note)


def _color(segment, value, best):
    if value <= best * 1.01 or value <= best + 100e-9:
        return BEST + BOLD + segment + TERMINATE * 2
    if value <= best * 1.1:
        return GOOD + BOLD + segment + TERMINATE * 2
    if value >= best * 5:
        return VERY_BAD + BOLD + segment + TERMINATE * 2
    if value >= best * 2:
        return BAD + segment + TERMINATE * 2
    return segment


class _Table:
    def __init__(self, results, colorize, trim, highlight):
        if len({r.label for r in results}) != 1:
            raise AssertionError("All results must share the same label")
        self.results, self.colorize, self.highlight = results, colorize, highlight
        self.label = results[0].label
        self.time_unit, self.time_scale = common.select_unit(min(r.median for r in results))
        row_keys = common.ordered_unique((r.num_threads, r.env, r.as_row_name) for r in results)
        # By threads, then env (None first); stmt order is kept (the sort is stable).
        row_keys.sort(key=lambda k: (k[0], k[1] is not None, k[1] or ""))
        col_keys = common.ordered_unique(r.description for r in results)
        self.row_keys, self.col_keys = row_keys, col_keys
        grid = [[None] * len(col_keys) for _ in row_keys]
        rpos = {k: i for i, k in enumerate(row_keys)}
        cpos = {k: j for j, k in enumerate(col_keys)}
        for r in results:
            grid[rpos[(r.num_threads, r.env, r.as_row_name)]][cpos[r.description]] = r
        self.grid = grid
        # Rows are grouped by thread count; each group starts with an "N threads:" separator.
        self.groups, self.group_of = [], []
        prior = None
        for (threads, _, _), row in zip(row_keys, grid):
            if threads != prior:
                self.groups.append([])
                prior = threads
            self.groups[-1].append(row)
            self.group_of.append(len(self.groups) - 1)
        self.columns = [_Column([tuple(row[j] for row in g) for g in self.groups],
                                self.time_scale, trim, highlight)
                        for j in range(len(col_keys))]
        envs = {str(r.env) for r in results}
        self.render_env = len(envs) > 1
        self.env_len = max(len(e) for e in envs) if self.render_env else 0

    def _row_strings(self, i, prior_env):
        row = self.grid[i]
        first = next(m for m in row if m is not None)
        env = f"({first.env})" if self.render_env and first.env != prior_env else ""
        out = ["  " + env.ljust(self.env_len + 4) + first.as_row_name]
        for m, col in zip(row, self.columns):
            out.append(col.num_to_str(None, 1, None) if m is None else col.num_to_str(
                m.median / self.time_scale, m.significant_figures,
                m.iqr / m.median if m.has_warnings else None))
        return out

    def _best(self, i, n):
        row = self.grid[i]
        if self.colorize == Colorize.ROWWISE:
            return [min(m.median for m in row if m is not None)] * n
        if self.colorize == Colorize.COLUMNWISE:
            group = self.groups[self.group_of[i]]
            vals = [[r[j].median for r in group if r[j] is not None]
                    for j in range(len(self.col_keys))]
            return [min(v) if v else None for v in vals]
        return [None] * n

    def render(self):
        strings = [[""] + [str(k) if k is not None else "" for k in self.col_keys]]
        prior_env, prior_threads = "", None
        for i, (threads, env, _) in enumerate(self.row_keys):
            if threads != prior_threads:
                prior_env, prior_threads = "", threads
            strings.append(self._row_strings(i, prior_env))
            prior_env = env
        ncol = max(len(s) for s in strings)
        for s in strings:
            s.extend([""] * (ncol - len(s)))
        widths = [max(len(x) for x in col) for col in zip(*strings)]
        lines = ["  |  ".join(x.center(w) for x, w in zip(strings[0], widths))]
        overall = len(lines[0])
        prior_threads = None
        for i, (s, (threads, _, _)) in enumerate(zip(strings[1:], self.row_keys)):
            if threads != prior_threads:
                lines.append(f"{threads} threads: ".ljust(overall, "-"))
                prior_threads = threads
            cells = [s[0].ljust(widths[0])]
            best = self._best(i, len(s) - 1)
            for cell, w, m, b in zip(s[1:], widths[1:], self.grid[i], best):
                cell = cell.center(w)
                if self.colorize != Colorize.NONE and m is not None and b is not None:
                    cell = _color(cell, m.median, b)
                cells.append(cell)
            lines.append("  |  ".join(cells))
        warn = self.highlight and any(r.has_warnings for r in self.results)
        head = f"[{(' ' + (self.label or '') + ' ').center(overall - 2, '-')}]"
        text = "\n".join([head] + lines)
        text += (f"\n\nTimes are in {common.unit_to_english(self.time_unit)}s "
                 f"({self.time_unit}).\n")
        if warn:
            text += ("(! XX%) Measurement has high variance, where XX is the IQR / median * "
                     "100.\n")
        return text


class Compare:
    """Tabulate Measurements: one table per ``label``, a row per ``sub_label`` (or stmt), a
    column per ``description``, grouped by ``num_threads``; replicates of one task merge.

    Args:
        results (list of Measurement): the measurements to show.

    Example::

        >>> Compare([m1, m2]).print()
    """

    def __init__(self, results):
        self._results = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def __str__(self):
        return "\n".join(self._render())

    def extend_results(self, results):
        """Add more Measurements."""
        for r in results:
            if not isinstance(r, common.Measurement):
                raise ValueError(f"Expected an instance of `Measurement`, got {type(r)} "
                                 f"instead.")
        self._results.extend(results)

    def trim_significant_figures(self):
        """Show only the significant figures each measurement supports."""
        self._trim_significant_figures = True

    def colorize(self, rowwise=False):
        """Colour cells relative to the best of their column (or row with ``rowwise``)."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self):
        """Mark high-variance measurements with ``(! XX%)``."""
        self._highlight_warnings = True

    def print(self):
        print(str(self))

    def _render(self):
        groups = collections.defaultdict(list)
        for r in common.Measurement.merge(self._results):
            groups[r.label].append(r)
        return [_Table(g, self._colorize, self._trim_significant_figures,
                       self._highlight_warnings).render() for g in groups.values()]
