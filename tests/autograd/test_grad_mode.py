"""no_grad / enable_grad / set_grad_enabled / inference_mode, as context managers and
decorators (plain functions and generators)."""
import threading

from ag_util import leaf, same


def test_context_managers():
    def f(lib):
        x = leaf(lib, [1.])
        out = []
        with lib.no_grad():
            out.append((x * 2).requires_grad)
            out.append(lib.is_grad_enabled())
            with lib.enable_grad():
                out.append((x * 2).requires_grad)
            out.append(lib.is_grad_enabled())
        with lib.set_grad_enabled(False):
            out.append((x * 2).requires_grad)
        out.append(lib.is_grad_enabled())
        lib.set_grad_enabled(False)
        out.append(lib.is_grad_enabled())
        lib.set_grad_enabled(True)
        with lib.inference_mode():
            y = x * 2
            out.append((y.requires_grad, lib.is_inference_mode_enabled(), lib.is_grad_enabled()))
        with lib.inference_mode(False):
            out.append((x * 2).requires_grad)
        return out
    same(f)


def test_decorators():
    def f(lib):
        x = leaf(lib, [1.])

        @lib.no_grad()
        def a():
            return (x * 2).requires_grad

        @lib.no_grad
        def b():
            return (x * 2).requires_grad

        @lib.enable_grad()
        def c():
            return (x * 2).requires_grad

        @lib.inference_mode()
        def d():
            return (x * 2).requires_grad

        @lib.inference_mode
        def e():
            return (x * 2).requires_grad

        @lib.set_grad_enabled(False)
        def g():
            return (x * 2).requires_grad
        res = [a(), b(), c(), d(), e(), g(), lib.is_grad_enabled()]
        with lib.no_grad():
            res.append(c())
        return res, a.__name__
    same(f)


def test_generator_decorator():
    def f(lib):
        @lib.no_grad()
        def gen(n):
            for _ in range(n):
                got = yield lib.is_grad_enabled()
                if got is not None:
                    yield got
            return "done"
        g = gen(2)
        out = [next(g), lib.is_grad_enabled(), g.send("sent"), next(g)]
        try:
            next(g)
        except StopIteration as stop:
            out.append(stop.value)
        return out
    same(f)


def test_exception_restores_mode():
    def f(lib):
        try:
            with lib.no_grad():
                raise ValueError("x")
        except ValueError:
            pass
        return lib.is_grad_enabled()
    same(f)


def test_set_grad_enabled_type_error():
    same(lambda lib: lib.set_grad_enabled(1), message=False)


def test_mode_is_thread_local():
    import ember
    seen = []
    with ember.no_grad():
        t = threading.Thread(target=lambda: seen.append(ember.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_requires_grad_rules():
    def f(lib):
        x = leaf(lib, [1., 2.])
        y = x * 2
        z = lib.ones(2)
        return (x.is_leaf, y.is_leaf, z.is_leaf, x.detach().is_leaf, y.detach().requires_grad,
                (z * 2).is_leaf, z.requires_grad_().requires_grad, z.is_leaf)
    same(f)


def test_requires_grad_errors():
    same(lambda lib: (leaf(lib, [1.]) * 2).requires_grad_(False))
    same(lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_())


def test_detach_shares_version_and_data():
    def f(lib):
        x = leaf(lib, [1., 2.])
        d = x.detach()
        with lib.no_grad():
            x.mul_(2)
        return d, d._version, x._version
    same(f)
