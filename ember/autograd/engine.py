"""The backward pass: walks the graph by dependency count, never by recursion.

1. Count, for every node reachable from the roots, how many edges point at it.
2. Run a node once all its consumers have sent their gradient; sum what arrives per output.
3. Leaves' AccumulateGrad nodes add into ``.grad`` (or hand the gradient to ``autograd.grad``).
Saved tensors are freed as each node finishes, unless ``retain_graph``.

This loop runs once per node of every training step, so it is written flat: no per-node
helper calls on the common path (no hooks, no anomaly mode, one output per node).
"""
import traceback
import warnings

import numpy as np

from .grad_mode import state
from .graph import AccumulateGrad


def _count_deps(root_nodes, needed=None):
    """Number of edges pointing at each node reachable from root_nodes (iterative DFS).

    With ``needed``, only nodes in that set are visited and counted.
    """
    deps = dict.fromkeys(root_nodes, 0)
    stack = list(root_nodes)
    pop = stack.pop
    push = stack.append
    get = deps.get
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
    captured = runnable = None
    if capture is None:
        deps = _count_deps(root_nodes)
    else:
        captured = [None] * (max(capture.values()) + 1 if capture else 0)
        needed, runnable = _needed(root_nodes, {n for n, _ in capture})
        deps = _count_deps([n for n in root_nodes if n in needed], needed)
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
    from ..tensor import Tensor
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
            t._grad = Tensor._wrap(arr)
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
            t._grad = Tensor._wrap((od + gd).astype(od.dtype, copy=False))
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
