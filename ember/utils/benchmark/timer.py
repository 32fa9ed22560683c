"""``Timer``: run a statement many times and measure it (built on ``timeit.Timer``)."""
import enum
import statistics
import textwrap
import timeit

from . import common

__all__ = ["Timer", "timer", "Language"]


_accel = []


def timer():
    """The default clock: waits for the accelerator first, then ``timeit.default_timer``."""
    if not _accel:
        # Asked once per process: the availability query costs ~0.1 ms (it probes CuPy),
        # which would swamp the blocks being timed.
        from ... import accelerator
        _accel.append(accelerator if accelerator.is_available() else None)
    if _accel[0] is not None:
        _accel[0].synchronize()
    return timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


class Timer:
    """Time a Python statement, with warm-up, replicates and thread control.

    Args:
        stmt (str): code run in the timed loop.
        setup (str): code run once before timing (define variables here).
        global_setup (str): C++ only; must be empty.
        timer (callable): the clock (default waits for the accelerator).
        globals (dict): the namespace ``stmt`` and ``setup`` run in; ``torch`` is bound to
            Ember unless the dict defines it.
        label, sub_label, description, env (str): labels for reprs and :class:`Compare`.
        num_threads (int): threads the framework uses while timing (default 1).
        language: ``'python'`` (C++ is not supported by Ember).

    Example::

        >>> Timer("x.sum()", setup="x = torch.ones(100)").timeit(1000).mean
    """

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=timer, globals=None,
                 label=None, sub_label=None, description=None, env=None, num_threads=1,
                 language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        if language in (Language.CPP, "cpp", "c++"):
            raise ValueError("Ember's Timer runs Python statements only (C++ statements need "
                             "PyTorch's C++ toolchain; see docs/differences.md).")
        if language not in (Language.PYTHON, "py", "python"):
            raise ValueError(f"Invalid language `{language}`.")
        if global_setup:
            raise ValueError(f"global_setup is C++ only, got `{global_setup}`. Most likely "
                             f"this code can simply be moved to `setup`.")
        import ember
        self._globals = dict(globals or {})
        self._globals.setdefault("torch", ember)
        self._language = Language.PYTHON
        stmt, setup = _clean(stmt), _clean(setup)
        self._timer = timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = common.TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup,
                                          label=label, sub_label=sub_label,
                                          description=description, env=env,
                                          num_threads=num_threads)

    def _timeit(self, number):
        # Never 0: a zero time would break the ratios computed from it.
        return max(self._timer.timeit(number), 1e-9)

    def timeit(self, number=1000000):
        """Run ``stmt`` ``number`` times (after a warm-up of ``number // 100``) and return
        one Measurement of that block."""
        with common.set_torch_threads(self._task_spec.num_threads):
            self._timeit(max(int(number // 100), 2))
            return common.Measurement(number, [self._timeit(number)], self._task_spec)

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def autorange(self, callback=None):
        raise NotImplementedError("See `Timer.blocked_autorange.`")

    def _estimate_block_size(self, min_run_time):
        """The smallest power of ten of executions whose block time dwarfs the timer's own
        overhead (1e-4 relative) and is at least ``min_run_time / 1000``."""
        with common.set_torch_threads(self._task_spec.num_threads):
            overhead = statistics.median(self._timeit(0) for _ in range(5))
            number = 1
            while True:
                taken = self._timeit(number)
                if overhead / taken <= 1e-4 and taken >= min_run_time / 1000:
                    break
                if taken > min_run_time or number * 10 > 2147483647:
                    break
                number *= 10
        return number

    def _loop(self, number, stop, min_run_time, max_run_time=None, callback=None):
        total, times = 0.0, []
        with common.set_torch_threads(self._task_spec.num_threads):
            while True:
                spent = self._timeit(number)
                times.append(spent)
                total += spent
                if callback:
                    callback(number, spent)
                if total >= min_run_time and stop(times):
                    break
                if max_run_time and total > max_run_time:
                    break
        return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Time blocks of ``stmt`` (block size chosen so the clock's overhead is negligible)
        until ``min_run_time`` seconds have been spent; one replicate per block."""
        number = self._estimate_block_size(min_run_time)
        times = self._loop(number, lambda t: True, min_run_time, callback=callback)
        return common.Measurement(number, times, self._task_spec)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0,
                           callback=None):
        """Like :meth:`blocked_autorange`, but keep going until IQR / median is below
        ``threshold`` (with more than 3 blocks and ``min_run_time`` spent) or
        ``max_run_time`` is reached."""
        number = self._estimate_block_size(min_run_time=0.05)

        def stop(times):
            return len(times) > 3 and common.Measurement(
                number, times, self._task_spec).meets_confidence(threshold=threshold)
        times = self._loop(number, stop, min_run_time, max_run_time, callback)
        return common.Measurement(number, times, self._task_spec)

    def collect_callgrind(self, *args, **kwargs):
        raise NotImplementedError("collect_callgrind needs Valgrind and PyTorch's C++ "
                                  "bindings; Ember measures wall time only (see "
                                  "docs/differences.md)")


def _clean(code):
    code = textwrap.dedent(code)
    return (code[1:] if code and code[0] == "\n" else code).rstrip()
