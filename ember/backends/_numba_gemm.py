"""A float32 matrix product compiled by numba, with an explicit AVX-512 register-tiled core.

Imported only through ``backends/gemm.py``, which decides when it serves. The core is an
8x32 micro-kernel written directly in LLVM IR (a numba ``intrinsic``): 16 accumulators of
``<16 x float>`` stay in registers while the k loop broadcasts 8 values of A and loads two
vectors of B per step, one fused multiply-add each. LLVM's auto-vectoriser does not find this
blocking from loop code (numba loops measured 8-70 GFLOP/s); the hand-tiled core runs
150-200 GFLOP/s on one Zen 5 core, where NumPy's OpenBLAS in its AVX2 kernels runs 80-95.

Entry points: ``sgemm_strided`` (2-D operands as flat views with row/column strides) and
``sgemm_batched`` (stacked C-contiguous operands, optionally one shared left operand). No packing: the products it serves (recurrent steps, the
sequence-wide weight gradients) are small enough that B stays in L1/L2.
"""
import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

W = 16   # floats per AVX-512 register
MR = 8   # rows of C per micro-kernel call
NR = 32  # columns of C per micro-kernel call (two registers)

_jit = dict(cache=True, nogil=True, error_model="numpy", boundscheck=False)


def _microkernel(nv, masked=False):
    """An intrinsic computing an (mr <= MR) x (nv * W) tile of C over k in [0, k_len).

    Rows past ``mr`` re-read row ``mr - 1`` of A (never out of bounds) and are not stored.
    ``accum`` != 0 adds the tile to C instead of overwriting it (K blocking). ``masked``: one
    register wide, only the first ``nc`` columns are read from B and written to C.
    """

    @intrinsic
    def tile(typingctx, a, b, c, a_off, a_rs, a_ks, b_off, b_ks, c_off, c_rs, k_len, mr, accum,
             nc):
        sig = types.void(a, b, c, *([types.intp] * 11))

        def codegen(context, builder, signature, args):
            (aa, bb, cc, a_off, a_rs, a_ks, b_off, b_ks, c_off, c_rs, k_len, mr, accum,
             nc) = args
            f32 = ir.FloatType()
            vt = ir.VectorType(f32, W)
            i64 = ir.IntType(64)
            i32 = ir.IntType(32)
            fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vt, [vt] * 3),
                                                 "llvm.fma.v16f32")
            ap = context.make_array(signature.args[0])(context, builder, aa).data
            bp = context.make_array(signature.args[1])(context, builder, bb).data
            cp = context.make_array(signature.args[2])(context, builder, cc).data
            ap = builder.gep(ap, [a_off])
            bp = builder.gep(bp, [b_off])
            cp = builder.gep(cp, [c_off])
            last = builder.sub(mr, ir.Constant(i64, 1))
            row_off = []
            for r in range(MR):
                rr = ir.Constant(i64, r)
                row = builder.select(builder.icmp_signed("<", rr, mr), rr, last)
                row_off.append(builder.mul(row, a_rs))
            zero = ir.Constant(vt, [0.0] * W)
            if masked:
                i1v = ir.VectorType(ir.IntType(1), W)
                lanes = ir.Constant(ir.VectorType(i64, W), list(range(W)))
                ncv = builder.shuffle_vector(
                    builder.insert_element(ir.Constant(ir.VectorType(i64, W), ir.Undefined),
                                           nc, ir.Constant(ir.IntType(32), 0)),
                    ir.Constant(ir.VectorType(i64, W), ir.Undefined),
                    ir.Constant(ir.VectorType(ir.IntType(32), W), [0] * W))
                mask = builder.icmp_signed("<", lanes, ncv)
                mload = cgutils.get_or_insert_function(
                    builder.module, ir.FunctionType(vt, [vt.as_pointer(), i32, i1v, vt]),
                    "llvm.masked.load.v16f32.p0")
                mstore = cgutils.get_or_insert_function(
                    builder.module, ir.FunctionType(ir.VoidType(), [vt, vt.as_pointer(), i32, i1v]),
                    "llvm.masked.store.v16f32.p0")

            def load(ptr):
                if masked:
                    return builder.call(mload, [ptr, ir.Constant(i32, 4), mask, zero])
                return builder.load(ptr, align=4)

            def store(val, ptr):
                if masked:
                    builder.call(mstore, [val, ptr, ir.Constant(i32, 4), mask])
                else:
                    builder.store(val, ptr, align=4)

            undef = ir.Constant(vt, ir.Undefined)
            splat = ir.Constant(ir.VectorType(i32, W), [0] * W)
            entry = builder.basic_block
            loop = builder.append_basic_block("tile_k")
            done = builder.append_basic_block("tile_store")
            builder.branch(loop)
            builder.position_at_end(loop)
            k = builder.phi(i64)
            k.add_incoming(ir.Constant(i64, 0), entry)
            acc = []
            for _ in range(MR * nv):
                p = builder.phi(vt)
                p.add_incoming(zero, entry)
                acc.append(p)
            brow = builder.gep(bp, [builder.mul(k, b_ks)])
            bv = [load(builder.bitcast(builder.gep(brow, [ir.Constant(i64, v * W)]),
                                       vt.as_pointer())) for v in range(nv)]
            acol = builder.gep(ap, [builder.mul(k, a_ks)])
            new = []
            for r in range(MR):
                s = builder.load(builder.gep(acol, [row_off[r]]), align=4)
                sv = builder.shuffle_vector(builder.insert_element(undef, s, ir.Constant(i32, 0)),
                                            undef, splat)
                for v in range(nv):
                    new.append(builder.call(fma, [sv, bv[v], acc[r * nv + v]]))
            k1 = builder.add(k, ir.Constant(i64, 1))
            k.add_incoming(k1, loop)
            for p, x in zip(acc, new):
                p.add_incoming(x, loop)
            builder.cbranch(builder.icmp_signed("<", k1, k_len), loop, done)
            builder.position_at_end(done)
            adding = builder.icmp_signed("!=", accum, ir.Constant(i64, 0))
            for r in range(MR):
                with builder.if_then(builder.icmp_signed("<", ir.Constant(i64, r), mr)):
                    crow = builder.gep(cp, [builder.mul(ir.Constant(i64, r), c_rs)])
                    for v in range(nv):
                        ptr = builder.bitcast(builder.gep(crow, [ir.Constant(i64, v * W)]),
                                              vt.as_pointer())
                        with builder.if_else(adding) as (then, otherwise):
                            with then:
                                store(builder.fadd(load(ptr), new[r * nv + v]), ptr)
                            with otherwise:
                                store(new[r * nv + v], ptr)
            return context.get_dummy_value()

        return sig, codegen

    return tile


_tile2 = _microkernel(2)
_tile1 = _microkernel(1)
_tile_masked = _microkernel(1, masked=True)


KC = 256  # K block: a 256 x 32 panel of B (32 KiB) stays in L1 across the rows of A


@nb.njit(**_jit)
def _gemm(af, bf, cf, m, n, k_len, a_off, a_rs, a_ks, b_off, b_rs, c_off, c_rs):
    """C (m, n) = A (m, k_len) @ B (k_len, n) on flat arrays: A(i, k) = af[a_off + i * a_rs +
    k * a_ks], B(k, j) = bf[b_off + k * b_rs + j], C(i, j) = cf[c_off + i * c_rs + j]."""
    if k_len == 0:
        for i in range(m):
            for j in range(n):
                cf[c_off + i * c_rs + j] = 0
        return
    full = n - n % NR
    half = full + W if n - full >= W else full
    for k0 in range(0, k_len, KC):
        kc = min(KC, k_len - k0)
        acc = 1 if k0 > 0 else 0
        a0 = a_off + k0 * a_ks
        b0 = b_off + k0 * b_rs
        for j0 in range(0, full, NR):  # columns outer: the B panel stays in L1 over all rows
            for i0 in range(0, m, MR):
                _tile2(af, bf, cf, a0 + i0 * a_rs, a_rs, a_ks, b0 + j0, b_rs,
                       c_off + i0 * c_rs + j0, c_rs, kc, min(MR, m - i0), acc, NR)
        for i0 in range(0, m, MR):
            if half > full:
                _tile1(af, bf, cf, a0 + i0 * a_rs, a_rs, a_ks, b0 + full, b_rs,
                       c_off + i0 * c_rs + full, c_rs, kc, min(MR, m - i0), acc, W)
            if half < n:
                _tile_masked(af, bf, cf, a0 + i0 * a_rs, a_rs, a_ks, b0 + half, b_rs,
                             c_off + i0 * c_rs + half, c_rs, kc, min(MR, m - i0), acc, n - half)


@nb.njit(**_jit)
def sgemm_strided(af, bf, cf, m, n, k_len, a_rs, a_ks, b_rs, c_rs):
    """``_gemm`` on flat views that start at each operand's first element."""
    _gemm(af, bf, cf, m, n, k_len, 0, a_rs, a_ks, 0, b_rs, 0, c_rs)


@nb.njit(**_jit)
def sgemm_batched(a, b, c, transa, a_step):
    """c[i] = op(a[i]) @ b[i] for C-contiguous float32 3-D arrays; ``a_step`` 0 reuses a[0]
    for every batch entry (a shared left operand, e.g. convolution weights)."""
    if transa:
        k_len, m = a.shape[1], a.shape[2]
        a_rs, a_ks = 1, m
    else:
        m, k_len = a.shape[1], a.shape[2]
        a_rs, a_ks = k_len, 1
    n = b.shape[2]
    af = a.reshape(-1)
    bf = b.reshape(-1)
    cf = c.reshape(-1)
    for i in range(b.shape[0]):
        _gemm(af, bf, cf, m, n, k_len, i * a_step * m * k_len, a_rs, a_ks, i * k_len * n, n,
              i * m * n, n)
