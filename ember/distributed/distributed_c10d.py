"""Process groups (initialisation, queries, sub-groups) for a world of one process; the
collectives live in ``_collectives.py`` and are re-exported here, as PyTorch keeps them.

Every collective is what PyTorch computes when ``world_size == 1``: an in-place identity
(``all_reduce``, ``broadcast``, ``reduce``) or a copy into the one output slot
(``all_gather``, ``gather``, ``scatter``, ``reduce_scatter``, ``all_to_all``). Arguments are
checked as PyTorch checks them, so a program that is right here is right on many ranks.
"""
import datetime
import os

from ._store import FileStore, HashStore, Store, TCPStore
from ._types import Backend, GroupMember, ProcessGroup, ReduceOp, _op_type

__all__ = ["is_available", "is_initialized", "init_process_group", "destroy_process_group",
           "get_rank", "get_world_size", "get_backend", "get_backend_config", "new_group",
           "get_process_group_ranks", "get_global_rank", "get_group_rank",
           "is_torchelastic_launched", "get_node_local_rank", "is_gloo_available",
           "is_nccl_available", "is_mpi_available", "is_ucc_available", "is_xccl_available",
           "is_backend_available", "new_subgroups", "new_subgroups_by_enumeration",
           "get_pg_count", "get_default_backend_for_device", "supports_complex"]

_DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)
_NOT_INIT = ("Default process group has not been initialized, please make sure to call "
             "init_process_group.")
_MULTI = ("ember.distributed runs a single process (world_size=1); running {n} processes needs "
          "the multi-process engine (MPI/NCCL) of Ember's distributed issue, which is not "
          "built yet (see docs/differences.md)")
_state = {"groups": [], "backend_config": None}


def is_available():
    """True: ``ember.distributed`` is always importable (single process)."""
    return True


def is_initialized():
    """Whether :func:`init_process_group` has run (and :func:`destroy_process_group` not)."""
    return GroupMember.WORLD is not None


def is_gloo_available():
    return True


def is_nccl_available():
    from .. import cuda
    return cuda.is_available()


def is_mpi_available():
    return False


def is_ucc_available():
    return False


def is_xccl_available():
    return False


def is_backend_available(backend):
    return {"gloo": True, "nccl": is_nccl_available()}.get(str(backend).lower(), False)


def is_torchelastic_launched():
    """Whether this process was started by ``torchrun`` (``TORCHELASTIC_RUN_ID`` is set)."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def get_node_local_rank(fallback_rank=None):
    """``LOCAL_RANK`` from the environment, else ``fallback_rank``."""
    if "LOCAL_RANK" in os.environ:
        return int(os.environ["LOCAL_RANK"])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError("LOCAL_RANK is not in the environment. Consider passing fallback_rank to "
                       "allow `get_node_local_rank` to work, assuming you are not running in a "
                       "multi-device context and want the code to run locally instead.")


# ---- initialisation -----------------------------------------------------------------------

def _rendezvous(init_method, world_size, rank, store):
    """Resolve ``world_size`` and ``rank`` as PyTorch's rendezvous handlers do."""
    if store is not None:
        if world_size <= 0:
            raise AssertionError("world_size must be positive if using store")
        if rank < 0:
            raise AssertionError("rank must be non-negative if using store")
        return world_size, rank
    method = init_method or "env://"
    scheme = method.split("://", 1)[0]

    def error(msg):
        return ValueError(f"Error initializing torch.distributed using {scheme}:// rendezvous: "
                          f"{msg}")
    if scheme == "env":
        if rank < 0:
            if "RANK" not in os.environ:
                raise error("environment variable RANK expected, but not set")
            rank = int(os.environ["RANK"])
        if world_size < 0:
            if "WORLD_SIZE" not in os.environ:
                raise error("environment variable WORLD_SIZE expected, but not set")
            world_size = int(os.environ["WORLD_SIZE"])
        for var in ("MASTER_ADDR", "MASTER_PORT"):
            if var not in os.environ:
                raise error(f"environment variable {var} expected, but not set")
    elif scheme in ("tcp", "file"):
        if rank < 0:
            raise error("rank parameter missing")
        if world_size < 0:
            raise error("world size parameter missing")
    else:
        raise RuntimeError(f"No rendezvous handler for {scheme}://")
    return world_size, rank


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """Initialise the default process group.

    Args:
        backend (str, optional): ``'gloo'``, ``'nccl'``, ``'mpi'`` (all behave the same in one
            process), or ``'cpu:gloo,cuda:nccl'``-style; default picks per device.
        init_method (str, optional): ``'env://'`` (default; reads ``MASTER_ADDR``,
            ``MASTER_PORT``, ``RANK``, ``WORLD_SIZE``), ``'tcp://host:port'`` or
            ``'file:///path'``.
        world_size (int): number of processes; must be 1 in Ember.
        rank (int): this process's rank; must be 0.
        store (Store, optional): key-value store (excludes ``init_method``).
        timeout (timedelta, optional): kept for :func:`get_backend` users' sake.

    Raises:
        RuntimeError: ``world_size > 1`` (needs the multi-process engine, not built yet).
    """
    if GroupMember.WORLD is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if store is not None and init_method is not None:
        raise AssertionError("Cannot specify both init_method and store.")
    if timeout is not None and not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got "
                        f"{timeout}")
    if backend is None:
        name, config = "undefined", "cpu:gloo,cuda:nccl" if is_nccl_available() else "cpu:gloo"
    elif ":" in str(backend):
        name, config = "undefined", str(backend)
    else:
        name = Backend(backend)
        if name not in ("gloo", "nccl", "mpi", "ucc", "xccl"):
            raise AssertionError(f"Unknown backend type {backend}")
        config = f"cpu:{name},cuda:{name}" if name != "gloo" else "cpu:gloo,cuda:gloo"
    world_size, rank = _rendezvous(init_method, world_size, rank, store)
    if world_size > 1:
        raise RuntimeError(_MULTI.format(n=world_size))
    if world_size < 1 or rank != 0:
        raise ValueError(f"Invalid rank {rank} for world_size {world_size}: rank should be in "
                         f"the interval [0, {max(world_size - 1, 0)}]")
    if store is None:
        scheme = (init_method or "env://").split("://", 1)[0]
        store = FileStore(init_method[len("file://"):], world_size) if scheme == "file" \
            else TCPStore(os.environ.get("MASTER_ADDR", "localhost"), 0, world_size, True)
    pg = ProcessGroup(name, [0], "0", timeout or _DEFAULT_TIMEOUT, store)
    if device_id is not None:
        from ..device import device as _device
        pg.bound_device_id = device_id if not isinstance(device_id, int) \
            else _device("cuda", device_id)
    _state["groups"] = [pg]
    _state["backend_config"] = config
    GroupMember.WORLD = pg


def destroy_process_group(group=None):
    """Destroy ``group`` (default: every group, leaving the package uninitialised)."""
    if GroupMember.WORLD is None:
        raise AssertionError("Process group cannot be None")
    if group is None or group is GroupMember.WORLD:
        _state["groups"] = []
        _state["backend_config"] = None
        GroupMember.WORLD = None
    elif group in _state["groups"]:
        _state["groups"].remove(group)
    else:
        raise ValueError("Invalid process group specified")


def _get_default_group():
    if GroupMember.WORLD is None:
        raise ValueError(_NOT_INIT)
    return GroupMember.WORLD


def _group(group):
    world = _get_default_group()
    if group is None:
        return world
    if not isinstance(group, ProcessGroup) or group not in _state["groups"]:
        raise ValueError("Invalid process group specified")
    return group


def new_group(ranks=None, timeout=None, backend=None, pg_options=None,
              use_local_synchronization=False, group_desc=None, device_id=None):
    """A new group of ``ranks`` (default: all ranks, here ``[0]``)."""
    world = _get_default_group()
    ranks = sorted(ranks) if ranks else [0]
    if len(ranks) > world.size():
        raise ValueError("the new group's world size should be less or equal to the world size "
                         "set by init_process_group")
    for r in ranks:
        if r < 0 or r >= world.size():
            raise ValueError(f"Rank {r} is out of range. Valid ranks are 0 to "
                             f"{world.size() - 1} (world_size={world.size()})")
    name = str(len(_state["groups"]))
    pg = ProcessGroup(Backend(backend) if backend else world._backend, ranks, name,
                      timeout or world.timeout, world.store)
    pg.group_desc = group_desc or "undefined"
    _state["groups"].append(pg)
    return pg


def new_subgroups(group_size=None, group=None, timeout=None, backend=None, pg_options=None,
                  group_desc=None):
    """Split the world into groups of ``group_size``: here one group ``[0]``."""
    world = _get_default_group()
    if group_size is not None and (group_size <= 0 or group_size > world.size()):
        raise ValueError("The arg 'group_size' must be positive and must not exceed the "
                         "world size")
    sub = new_group([0], timeout, backend, pg_options, group_desc=group_desc)
    return sub, [sub]


def new_subgroups_by_enumeration(ranks_per_subgroup_list, timeout=None, backend=None,
                                 pg_options=None, group_desc=None):
    """One group per rank list; returns ``(this rank's group, all groups)``."""
    _get_default_group()
    groups = [new_group(r, timeout, backend, pg_options, group_desc=group_desc)
              for r in ranks_per_subgroup_list]
    mine = next((g for g, r in zip(groups, ranks_per_subgroup_list) if 0 in r), None)
    return mine, groups


def get_pg_count():
    """How many process groups exist (the default one included)."""
    return len(_state["groups"])


def get_default_backend_for_device(device):
    """``'gloo'`` for CPU, ``'nccl'`` for CUDA."""
    kind = device if isinstance(device, str) else device.type
    kind = kind.split(":")[0]
    if kind not in ("cpu", "cuda"):
        raise ValueError(f"Default backend not registered for device : {device}")
    return "gloo" if kind == "cpu" else "nccl"


def supports_complex(reduceOp):
    """Whether ``reduceOp`` is defined for complex tensors (not MIN/MAX/bitwise)."""
    kind, _ = _op_type(reduceOp)
    return kind not in (ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PRODUCT, ReduceOp.BAND,
                        ReduceOp.BOR, ReduceOp.BXOR)


def get_rank(group=None):
    """This process's rank in ``group`` (0)."""
    return _group(group).rank()


def get_world_size(group=None):
    """The number of processes in ``group`` (1)."""
    return _group(group).size()


def get_backend(group=None):
    """The backend name of ``group`` (``'undefined'`` when ``init_process_group`` got no
    backend, as in PyTorch)."""
    return Backend(_group(group)._backend)


def get_backend_config(group=None):
    _group(group)
    return _state["backend_config"]


def get_process_group_ranks(group):
    return list(_group(group)._ranks)


def get_global_rank(group, group_rank):
    ranks = _group(group)._ranks
    if not 0 <= group_rank < len(ranks):
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return ranks[group_rank]


def get_group_rank(group, global_rank):
    ranks = _group(group)._ranks
    if global_rank not in ranks:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return ranks.index(global_rank)


from ._collectives import *  # noqa: E402,F401,F403  (PyTorch keeps them in this module)
from ._collectives import __all__ as _coll_all  # noqa: E402

__all__ += list(_coll_all) + ["Store", "HashStore", "FileStore", "TCPStore"]
