"""The backward pass: walks the graph by dependency count, never by recursion.

1. Count, for every node reachable from the roots, how many edges point at it.
2. Run a node once all its consumers have sent their gradient; sum what arrives per output.
3. Leaves' AccumulateGrad nodes add into ``.grad`` (or hand the gradient to ``autograd.grad``).
Saved tensors are freed as each node finishes, unless ``retain_graph``.
"""
import traceback
import warnings

import numpy as np

from .grad_mode import state
from .graph import AccumulateGrad


def _collect(root_nodes):
    """Dependency counts of every node reachable from root_nodes (iterative DFS)."""
    deps = {}
    seen = set(root_nodes)
    stack = list(root_nodes)
    while stack:
        node = stack.pop()
        for edge in node._next:
            if edge is None:
                continue
            child = edge[0]
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, seen


def _needed(root_nodes, targets):
    """Nodes that lie on a path from a root to a target (post-order, iterative)."""
    needed = {}
    stack = [(n, False) for n in root_nodes]
    while stack:
        node, expanded = stack.pop()
        if node in needed and not expanded:
            continue
        if expanded:
            needed[node] = node in targets or any(
                e is not None and needed.get(e[0], False) for e in node._next)
            continue
        needed[node] = False  # provisional: marks "visiting"
        stack.append((node, True))
        for e in node._next:
            if e is not None and e[0] not in needed:
                stack.append((e[0], False))
    return {n for n, ok in needed.items() if ok}


def _check_nan(node, grads):
    for i, g in enumerate(grads):
        if g is not None and g.dtype.category >= 2 and bool(np.isnan(g._data).any()):
            trace = (node._extra or {}).get("trace")
            if trace:
                warnings.warn("Error detected in " + type(node).__name__ + ". Traceback of "
                              "forward call that caused the error:\n" + "".join(trace))
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output.")


def _apply_tensor_hooks(node, buf):
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


def _accumulate(node, grad, create_graph, handed):
    from ..tensor import Tensor
    t = node.variable
    hooks = t._hooks
    if hooks:
        for fn in list(hooks.values()):
            res = fn(grad)
            if res is not None:
                grad = res
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
        if od.shape == grad._data.shape and od.flags.writeable and od.dtype == grad._data.dtype:
            od += grad._data
            old._vc[0] += 1
        else:
            t._grad = Tensor._wrap((od + grad._data).astype(od.dtype, copy=False))
    post = t._meta.get("post_accumulate") if t._meta else None
    if post:
        for fn in list(post.values()):
            fn(t)


def execute(roots, retain_graph, create_graph, capture=None, accumulate=True):
    """Run backward from ``roots`` (list of ((node, nr), grad)).

    capture: dict mapping (node, nr) to a slot index; the gradient reaching that output is
    stored in the returned list instead of (or, for ``inputs=``, as well as) accumulated.
    """
    root_nodes = []
    buffers = {}
    handed = set()
    for (node, nr), g in roots:
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * _n_outputs(node)
            root_nodes.append(node)
        buf[nr] = g if buf[nr] is None else buf[nr] + g
        handed.add(id(g._data))
    deps, _ = _collect(root_nodes)
    captured = None
    needed = None
    if capture is not None:
        captured = [None] * (max(capture.values()) + 1 if capture else 0)
        needed = _needed(root_nodes, {n for n, _ in capture})
    ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    prev_mode = state.enabled
    state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            if needed is not None and node not in needed:
                continue
            if buf is not None and node._extra is not None:
                _apply_tensor_hooks(node, buf)
            if capture is not None and buf is not None:
                for nr in range(len(buf)):
                    slot = capture.get((node, nr))
                    if slot is not None and buf[nr] is not None:
                        captured[slot] = buf[nr] if captured[slot] is None \
                            else captured[slot] + buf[nr]
            if type(node) is AccumulateGrad:
                if buf is not None and buf[0] is not None and accumulate and \
                        (capture is None or (node, 0) in capture):
                    _accumulate(node, buf[0], create_graph, handed)
                continue
            nexts = node._next
            grads = None
            if buf is not None and any(g is not None for g in buf):
                grads = _run_node(node, buf)
                if not retain_graph:
                    node._release()
            for i, edge in enumerate(nexts):
                if edge is None:
                    continue
                child, nr = edge
                if grads is not None and i < len(grads):
                    g = grads[i]
                    if g is not None:
                        cbuf = buffers.get(child)
                        if cbuf is None:
                            cbuf = buffers[child] = [None] * _n_outputs(child)
                        cbuf[nr] = g if cbuf[nr] is None else cbuf[nr] + g
                left = deps[child] - 1
                deps[child] = left
                if left == 0:
                    ready.append(child)
    finally:
        state.enabled = prev_mode
    return captured


def _n_outputs(node):
    return getattr(node, "_n_out", 1)


def _run_node(node, buf):
    ex = node._extra
    if ex is not None and "pre_hooks" in ex:
        for fn in list(ex["pre_hooks"].values()):
            res = fn(tuple(buf))
            if res is not None:
                buf = list(res)
    grads = node.backward(*buf)
    if type(grads) is not tuple:
        grads = (grads,) if not isinstance(grads, list) else tuple(grads)
    if ex is not None and "hooks" in ex:
        for fn in list(ex["hooks"].values()):
            res = fn(grads, tuple(buf))
            if res is not None:
                grads = tuple(res)
    if state.anomaly:
        _check_nan(node, grads)
    return grads


def record_trace(node):
    """In anomaly mode, keep the forward stack of an op on its node."""
    node._extras()["trace"] = traceback.format_stack()[:-2]
