"""The backward pass: walks the graph by dependency count, never by recursion.

1. Count, for every node reachable from the roots, how many edges point at it.
2. Run a node once all its consumers have sent their gradient; sum what arrives per output.
3. Leaves' AccumulateGrad nodes add into ``.grad`` (or hand the gradient to ``autograd.grad``).
Saved tensors are freed as each node finishes, unless ``retain_graph``.

This loop runs once per node of every training step, so it is written flat: no per-node
helper calls on the common path (no hooks, no anomaly mode, one output per node).

Two loops share that structure. Without ``create_graph`` (the common case) gradients travel as
raw arrays and nodes with an entry in ``FAST_BACKWARD`` (filled by ``ember/ops/_fastgrad.py``)
compute on arrays directly; other nodes get their arrays wrapped as Tensors and run their
(Tensor-op) ``backward``. With ``create_graph`` gradients stay Tensors, so the backward
formulas themselves are recorded and can be differentiated again.
"""
import traceback
import warnings

import numpy as np

from .grad_mode import state
from .graph import _FREED, _PACKED, AccumulateGrad

# Node class (exact type, not subclasses) -> fn(node, g) for single-output nodes: ``g`` is the
# gradient array of the output; returns a tuple with one array (or None) per input edge, or
# None to hand the node to its Tensor-op ``backward`` instead (an unusual dtype, say).
FAST_BACKWARD = {}
_ndarray = np.ndarray
_generic = np.generic


class _NoGrads:
    """grads of a node that sent nothing: None for every edge (for zip in the loop)."""

    def __iter__(self):
        while True:
            yield None


_NONES = _NoGrads()

_wrap = None  # Tensor._wrap; the engine is imported before Tensor exists, so set on first use


def _load_wrap():
    global _wrap
    from ..tensor import Tensor
    _wrap = Tensor._wrap
    return _wrap


def _count_deps(root_nodes, needed=None):
    """Number of edges pointing at each node reachable from root_nodes (iterative DFS).

    With ``needed``, only nodes in that set are visited and counted.
    """
    deps = dict.fromkeys(root_nodes, 0)
    stack = list(root_nodes)
    pop = stack.pop
    push = stack.append
    get = deps.get
    if needed is None:  # the common case, without the membership test
        while stack:
            for edge in pop()._next:
                if edge is not None:
                    child = edge[0]
                    d = get(child)
                    if d is None:
                        deps[child] = 1
                        push(child)
                    else:
                        deps[child] = d + 1
        return deps
    while stack:
        for edge in pop()._next:
            if edge is not None:
                child = edge[0]
                d = get(child)
                if d is None:
                    if needed is not None and child not in needed:
                        continue
                    deps[child] = 1
                    push(child)
                else:
                    deps[child] = d + 1
    return deps


def _needed(root_nodes, targets):
    """(needed, runnable): nodes with a path to a target, and those whose backward must run
    because one of their children is needed (a target with nothing needed below is not run)."""
    order = []  # post-order: every node after all of its children
    visited = set()
    for root in root_nodes:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root._next))]
        while stack:
            node, it = stack[-1]
            for e in it:
                if e is not None and e[0] not in visited:
                    visited.add(e[0])
                    stack.append((e[0], iter(e[0]._next)))
                    break
            else:
                stack.pop()
                order.append(node)
    needed = set()
    runnable = set()
    for node in order:
        below = False
        for e in node._next:
            if e is not None and e[0] in needed:
                below = True
                break
        if below:
            runnable.add(node)
            needed.add(node)
        elif node in targets:
            needed.add(node)
    return needed, runnable


def _sum_grads(a, b, create_graph):
    """a + b for two gradients of one output; array-level unless building a graph."""
    if create_graph or a._requires_grad or b._requires_grad:
        return a + b
    ad = a._data
    bd = b._data
    if ad.dtype == bd.dtype and ad.shape == bd.shape:
        return a._wrap(ad + bd)
    return a + b


def execute(roots, retain_graph, create_graph, capture=None, accumulate=True):
    """Run backward from ``roots`` (a list of ((node, output_nr), grad)).

    capture: dict mapping (node, output_nr) to a slot index; the gradient reaching that output
    is returned in a list (for ``autograd.grad`` / ``backward(inputs=)``). Only the part of the
    graph leading to captured outputs runs then. ``accumulate``: whether leaves reached (and,
    with capture, captured) accumulate into ``.grad``.
    """
    if not create_graph:
        return _execute_arrays(roots, retain_graph, capture, accumulate)
    return _execute_tensors(roots, retain_graph, create_graph, capture, accumulate)


def _plan(root_nodes, capture):
    """(deps, runnable, captured) for a backward from root_nodes (see execute)."""
    if capture is None:
        return _count_deps(root_nodes), None, None
    captured = [None] * (max(capture.values()) + 1 if capture else 0)
    needed, runnable = _needed(root_nodes, {n for n, _ in capture})
    deps = _count_deps([n for n in root_nodes if n in needed], needed)
    return deps, runnable, captured


def _execute_arrays(roots, retain_graph, capture, accumulate):
    """execute() without create_graph: gradients are arrays from root to leaf.

    Wrapping each gradient in a Tensor and running Tensor-op formulas costs more than the
    arithmetic on small tensors; here a node in FAST_BACKWARD runs on arrays, and only the
    rest (custom Functions, fused nodes, hooks, anomaly mode) see Tensors.
    """
    wrap = _wrap or _load_wrap()
    buffers = {}
    root_nodes = []
    handed = set()  # ids of arrays some leaf or the caller already owns (see _accumulate_array)
    for (node, nr), g in roots:
        g = g._data
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_out
            root_nodes.append(node)
        buf[nr] = g if buf[nr] is None else _add_arrays(buf[nr], g)
        handed.add(id(g))
    deps, runnable, captured = _plan(root_nodes, capture)
    # The ready stack holds (node, gradient) pairs: the gradient array of a single-output
    # node, a list with one slot per output for others, or None when nothing arrived. A node
    # with one consumer (most of them) goes onto it straight from that consumer; only nodes
    # still waiting for more consumers park a partial gradient in ``buffers``.
    for n in root_nodes:
        if n._n_out == 1:
            buffers[n] = buffers[n][0]
    ready = [(n, buffers.pop(n)) for n in root_nodes if deps.get(n) == 0]
    anomaly = state.anomaly
    prev_mode = state.enabled
    state.enabled = False
    fast_get = FAST_BACKWARD.get
    deps_get = deps.get
    buf_pop = buffers.pop
    buf_get = buffers.get
    pop = ready.pop
    push = ready.append
    runs = 0
    try:
        while ready:
            node, g = pop()
            runs += 1
            nxt = node._next
            if g is not None:
                cls = type(node)
                extra = node._extra
                if extra is not None:
                    g = _tensor_hooks_arrays(node, g, wrap)
                if cls is AccumulateGrad:
                    if g is not None:
                        _leaf_array(node, g, handed, capture, captured, accumulate)
                    continue
                if capture is not None:
                    _capture_arrays(node, g, capture, captured)
                    if node not in runnable:
                        continue
                grads = None
                if extra is None and not anomaly and type(g) is not list:
                    fn = fast_get(cls)
                    if fn is not None:
                        # one entry per edge (a longer tuple is cut by zip below; a shorter
                        # one leaves nodes unrun, which the count after the loop catches)
                        grads = fn(node, g)
                if grads is None:
                    grads = _backward_tensors(node, g, anomaly, wrap)
                if not retain_graph:
                    # node._release(), inlined for nodes without packed or extra state
                    if node._has_release_extra or node._saved is _PACKED:
                        node._release()
                    else:
                        if node._versions is not None:
                            node._saved = None
                            node._versions = _FREED
                        node._out = None
            else:
                grads = _NONES
            for g, edge in zip(grads, nxt):
                if edge is None:
                    continue
                child = edge[0]
                d = deps_get(child)
                if d is None:  # not needed for the captured outputs
                    continue
                if g is not None and type(g) is not _ndarray and isinstance(g, _generic):
                    g = np.asarray(g)  # NumPy gives scalars for 0-d results
                if d == 1:  # the last consumer: the child is ready
                    if buffers:
                        old = buf_pop(child, None)
                        if old is not None:
                            g = _merge(old, edge[1], g) if g is not None else old
                            push((child, g))
                            continue
                    if g is not None and child._n_out != 1:
                        cbuf = [None] * child._n_out
                        cbuf[edge[1]] = g
                        g = cbuf
                    push((child, g))
                else:
                    deps[child] = d - 1
                    if g is not None:
                        old = buf_get(child)
                        if old is not None:
                            buffers[child] = _merge(old, edge[1], g)
                        elif child._n_out == 1:
                            buffers[child] = g
                        else:
                            cbuf = buffers[child] = [None] * child._n_out
                            cbuf[edge[1]] = g
    finally:
        state.enabled = prev_mode
    if runs != len(deps):
        raise RuntimeError("autograd engine: an array-level backward (FAST_BACKWARD) returned "
                           "fewer gradients than its node has inputs")
    if captured is not None:
        captured = [None if a is None else wrap(a) for a in captured]
    return captured


def _merge(old, nr, g):
    """Add gradient g for output nr to a parked one (an array, or a list per output)."""
    if type(old) is list:
        _put(old, nr, g)
        return old
    if old.dtype == g.dtype and old.shape == g.shape:
        return old + g
    return _add_arrays(old, g)


def _put(buf, nr, g):
    old = buf[nr]
    if old is None:
        buf[nr] = g
    elif old.dtype == g.dtype and old.shape == g.shape:
        buf[nr] = old + g
    else:
        buf[nr] = _add_arrays(old, g)


def _as_array(a):
    """NumPy arithmetic on 0-d arrays returns scalars (np.float32); gradients that reach
    user-visible places (``.grad``, ``autograd.grad`` results, hooks) must be 0-d arrays."""
    return np.asarray(a) if isinstance(a, np.generic) else a


def _capture_arrays(node, buf, capture, captured):
    if type(buf) is not list:
        buf = [buf]
    for nr in range(len(buf)):
        slot = capture.get((node, nr))
        if slot is not None and buf[nr] is not None:
            old = captured[slot]
            captured[slot] = _as_array(buf[nr]) if old is None else _add_arrays(old, buf[nr])


def _add_arrays(a, b):
    """Sum of two gradient arrays of one output (Tensor promotion when they differ)."""
    if a.dtype == b.dtype and a.shape == b.shape:
        return _as_array(a + b)
    from ..tensor import Tensor
    return (Tensor._wrap(a) + Tensor._wrap(b))._data


def _backward_tensors(node, buf, anomaly, wrap):
    """A node's Tensor-op backward inside the array loop: wrap in, unwrap out."""
    tbuf = [wrap(buf)] if type(buf) is not list else [None if a is None else wrap(a)
                                                      for a in buf]
    if node._extra is None and not anomaly:
        grads = node.backward(*tbuf)
    else:
        grads = _run_node(node, tbuf, anomaly)
    n = len(node._next)
    if type(grads) is not tuple:
        grads = tuple(grads) if type(grads) is list else (grads,)
    if len(grads) != n:
        grads = (grads + (None,) * n)[:n]
    return tuple([None if g is None else g._data for g in grads])


def _tensor_hooks_arrays(node, buf, wrap):
    single = type(buf) is not list
    tbuf = [wrap(_as_array(buf))] if single else \
        [None if a is None else wrap(_as_array(a)) for a in buf]
    _tensor_hooks(node, tbuf)
    out = [None if t is None else t._data for t in tbuf]
    return out[0] if single else out


def _leaf_array(node, grad, handed, capture, captured, accumulate):
    grad = _as_array(grad)
    t = node.variable
    hooks = t._hooks
    if hooks:
        from ..tensor import Tensor
        gt = Tensor._wrap(grad)
        for fn in list(hooks.values()):
            res = fn(gt)
            if res is not None:
                gt = res
        grad = gt._data
    if capture is not None:
        slot = capture.get((node, 0))
        if slot is None:
            return
        old = captured[slot]
        captured[slot] = grad if old is None else _add_arrays(old, grad)
    if accumulate:
        _accumulate_array(t, grad, handed)


def _accumulate_array(t, arr, handed):
    wrap = _wrap or _load_wrap()
    old = t._grad
    if old is None:
        # The engine may pass one gradient array to several leaves (x + y) or hand back
        # the caller's own gradient: copy so that in-place updates of .grad stay private.
        if arr.base is not None or id(arr) in handed or not arr.flags.writeable:
            arr = arr.copy()
        handed.add(id(arr))
        t._grad = wrap(arr)
    elif old._requires_grad:
        t._grad = old + wrap(arr)
    else:
        od = old._data
        if od.shape == arr.shape and od.dtype == arr.dtype and od.flags.writeable and \
                id(od) not in handed:
            od += arr
            old._vc[0] += 1
        else:
            t._grad = wrap(_as_array((od + arr).astype(od.dtype, copy=False)))
    meta = t._meta
    if meta:
        post = meta.get("post_accumulate")
        if post:
            for fn in list(post.values()):
                fn(t)


def _execute_tensors(roots, retain_graph, create_graph, capture, accumulate):
    """execute() with create_graph: gradients are Tensors and every formula is recorded."""
    buffers = {}
    root_nodes = []
    handed = set()  # ids of arrays some leaf or the caller already owns (see _accumulate)
    for (node, nr), g in roots:
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._n_out
            root_nodes.append(node)
        buf[nr] = g if buf[nr] is None else _sum_grads(buf[nr], g, create_graph)
        handed.add(id(g._data))
    deps, runnable, captured = _plan(root_nodes, capture)
    ready = [n for n in root_nodes if deps.get(n) == 0]
    anomaly = state.anomaly
    prev_mode = state.enabled
    state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            if buf is not None:
                if node._extra is not None:
                    _tensor_hooks(node, buf)
                if type(node) is AccumulateGrad:
                    if buf[0] is not None:
                        _leaf(node, buf[0], create_graph, handed, capture, captured, accumulate)
                    continue
                if capture is not None:
                    _capture(node, buf, capture, captured)
                    if node not in runnable:
                        continue
                if node._extra is None and not anomaly:
                    grads = node.backward(*buf)
                else:
                    grads = _run_node(node, buf, anomaly)
                if type(grads) is not tuple:
                    grads = tuple(grads) if type(grads) is list else (grads,)
                if not retain_graph:
                    node._release()
            else:
                grads = None
            nexts = node._next
            if grads is not None and len(grads) != len(nexts):
                grads = (grads + (None,) * len(nexts))[:len(nexts)]
            i = -1
            for edge in nexts:
                i += 1
                if edge is None:
                    continue
                child = edge[0]
                d = deps.get(child)
                if d is None:  # not needed for the captured outputs
                    continue
                if grads is not None:
                    g = grads[i]
                    if g is not None:
                        cbuf = buffers.get(child)
                        nr = edge[1]
                        if cbuf is None:
                            cbuf = buffers[child] = [None] * child._n_out
                            cbuf[nr] = g
                        elif cbuf[nr] is None:
                            cbuf[nr] = g
                        else:
                            cbuf[nr] = _sum_grads(cbuf[nr], g, create_graph)
                if d == 1:
                    ready.append(child)
                else:
                    deps[child] = d - 1
    finally:
        state.enabled = prev_mode
    return captured


def _capture(node, buf, capture, captured):
    for nr in range(len(buf)):
        slot = capture.get((node, nr))
        if slot is not None and buf[nr] is not None:
            old = captured[slot]
            captured[slot] = buf[nr] if old is None else old + buf[nr]


def _tensor_hooks(node, buf):
    """Hooks registered on a non-leaf output (register_hook), then retain_grad."""
    ex = node._extra
    hooks = ex.get("tensor_hooks")
    if hooks:
        for nr, table in hooks.items():
            for fn in list(table.values()):
                if buf[nr] is None:
                    break
                res = fn(buf[nr])
                if res is not None:
                    buf[nr] = res
    retain = ex.get("retain")
    if retain:
        for nr, ref in retain.items():
            t = ref()
            if t is not None and buf[nr] is not None:
                g = buf[nr] if state.enabled else buf[nr].detach()
                t._grad = g.clone() if t._grad is None else t._grad + g


def _leaf(node, grad, create_graph, handed, capture, captured, accumulate):
    t = node.variable
    hooks = t._hooks
    if hooks:
        for fn in list(hooks.values()):
            res = fn(grad)
            if res is not None:
                grad = res
    if capture is not None:
        slot = capture.get((node, 0))
        if slot is not None:
            old = captured[slot]
            captured[slot] = grad if old is None else old + grad
        else:
            return
    if accumulate:
        _accumulate(t, grad, create_graph, handed)


def _accumulate(t, grad, create_graph, handed):
    wrap = _wrap or _load_wrap()
    old = t._grad
    if old is None:
        if create_graph:
            t._grad = grad
        else:
            arr = grad._data
            # The engine may pass one gradient array to several leaves (x + y) or hand back
            # the caller's own gradient: copy so that in-place updates of .grad stay private.
            if arr.base is not None or id(arr) in handed or not arr.flags.writeable:
                arr = arr.copy()
            handed.add(id(arr))
            t._grad = wrap(arr)
    elif create_graph or old._requires_grad:
        t._grad = old + grad
    else:
        od = old._data
        gd = grad._data
        if od.shape == gd.shape and od.flags.writeable and od.dtype == gd.dtype and \
                id(od) not in handed:
            od += gd
            old._vc[0] += 1
        else:
            t._grad = wrap(_as_array((od + gd).astype(od.dtype, copy=False)))
    post = t._meta.get("post_accumulate") if t._meta else None
    if post:
        for fn in list(post.values()):
            fn(t)


def _run_node(node, buf, anomaly):
    """A node's backward with its pre-hooks, hooks, and anomaly checks."""
    ex = node._extra or {}
    pre = ex.get("pre_hooks")
    if pre:
        for fn in list(pre.values()):
            res = fn(tuple(buf))
            if res is not None:
                buf = list(res)
    if anomaly:
        try:
            grads = node.backward(*buf)
        except Exception:
            _warn_trace(node)
            raise
    else:
        grads = node.backward(*buf)
    if type(grads) is not tuple:
        grads = tuple(grads) if type(grads) is list else (grads,)
    post = ex.get("hooks")
    if post:
        for fn in list(post.values()):
            res = fn(grads, tuple(buf))
            if res is not None:
                grads = tuple(res) if isinstance(res, (tuple, list)) else (res,)
    if anomaly and state.anomaly_check_nan:
        _check_nan(node, grads)
    return grads


def _warn_trace(node):
    trace = (node._extra or {}).get("trace")
    if trace:
        warnings.warn(f"Error detected in {type(node).__name__}. Traceback of forward call that "
                      "caused the error:\n" + "".join(trace), UserWarning, stacklevel=3)


def _check_nan(node, grads):
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind in "fc" and bool(np.isnan(g._host()).any()):
            _warn_trace(node)
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output.")


def record_trace(node):
    """In anomaly mode, keep the forward stack of an op on its node."""
    node._extras()["trace"] = traceback.format_stack()[:-2]
