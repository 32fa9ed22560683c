"""Recurrent layers as fused ops: one autograd node per layer and direction.

``rnn_layer`` runs a whole sequence of an LSTM, GRU or Elman RNN layer. The input
projections of all time steps are one matrix product; each step is one product with the
recurrent weights plus a few array operations on all gates at once. Backward loops over the
steps with array code (no per-step graph), then forms the weight gradients of all steps with
one product each. This mirrors PyTorch's fused CPU kernels. With the native kernels built an
LSTM step's gate arithmetic is one compiled call (``backends/csrc/seq.c``) instead of ~10 NumPy
calls; the time loops run OpenBLAS on one thread (``seq_kernels.single_blas_thread``).

Packed sequences are handled through ``batch_sizes``: at time t only the first
``batch_sizes[t]`` rows are active (sequences are sorted by decreasing length), inactive rows
keep their state, so the final states are each sequence's state at its own last step.

Layouts follow PyTorch: gates ``[i, f, g, o]`` (LSTM) and ``[r, z, n]`` (GRU), stacked in the
rows of ``weight_ih`` / ``weight_hh``.
"""
import numpy as np

from ..autograd.graph import Node
from ..backends import seq_kernels
from ..backends.dispatch import xp_of
from ..backends.gemm import mm
from ._fused import attach_multi, building_graph, composite_grads, row_sum
from ._util import grad_needed, wrap

MODES = ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")


def _t(w):
    return None if w is None else w._data


def _steps(n, reverse):
    return range(n - 1, -1, -1) if reverse else range(n)


def _cell_kernels(*arrays):
    """The compiled LSTM cell (native), when built and every array is C-contiguous float32
    NumPy; else None and the NumPy step code runs."""
    kern = seq_kernels.kernels()
    if kern is None or not seq_kernels.usable(*arrays):
        return None
    return kern


# ---------------------------------------------------------------- forward kernels
def _lstm_forward(proj, h0, c0, whh_t, whr, reverse, bs):
    """One LSTM direction over all steps.

    proj: (T, B, 4H) input projections with both biases, i/f/o columns pre-halved (see
    rnn_layer); whh_t: (P, 4H) transposed recurrent weights, pre-halved the same way.
    States are kept in processing order: hs[s] / cs[s] hold the state before step s.
    Returns the output (T, B, P) in time order and the arrays backward needs.
    """
    xpm = xp_of(proj)
    n, nb, h4 = proj.shape
    hid = h4 // 4
    p = h0.shape[1]
    dt = proj.dtype
    # sigmoid(x) = 0.5 + 0.5 * tanh(x / 2): with i/f/o pre-halved, one tanh per step serves
    # all four gates; then scale/shift turns the i, f, o columns into sigmoids.
    # (Full-shape scale/shift arrays: same-shape products are ~3x faster than broadcasting.)
    scale = xpm.full((nb, h4), 0.5, dt)
    scale[:, 2 * hid:3 * hid] = 1
    shift = 1 - scale
    hs = xpm.empty((n + 1, nb, p), dt)
    cs = xpm.empty((n + 1, nb, hid), dt)
    hs[0] = h0
    cs[0] = c0
    gates = xpm.empty((n, nb, h4), dt)   # gate values [i, f, g, o] of each step
    tcs = xpm.empty((n, nb, hid), dt)    # tanh(c) of each step
    hfull = xpm.empty((n, nb, hid), dt) if whr is not None else None
    whr_t = xpm.ascontiguousarray(whr.T) if whr is not None else None
    tmp = xpm.empty((nb, hid), dt)
    kern = _cell_kernels(proj, hs)
    if kern is not None:  # flat per-step views for the compiled cell
        gf, pf, sf = gates.reshape(n, -1), proj.reshape(n, -1), scale.reshape(-1)
        cf, tf = cs.reshape(n + 1, -1), tcs.reshape(n, -1)
        hf = hs.reshape(n + 1, -1) if whr is None else hfull.reshape(n, -1)
    for s in range(n):
        t = n - 1 - s if reverse else s
        b = nb if bs is None else int(bs[t])
        g = gates[s, :b]
        mm(hs[s, :b], whh_t, out=g)
        if kern is not None:
            kern.lstm_cell_fwd(gf[s], pf[t], sf, cf[s], cf[s + 1], tf[s],
                               hf[s + 1] if whr is None else hf[s], b, hid)
            if whr is not None:
                mm(hfull[s, :b], whr_t, out=hs[s + 1, :b])
            if b < nb:  # finished sequences keep their state
                hs[s + 1, b:] = hs[s, b:]
                cs[s + 1, b:] = cs[s, b:]
            continue
        g += proj[t, :b]
        xpm.tanh(g, out=g)
        g *= scale[:b]
        g += shift[:b]
        c = cs[s + 1, :b]
        xpm.multiply(g[:, hid:2 * hid], cs[s, :b], out=c)
        ig = tmp[:b]
        xpm.multiply(g[:, :hid], g[:, 2 * hid:3 * hid], out=ig)
        c += ig
        tc = tcs[s, :b]
        xpm.tanh(c, out=tc)
        if whr is None:
            xpm.multiply(g[:, 3 * hid:], tc, out=hs[s + 1, :b])
        else:
            hf = hfull[s, :b]
            xpm.multiply(g[:, 3 * hid:], tc, out=hf)
            mm(hf, whr_t, out=hs[s + 1, :b])
        if b < nb:  # finished sequences keep their state
            hs[s + 1, b:] = hs[s, b:]
            cs[s + 1, b:] = cs[s, b:]
    out = hs[1:][::-1] if reverse else hs[1:]
    out = xpm.ascontiguousarray(out) if reverse else out.copy()
    if bs is not None:
        for t in range(n):
            out[t, int(bs[t]):] = 0
    return out, hs[n], cs[n], (gates, hs, cs, tcs, hfull)


def _gru_forward(xp_, h, whh, bhh, reverse, bs):
    """xp_: (T, B, 3H) input projections with b_ih; h (B, H) updated in place."""
    xpm = xp_of(xp_)
    n, nb, h3 = xp_.shape
    hid = h3 // 3
    dt = xp_.dtype
    whh_t = xpm.ascontiguousarray(whh.T)
    gates = xpm.zeros((n, nb, h3), dt) if bs is not None else xpm.empty((n, nb, h3), dt)
    hns = xpm.zeros((n, nb, hid), dt) if bs is not None else xpm.empty((n, nb, hid), dt)
    hprev = xpm.empty((n, nb, hid), dt)
    out = xpm.zeros((n, nb, hid), dt) if bs is not None else xpm.empty((n, nb, hid), dt)
    hp = xpm.empty((nb, h3), dt)
    for t in _steps(n, reverse):
        b = nb if bs is None else int(bs[t])
        hprev[t] = h
        g = gates[t, :b]
        hpb = hp[:b]
        mm(h[:b], whh_t, out=hpb)
        if bhh is not None:
            hpb += bhh
        rz = g[:, :2 * hid]
        xpm.add(xp_[t, :b, :2 * hid], hpb[:, :2 * hid], out=rz)
        rz *= 0.5
        xpm.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5
        hns[t, :b] = hpb[:, 2 * hid:]
        nn_ = g[:, 2 * hid:]
        xpm.multiply(rz[:, :hid], hpb[:, 2 * hid:], out=nn_)
        nn_ += xp_[t, :b, 2 * hid:]
        xpm.tanh(nn_, out=nn_)
        o = out[t, :b]
        xpm.subtract(h[:b], nn_, out=o)      # h' = n + z * (h - n)
        o *= rz[:, hid:]
        o += nn_
        h[:b] = o
    return out, (gates, hns, hprev)


def _rnn_forward(xp_, h, whh, relu, reverse, bs):
    xpm = xp_of(xp_)
    n, nb, hid = xp_.shape
    dt = xp_.dtype
    whh_t = xpm.ascontiguousarray(whh.T)
    hprev = xpm.empty((n, nb, hid), dt)
    out = xpm.zeros((n, nb, hid), dt) if bs is not None else xpm.empty((n, nb, hid), dt)
    for t in _steps(n, reverse):
        b = nb if bs is None else int(bs[t])
        hprev[t] = h
        o = out[t, :b]
        mm(h[:b], whh_t, out=o)
        o += xp_[t, :b]
        if relu:
            xpm.maximum(o, 0, out=o)
        else:
            xpm.tanh(o, out=o)
        h[:b] = o
    return out, (hprev,)


# ---------------------------------------------------------------- backward kernels
def _lstm_backward(saved, gout, dh, dc, whh, whr, reverse, bs):
    """Returns dG (T, B, 4H) pre-activation gate gradients in processing order, dh0, dc0,
    dWhr."""
    gates, hs, cs, tcs, hfull = saved
    xpm = xp_of(gates)
    n, nb, h4 = gates.shape
    hid = h4 // 4
    dt = gates.dtype
    dgates = xpm.zeros((n, nb, h4), dt) if bs is not None else xpm.empty((n, nb, h4), dt)
    dh_all = xpm.zeros((n, nb, whr.shape[0]), dt) if whr is not None else None
    tmp = xpm.empty((nb, hid), dt)
    sq = xpm.empty((nb, h4), dt)
    der = xpm.empty((nb, h4), dt)
    kern = _cell_kernels(gates, dh, dc) if whr is None else None
    if kern is not None:  # compiled cell: one call per step besides the GEMM
        gf, tf, cf, dgf = (a.reshape(a.shape[0], -1) for a in (gates, tcs, cs, dgates))
        if gout is not None:
            gof = xpm.ascontiguousarray(gout).reshape(gout.shape[0], -1)
        else:
            zero = xpm.zeros(nb * hid, dt)
        dhf, dcf = dh.reshape(-1), dc.reshape(-1)
        for s in range(n - 1, -1, -1):
            t = n - 1 - s if reverse else s
            b = nb if bs is None else int(bs[t])
            kern.lstm_cell_bwd(gf[s], tf[s], cf[s], dhf, gof[t] if gout is not None else zero,
                               dcf, dgf[s], b, hid)
            mm(dgates[s, :b], whh, out=dh[:b])
        return dgates, dh, dc, None
    for s in range(n - 1, -1, -1):
        t = n - 1 - s if reverse else s
        b = nb if bs is None else int(bs[t])
        dhb = dh[:b]
        if gout is not None:
            dhb += gout[t, :b]
        if whr is not None:
            dh_all[s, :b] = dhb
            dhf = mm(dhb, whr)
        else:
            dhf = dhb
        g = gates[s, :b]
        tc = tcs[s, :b]
        w = tmp[:b]                         # dc += dh * o * (1 - tanh(c)^2)
        xpm.multiply(tc, tc, out=w)
        xpm.subtract(1, w, out=w)
        w *= g[:, 3 * hid:]
        w *= dhf
        dcb = dc[:b]
        dcb += w
        dg = dgates[s, :b]
        xpm.multiply(dcb, g[:, 2 * hid:3 * hid], out=dg[:, :hid])      # d i = dc * g
        xpm.multiply(dcb, cs[s, :b], out=dg[:, hid:2 * hid])          # d f = dc * c_prev
        xpm.multiply(dcb, g[:, :hid], out=dg[:, 2 * hid:3 * hid])     # d g = dc * i
        xpm.multiply(dhf, tc, out=dg[:, 3 * hid:])                    # d o = dh * tanh(c)
        q = sq[:b]                          # gate derivatives: s - s^2, and 1 - g^2 for g
        xpm.multiply(g, g, out=q)
        d = der[:b]
        xpm.subtract(g, q, out=d)
        xpm.subtract(1, q[:, 2 * hid:3 * hid], out=d[:, 2 * hid:3 * hid])
        dg *= d
        dcb *= g[:, hid:2 * hid]
        mm(dg, whh, out=dhb)
    dwhr = None
    if whr is not None:
        dwhr = mm(dh_all.reshape(-1, dh_all.shape[-1]).T, hfull.reshape(-1, hid))
    return dgates, dh, dc, dwhr


def _gru_backward(saved, gout, dh, whh, reverse, bs):
    gates, hns, hprev = saved
    xpm = xp_of(gates)
    n, nb, h3 = gates.shape
    hid = h3 // 3
    r = gates[:, :, :hid]
    z = gates[:, :, hid:2 * hid]
    nn_ = gates[:, :, 2 * hid:]
    # Per-step factors, all steps at once.
    one_m_z = 1 - z
    hmn = hprev - nn_
    dz_f = z * one_m_z * hmn               # d z_pre / d h'   (z' = z(1-z), times (h - n))
    dn_f = one_m_z * (1 - nn_ * nn_)       # d n_pre / d h'
    dr_f = r * (1 - r) * hns               # d r_pre / d n_pre
    dxg = xpm.zeros((n, nb, h3), gates.dtype) if bs is not None else \
        xpm.empty((n, nb, h3), gates.dtype)
    dhg = xpm.zeros((n, nb, h3), gates.dtype) if bs is not None else \
        xpm.empty((n, nb, h3), gates.dtype)
    for t in _steps(n, not reverse):
        b = nb if bs is None else int(bs[t])
        dhb = dh[:b]
        if gout is not None:
            dhb += gout[t, :b]
        dx_t = dxg[t, :b]
        dn = dx_t[:, 2 * hid:]
        xpm.multiply(dhb, dn_f[t, :b], out=dn)
        xpm.multiply(dn, dr_f[t, :b], out=dx_t[:, :hid])
        xpm.multiply(dhb, dz_f[t, :b], out=dx_t[:, hid:2 * hid])
        dh_t = dhg[t, :b]
        dh_t[:, :2 * hid] = dx_t[:, :2 * hid]
        xpm.multiply(dn, r[t, :b], out=dh_t[:, 2 * hid:])
        dhb *= z[t, :b]
        dhb += mm(dh_t, whh)
    return dxg, dhg, dh


def _rnn_backward(out, hprev, gout, dh, whh, relu, reverse, bs):
    xpm = xp_of(out)
    n = out.shape[0]
    deriv = (out > 0).astype(out.dtype) if relu else 1 - out * out
    dpre = xpm.zeros(out.shape, out.dtype) if bs is not None else xpm.empty(out.shape, out.dtype)
    for t in _steps(n, not reverse):
        b = out.shape[1] if bs is None else int(bs[t])
        dhb = dh[:b]
        if gout is not None:
            dhb += gout[t, :b]
        d = dpre[t, :b]
        xpm.multiply(dhb, deriv[t, :b], out=d)
        mm(d, whh, out=dhb)
    return dpre, dh


# ---------------------------------------------------------------- the node
class RnnLayerBackward(Node):
    """Inputs: (x, hx, cx, w_ih, w_hh, b_ih, b_hh, w_hr); outputs: (out, h_n, c_n)."""

    __slots__ = ("_n_out", "_mode", "_rev", "_bs", "_arrays", "_out")

    def backward(self, gout, ghn, gcn=None):
        x, hx, cx, wih, whh, bih, bhh, whr = self.saved_tensors
        mode, rev, bs = self._mode, self._rev, self._bs
        if building_graph():
            def fn(*args):
                return rnn_layer_composite(mode, *args, reverse=rev, batch_sizes=bs)
            return composite_grads(fn, (x, hx, cx, wih, whh, bih, bhh, whr), (gout, ghn, gcn))
        xd = x._data
        xpm = xp_of(xd)
        n, nb = xd.shape[0], xd.shape[1]
        go = gout._data if gout is not None else None
        dh = ghn._data.copy() if ghn is not None else xpm.zeros(hx.shape, xd.dtype)
        whd = whh._data
        dwhr = None
        proc = False  # whether the step arrays are in processing (not time) order
        with seq_kernels.single_blas_thread():  # small per-step GEMMs
            if mode == "LSTM":
                dc = gcn._data.copy() if gcn is not None else xpm.zeros(cx.shape, xd.dtype)
                dgx, dh, dc, dwhr = _lstm_backward(self._arrays, go, dh, dc, whd, _t(whr), rev,
                                                   bs)
                dgh = dgx
                hprev = self._arrays[1][:-1]
                proc = rev
            elif mode == "GRU":
                dgx, dgh, dh = _gru_backward(self._arrays, go, dh, whd, rev, bs)
                dc = None
                hprev = self._arrays[2]
            else:
                hprev = self._arrays[0]
                dgx, dh = _rnn_backward(self._out, hprev, go, dh, whd, mode == "RNN_RELU", rev,
                                        bs)
                dgh = dgx
                dc = None
        if proc:
            xd = xpm.ascontiguousarray(xd[::-1])
        nx = self._next
        g2x = dgx.reshape(n * nb, -1)
        g2h = dgh.reshape(n * nb, -1) if dgh is not dgx else g2x
        gx = None
        if nx[0] is not None:
            gxd = mm(g2x, wih._data).reshape(xd.shape)
            gx = wrap(xpm.ascontiguousarray(gxd[::-1]) if proc else gxd)
        ghx = wrap(dh) if nx[1] is not None else None
        gcx = wrap(dc) if (nx[2] is not None and dc is not None) else None
        gwih = wrap(mm(g2x.T, xd.reshape(n * nb, -1))) if nx[3] is not None else None
        gwhh = wrap(mm(g2h.T, hprev.reshape(n * nb, -1))) if nx[4] is not None else None
        gbih = wrap(row_sum(g2x)) if (bih is not None and nx[5] is not None) else None
        if bhh is not None and nx[6] is not None:  # LSTM / RNN: both biases get one sum
            # (a copy: the two .grad arrays must not be one object)
            gbhh = wrap(gbih._data.copy()) if (g2h is g2x and gbih is not None) else \
                wrap(row_sum(g2h))
        else:
            gbhh = None
        gwhr = wrap(dwhr) if (whr is not None and nx[7] is not None) else None
        return gx, ghx, gcx, gwih, gwhh, gbih, gbhh, gwhr

    def _release_extra(self):
        self._arrays = None
        self._out = None


def rnn_layer(mode, x, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None, reverse=False,
              batch_sizes=None):
    """Run one layer in one direction over a time-major sequence.

    Args:
        mode: 'LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU'.
        x: (T, B, input_size). hx: (B, P) initial hidden state; cx: (B, H) (LSTM only).
        w_ih (G*H, input_size), w_hh (G*H, P), b_ih / b_hh (G*H,), w_hr (P, H) (LSTM
        projection, optional).
        reverse: walk the sequence from the end (the backward direction).
        batch_sizes: optional per-step count of active rows (packed sequences).

    Returns:
        (output (T, B, P), h_n (B, P), c_n (B, H) or None). Output rows of inactive steps are 0.
    """
    if mode not in MODES:
        raise ValueError(f"Unknown mode '{mode}'")
    xd = x._data
    xpm = xp_of(xd)
    n, nb = xd.shape[0], xd.shape[1]
    x2 = xd.reshape(n * nb, xd.shape[2]) if xd.flags.c_contiguous else \
        xpm.ascontiguousarray(xd).reshape(n * nb, xd.shape[2])
    # Transposed weights copied C-contiguous once: the step GEMMs read them row by row (a copy
    # also when already contiguous, e.g. input_size 1: the LSTM branch scales it in place).
    wih_t = w_ih._data.T.copy()
    whh_t = w_hh._data.T.copy()
    bias = None
    if b_ih is not None:
        bias = b_ih._data
    if b_hh is not None and mode != "GRU":  # both biases add to every gate but GRU's n gate
        bias = b_hh._data if bias is None else bias + b_hh._data
    if mode == "LSTM":
        # Halve the i, f, o columns: sigmoid(x) = 0.5 + 0.5 * tanh(x / 2) (see _lstm_forward).
        hid = w_hh.shape[0] // 4
        half = xpm.full(4 * hid, 0.5, xd.dtype)
        half[2 * hid:3 * hid] = 1
        wih_t *= half
        whh_t *= half
        bias = bias * half if bias is not None else None
    proj = mm(x2, wih_t)
    if bias is not None:
        proj += bias
    proj = proj.reshape(n, nb, -1)
    bs = None if batch_sizes is None else np.asarray(batch_sizes)
    c = None
    with seq_kernels.single_blas_thread():  # small per-step GEMMs (see there)
        if mode == "LSTM":
            out, h, c, arrays = _lstm_forward(proj, hx._data, cx._data, whh_t, _t(w_hr),
                                              reverse, bs)
            h, c = h.copy(), c.copy()  # the saved state arrays stay private to backward
        else:
            h = hx._data.copy()
            if mode == "GRU":
                out, arrays = _gru_forward(proj, h, w_hh._data, _t(b_hh), reverse, bs)
            else:
                out, arrays = _rnn_forward(proj, h, w_hh._data, mode == "RNN_RELU", reverse,
                                           bs)
    res = (wrap(out), wrap(h), wrap(c) if c is not None else None)
    inputs = (x, hx, cx if mode == "LSTM" else None, w_ih, w_hh, b_ih, b_hh, w_hr)
    if grad_needed(*inputs):
        node = RnnLayerBackward()
        node._mode = mode
        node._rev = reverse
        node._bs = bs
        node._arrays = arrays
        node._out = out if mode.startswith("RNN") else None
        node.save_for_backward(*inputs)
        attach_multi(res, node, inputs)
    return res


# ---------------------------------------------------------------- composite (double backward)
def rnn_layer_composite(mode, x, hx, cx, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None,
                        reverse=False, batch_sizes=None):
    """The same layer written with differentiable Tensor ops, step by step.

    Used for backward with ``create_graph=True`` and as a reference in tests.
    """
    from .creation import zeros
    from .shape import stack
    n, nb = x.shape[0], x.shape[1]
    proj = x.matmul(w_ih.t())
    if b_ih is not None:
        proj = proj + b_ih
    h, c = hx, cx
    outs = [None] * n
    for t in _steps(n, reverse):
        b = nb if batch_sizes is None else int(batch_sizes[t])
        hp = h.matmul(w_hh.t())
        if mode == "LSTM":
            gates = proj[t] + hp + (b_hh if b_hh is not None else 0)
            i, f, g, o = gates.chunk(4, 1)
            c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
            h_new = o.sigmoid() * c_new.tanh()
            if w_hr is not None:
                h_new = h_new.matmul(w_hr.t())
        elif mode == "GRU":
            if b_hh is not None:
                hp = hp + b_hh
            xr, xz, xn = proj[t].chunk(3, 1)
            hr, hz, hn = hp.chunk(3, 1)
            r = (xr + hr).sigmoid()
            z = (xz + hz).sigmoid()
            nn_ = (xn + r * hn).tanh()
            h_new = nn_ + z * (h - nn_)
        else:
            pre = proj[t] + hp + (b_hh if b_hh is not None else 0)
            h_new = pre.relu() if mode == "RNN_RELU" else pre.tanh()
        if b < nb:
            m = zeros((nb, 1), dtype=x.dtype)
            m._data[:b] = 1
            h_new = h_new * m + h * (1 - m)
            if mode == "LSTM":
                c_new = c_new * m + c * (1 - m)
            outs[t] = h_new * m
        else:
            outs[t] = h_new
        h = h_new
        if mode == "LSTM":
            c = c_new
    return stack(outs, 0), h, (c if mode == "LSTM" else None)
