"""``torch.einsum``: the subscripts are parsed once and every contraction is routed to a
batched matmul (BLAS) over permuted/reshaped views. The result is built from differentiable
Tensor ops, so backward is again a chain of matmuls."""
import numpy as np

from ..tensor import Tensor

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist_to_str(sub):
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        elif isinstance(s, int) and 0 <= s < 52:
            out.append(_LETTERS[s])
        else:
            raise ValueError("einsum(): subscript in subscript list is not within the valid "
                             "range [0, 52)")
    return "".join(out)


def _parse_args(args):
    if isinstance(args[0], str):
        eq = args[0]
        ops = args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
        return eq.replace(" ", ""), list(ops)
    # Sublist form: einsum(op0, sub0, op1, sub1, ..., [sub_out])
    ops, subs = [], []
    rest = list(args)
    while len(rest) >= 2:
        ops.append(rest.pop(0))
        subs.append(_sublist_to_str(rest.pop(0)))
    eq = ",".join(subs)
    if rest:
        eq += "->" + _sublist_to_str(rest[0])
    return eq, ops


def _tokens(sub, ndim, i):
    """Labels of one operand, with '...' expanded to None placeholders."""
    if sub.count("...") > 1 or sub.replace("...", "").count("."):
        raise RuntimeError("einsum(): found '.' for operand " + str(i) + " that is not part of "
                           "any ellipsis")
    labels = []
    has_ell = "..." in sub
    pre, _, post = sub.partition("...")
    for c in pre + post:
        if c not in _LETTERS:
            raise RuntimeError(f"einsum(): invalid subscript given at index {sub.index(c)} in "
                               f"the equation string, subscripts must be in [a-zA-Z]")
    n_named = len(pre) + len(post)
    if (not has_ell and n_named != ndim) or (has_ell and n_named > ndim):
        raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_named}) "
                           + ("is more than" if has_ell else "does not match")
                           + f" the number of dimensions ({ndim}) for operand {i}"
                           + ("" if has_ell else " and no ellipsis was given"))
    n_ell = ndim - n_named
    return list(pre), n_ell, list(post), has_ell


def einsum(*args):
    """Sum of products over the labelled dimensions, e.g. ``einsum('bij,bjk->bik', a, b)``."""
    if not args:
        raise TypeError("einsum(): must specify the equation string and at least one operand, "
                        "or at least one operand and its subscripts list")
    eq, ops = _parse_args(args)
    for o in ops:
        if not isinstance(o, Tensor):
            raise TypeError(f"einsum(): expected Tensor operands, got {type(o).__name__}")
    lhs, arrow, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) > len(ops):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(subs) < len(ops):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    parsed = [_tokens(s, o.ndim, i) for i, (s, o) in enumerate(zip(subs, ops))]
    n_ell = max((p[1] for p in parsed if p[3]), default=0)
    ell = [f"#{k}" for k in range(n_ell)]  # ellipsis dims get private labels
    terms = []
    for pre, k, post, _ in parsed:
        terms.append(pre + ell[n_ell - k:] + post)
    # sizes (size-1 dims broadcast)
    sizes = {}
    for i, (lab, o) in enumerate(zip(terms, ops)):
        for c, s in zip(lab, o.shape):
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = s
            elif s != 1 and s != prev:
                if c.startswith("#"):
                    raise RuntimeError("einsum(): operands do not broadcast with remapped "
                                       "shapes (original->remapped)")
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {i} which "
                                   f"does not broadcast with previously seen size {prev}")
    if arrow:
        if rhs.count("...") > 1:
            raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis")
        pre, _, post = rhs.partition("...")
        out = list(pre) + (ell if "..." in rhs else []) + list(post)
        for c in pre + post:
            if c not in _LETTERS:
                raise RuntimeError("einsum(): invalid subscript given in the output, subscripts "
                                   "must be in [a-zA-Z]")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
        if len(set(out)) != len(out):
            raise RuntimeError("einsum(): output subscript appears more than once in the output")
    else:
        counts = {}
        for lab in terms:
            for c in lab:
                counts[c] = counts.get(c, 0) + 1
        out = ell + sorted((c for c in counts if not c.startswith("#") and counts[c] == 1),
                           key=lambda c: (c.isupper(), c))
    return _evaluate(list(ops), terms, out, sizes)


def _needed(terms, out, skip):
    need = set(out)
    for j, lab in enumerate(terms):
        if j not in skip:
            need.update(lab)
    return need


def _prepare(t, lab, sizes, need):
    """Take repeated-label diagonals, drop broadcast size-1 dims, sum labels used nowhere else."""
    lab = list(lab)
    while True:
        dup = next((c for c in lab if lab.count(c) > 1), None)
        if dup is None:
            break
        i = lab.index(dup)
        j = lab.index(dup, i + 1)
        t = t.diagonal(0, i, j)  # the diagonal dim goes last
        lab = [c for k, c in enumerate(lab) if k not in (i, j)] + [dup]
    squeeze = [k for k, c in enumerate(lab) if t.shape[k] == 1 and sizes[c] != 1]
    if squeeze:
        t = t.squeeze(tuple(squeeze)) if len(squeeze) < t.ndim or t.ndim else t
        lab = [c for k, c in enumerate(lab) if k not in squeeze]
    drop = [k for k, c in enumerate(lab) if c not in need]
    if drop:
        t = t.sum(tuple(drop))
        lab = [c for k, c in enumerate(lab) if k not in drop]
    return t, lab


def _contract(a, la, b, lb, need):
    """Contract two operands over their shared labels with one (batched) matmul."""
    sb = set(lb)
    sa = set(la)
    batch = [c for c in la if c in sb and c in need]
    summed = [c for c in la if c in sb and c not in need]
    a_only = [c for c in la if c not in sb]
    b_only = [c for c in lb if c not in sa]
    if not summed and not batch:
        # Outer product: a broadcast multiply is cheaper than a K=1 GEMM.
        ra = a.reshape(tuple(a.shape) + (1,) * len(b_only))
        return ra * b, la + lb
    pa = [la.index(c) for c in batch + a_only + summed]
    pb = [lb.index(c) for c in batch + summed + b_only]
    if pa != list(range(len(pa))):
        a = a.permute(pa)
    if pb != list(range(len(pb))):
        b = b.permute(pb)
    nb = len(batch)
    bshape = tuple(a.shape[:nb])
    ash = tuple(a.shape[nb:nb + len(a_only)])
    bsh = tuple(b.shape[nb + len(summed):])
    M = int(np.prod(ash)) if ash else 1
    K = int(np.prod(a.shape[nb + len(a_only):])) if summed else 1
    N = int(np.prod(bsh)) if bsh else 1
    a3 = a.reshape(bshape + (M, K))
    b3 = b.reshape(bshape + (K, N))
    r = a3 @ b3
    return r.reshape(bshape + ash + bsh), batch + a_only + b_only


def _order(terms, out, sizes):
    """Contraction order for 3+ operands (NumPy's greedy path on shape-only dummies)."""
    letters = {}
    for lab in terms + [out]:
        for c in lab:
            if c not in letters:
                letters[c] = _LETTERS[len(letters)]
    if len(letters) > 52:
        return None
    eq = ",".join("".join(letters[c] for c in lab) for lab in terms) + "->" + \
        "".join(letters[c] for c in out)
    dummies = [np.broadcast_to(np.zeros((), np.float32), tuple(sizes[c] for c in lab))
               for lab in terms]
    path = np.einsum_path(eq, *dummies, optimize="greedy")[0]
    return [p for p in path[1:]]


def _evaluate(ops, terms, out, sizes):
    n = len(ops)
    if n > 2:
        path = _order(terms, out, sizes) or [(0, 1)] * (n - 1)
    else:
        path = [(0, 1)] if n == 2 else []
    items = []
    for i in range(n):
        need = _needed(terms, out, {i})
        items.append(_prepare(ops[i], terms[i], sizes, need))
    for step in path:
        step = sorted(step, reverse=True)
        picked = [items.pop(i) for i in step]
        cur_t, cur_l = picked.pop()
        rest_terms = [lab for _, lab in items]
        while picked:
            nt, nl = picked.pop()
            need = set(out)
            for lab in rest_terms:
                need.update(lab)
            for _, lab in picked:
                need.update(lab)
            cur_t, cur_l = _prepare(cur_t, cur_l, sizes, need | set(nl))
            nt, nl = _prepare(nt, nl, sizes, need | set(cur_l))
            cur_t, cur_l = _contract(cur_t, cur_l, nt, nl, need)
        items.append((cur_t, cur_l))
    while len(items) > 1:  # leftovers from a partial path
        (bt, bl), (at, al) = items.pop(), items.pop()
        need = set(out)
        for _, lab in items:
            need.update(lab)
        items.append(_contract(at, al, bt, bl, need))
    t, lab = items[0]
    t, lab = _prepare(t, lab, sizes, set(out))
    missing = [c for c in out if c not in lab]
    if missing:  # output labels that only ever had broadcast size-1 dims
        for c in missing:
            t = t.unsqueeze(-1)
            lab = lab + [c]
    perm = [lab.index(c) for c in out]
    if perm != list(range(len(perm))):
        t = t.permute(perm)
    target = tuple(sizes[c] for c in out)
    if tuple(t.shape) != target:
        t = t.expand(target)
    if t is ops[0]:
        t = t.clone()
    return t
