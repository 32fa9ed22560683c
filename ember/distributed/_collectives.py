"""The collectives for a world of one process: each is what PyTorch computes with
``world_size == 1``, after PyTorch's argument checks."""
import pickle
import warnings

from ._types import ReduceOp, Work, _op_type
from .distributed_c10d import _get_default_group, _group

__all__ = ["barrier", "monitored_barrier", "all_reduce", "broadcast", "reduce", "all_gather",
           "all_gather_into_tensor", "reduce_scatter", "reduce_scatter_tensor", "gather",
           "scatter", "all_to_all", "all_to_all_single", "all_gather_object",
           "broadcast_object_list", "gather_object", "scatter_object_list", "send", "recv",
           "isend", "irecv", "P2POp", "batch_isend_irecv", "all_gather_single",
           "reduce_scatter_single", "all_reduce_coalesced", "all_gather_coalesced",
           "send_object_list", "recv_object_list"]


# ---- collectives --------------------------------------------------------------------------

def _tensor(t, name):
    from ..tensor import Tensor
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"torch.Tensor\n             but got {type(t)} instead.")
    return t


def _tensor_list(ts, name):
    from ..tensor import Tensor
    if not isinstance(ts, list) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type "
                        f"List[torch.Tensor]\n             but got {type(ts)} instead.")
    return ts


def _pg_name(pg):
    return {"nccl": "ProcessGroupNCCL", "mpi": "ProcessGroupMPI"}.get(pg._backend,
                                                                      "ProcessGroupGloo")


def _root(pg, root, group_root, what):
    r = group_root if group_root is not None else (0 if root is None else root)
    if r not in pg._ranks:
        raise RuntimeError(f"{_pg_name(pg)}::{what}: invalid root rank: {r}")


def _one(pg, ts, what, kind):
    if len(ts) != pg.size():
        raise RuntimeError(f"{_pg_name(pg)}::{what}: invalid {kind} tensor list at index 0 "
                           f"(expected length {pg.size()}, got {len(ts)})")


def _copy(dst, src):
    from ..autograd.grad_mode import no_grad
    if tuple(dst.shape) != tuple(src.shape) and dst.numel() != src.numel():
        raise RuntimeError(f"Tensor size mismatch: got {tuple(src.shape)}, expected "
                           f"{tuple(dst.shape)}")
    with no_grad():
        dst.copy_(src.reshape(dst.shape))


def _apply_op(tensor, op):
    """The reduction of one contribution: the identity, except AVG's integer check and
    PREMUL_SUM's factor."""
    kind, factor = _op_type(op)
    if kind is ReduceOp.AVG and not (tensor.is_floating_point() or tensor.is_complex()):
        name = str(tensor.dtype).split(".")[-1]
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_SCALAR_NAMES.get(name, name.capitalize())}")
    if kind is ReduceOp.PREMUL_SUM and factor is not None:
        from ..autograd.grad_mode import no_grad
        with no_grad():
            tensor.mul_(factor)


_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                 "uint8": "Byte", "bool": "Bool"}


def _done(async_op, result=None):
    return Work(result) if async_op else None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across ranks in place (one rank: unchanged)."""
    _tensor(tensor, "tensor")
    _group(group)
    _apply_op(tensor, op)
    return _done(async_op, [tensor])


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` to every rank, in place."""
    _tensor(tensor, "tensor")
    _root(_group(group), src, group_src, "broadcast")
    return _done(async_op, [tensor])


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` onto rank ``dst``, in place."""
    _tensor(tensor, "tensor")
    _root(_group(group), dst, group_dst, "reduce")
    _apply_op(tensor, op)
    return _done(async_op, [tensor])


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[i]`` with rank ``i``'s ``tensor``."""
    _tensor_list(tensor_list, "tensor_list")
    _tensor(tensor, "tensor")
    pg = _group(group)
    _one(pg, tensor_list, "allgather", "output")
    _copy(tensor_list[0], tensor)
    return _done(async_op, tensor_list)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Deprecated spelling of :func:`all_gather_single` (warns as PyTorch 2.13 does)."""
    warnings.warn("`torch.distributed.all_gather_into_tensor` is deprecated. Please use "
                  "`torch.distributed.all_gather_single` instead.", FutureWarning, stacklevel=2)
    return all_gather_single(output_tensor, input_tensor, group, async_op)


def all_gather_single(output_tensor, input_tensor, group=None, async_op=False):
    """Concatenate every rank's ``input_tensor`` into ``output_tensor`` (``world_size`` times
    as large, stacked or concatenated along dim 0)."""
    _tensor(output_tensor, "output_tensor")
    _tensor(input_tensor, "input_tensor")
    pg = _group(group)
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError(f"output tensor size must be equal to world_size times input tensor "
                         f"size ({output_tensor.numel()} vs {pg.size()} x "
                         f"{input_tensor.numel()})")
    _copy(output_tensor, input_tensor)
    return _done(async_op, [output_tensor])


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list`` across ranks; rank ``i`` receives slot ``i``."""
    _tensor(output, "output")
    _tensor_list(input_list, "input_list")
    pg = _group(group)
    _one(pg, input_list, "reduce_scatter", "input")
    _copy(output, input_list[0])
    _apply_op(output, op)
    return _done(async_op, [output])


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Deprecated spelling of :func:`reduce_scatter_single` (warns as PyTorch 2.13 does)."""
    warnings.warn("`torch.distributed.reduce_scatter_tensor` is deprecated. Please use "
                  "`torch.distributed.reduce_scatter_single` instead.", FutureWarning,
                  stacklevel=2)
    return reduce_scatter_single(output, input, op, group, async_op)


def reduce_scatter_single(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (``world_size`` chunks along dim 0); rank ``i`` receives chunk ``i``."""
    _tensor(output, "output")
    _tensor(input, "input")
    pg = _group(group)
    if input.numel() != output.numel() * pg.size():
        raise ValueError(f"input tensor must be the same size as output size times world size "
                         f"({input.numel()} vs {pg.size()} x {output.numel()})")
    _copy(output, input)
    _apply_op(output, op)
    return _done(async_op, [output])


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst``."""
    _tensor(tensor, "tensor")
    pg = _group(group)
    _root(pg, dst, group_dst, "gather")
    if gather_list is None:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    _tensor_list(gather_list, "gather_list")
    _one(pg, gather_list, "gather", "output")
    _copy(gather_list[0], tensor)
    return _done(async_op, gather_list)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Send ``scatter_list[i]`` from rank ``src`` to rank ``i``'s ``tensor``."""
    _tensor(tensor, "tensor")
    pg = _group(group)
    _root(pg, src, group_src, "scatter")
    if scatter_list is None:
        raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
    _tensor_list(scatter_list, "scatter_list")
    _one(pg, scatter_list, "scatter", "input")
    _copy(tensor, scatter_list[0])
    return _done(async_op, [tensor])


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Rank ``i`` sends ``input_tensor_list[j]`` to rank ``j``'s ``output_tensor_list[i]``."""
    _tensor_list(output_tensor_list, "output_tensor_list")
    _tensor_list(input_tensor_list, "input_tensor_list")
    pg = _group(group)
    _one(pg, output_tensor_list, "alltoall", "output")
    _one(pg, input_tensor_list, "alltoall", "input")
    _copy(output_tensor_list[0], input_tensor_list[0])
    return _done(async_op, output_tensor_list)


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """:func:`all_to_all` on chunks of single tensors along dim 0."""
    _tensor(output, "output")
    _tensor(input, "input")
    _group(group)
    for sizes, t in ((output_split_sizes, output), (input_split_sizes, input)):
        if sizes is not None and (len(sizes) != 1 or sizes[0] != t.shape[0]):
            raise RuntimeError(f"Split sizes {list(sizes)} do not match dim 0 of size "
                               f"{t.shape[0]} for world_size 1")
    _copy(output, input)
    return _done(async_op, [output])


def all_reduce_coalesced(tensors, op=ReduceOp.SUM, group=None, async_op=False):
    """:func:`all_reduce` of each tensor in ``tensors``."""
    _tensor_list(tensors, "tensors")
    for t in tensors:
        all_reduce(t, op, group)
    return _done(async_op, tensors)


def all_gather_coalesced(output_tensor_lists, input_tensor_list, group=None, async_op=False):
    """:func:`all_gather` of each input into the matching list of outputs."""
    _tensor_list(input_tensor_list, "input_tensor_list")
    for outs, t in zip(output_tensor_lists, input_tensor_list):
        all_gather(outs, t, group)
    return _done(async_op, output_tensor_lists)


def barrier(group=None, async_op=False, device_ids=None):
    """Wait for every rank (one process: returns at once)."""
    _group(group)
    return _done(async_op)


def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    _group(group)


def _roundtrip(obj):
    # Objects travel pickled in PyTorch, so receivers get copies: keep that here.
    return pickle.loads(pickle.dumps(obj))


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[i]`` with rank ``i``'s picklable ``obj``."""
    pg = _group(group)
    if len(object_list) != pg.size():
        raise ValueError(f"object_list must have length world_size ({pg.size()}), got "
                         f"{len(object_list)}")
    object_list[0] = _roundtrip(obj)


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list`` with rank ``src``'s list, in place."""
    _root(_group(group), src, group_src, "broadcast")
    object_list[:] = _roundtrip(object_list)


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    pg = _group(group)
    _root(pg, dst, group_dst, "gather")
    if object_gather_list is None or len(object_gather_list) != pg.size():
        raise ValueError("Argument ``object_gather_list`` must be specified on destination "
                         "rank with length world_size.")
    object_gather_list[0] = _roundtrip(obj)


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    pg = _group(group)
    _root(pg, src, group_src, "scatter")
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError("Expected argument scatter_object_output_list to be a list of size at "
                         "least 1.")
    if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
        raise ValueError("Argument ``scatter_object_input_list`` must be specified on source "
                         "rank with length world_size.")
    scatter_object_output_list[0] = _roundtrip(scatter_object_input_list[0])


def _p2p(peer, what):
    pg = _get_default_group()
    if peer == pg.rank():
        raise ValueError(f"Invalid {what} rank {peer}: it is this process's own rank; "
                         f"point-to-point operations need another process")
    raise ValueError(f"Invalid {what} rank {peer}: world_size is 1, so there is no other rank")


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    _tensor(tensor, "tensor")
    _p2p(dst if group_dst is None else group_dst, "destination")


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    _tensor(tensor, "tensor")
    _p2p(src if group_src is None else group_src, "source")


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    send(tensor, dst, group, tag, group_dst)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    recv(tensor, src, group, tag, group_src)


def send_object_list(object_list, dst=None, group=None, device=None, group_dst=None):
    _p2p(dst if group_dst is None else group_dst, "destination")


def recv_object_list(object_list, src=None, group=None, device=None, group_src=None):
    _p2p(src if group_src is None else group_src, "source")


class P2POp:
    """A point-to-point operation for :func:`batch_isend_irecv`."""

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op not in (isend, irecv, send, recv):
            raise ValueError("Invalid ``op``. Expected ``op`` to be of type ``torch.distributed."
                             "isend`` or ``torch.distributed.irecv``.")
        self.op, self.tensor, self.peer, self.group, self.tag = op, tensor, peer, group, tag
        self.group_peer = group_peer


def batch_isend_irecv(p2p_op_list):
    """Run a list of :class:`P2POp` (each needs a peer process)."""
    for p in p2p_op_list:
        p.op(p.tensor, p.peer, p.group, p.tag)
    return []

