"""The objects collectives deal in: ``ReduceOp``, ``Backend``, ``ProcessGroup``, ``Work``."""
import enum

__all__ = ["DistError", "DistBackendError", "DistNetworkError", "DistStoreError",
           "QueueEmptyError", "ReduceOp", "Backend", "ProcessGroup", "Work", "Future", "GroupMember", "group"]


class DistError(RuntimeError):
    """Base of the errors distributed operations raise."""


class DistBackendError(DistError):
    """A backend (collective) failure."""


class DistNetworkError(DistError):
    """A network failure."""


class DistStoreError(DistError):
    """A store failure (e.g. a wait that timed out)."""


class QueueEmptyError(DistStoreError):
    """A store queue was empty."""


class RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __int__(self):
        return self.value


class ReduceOp:
    """Reduction operations for collectives: ``ReduceOp.SUM``, ``AVG``, ``PRODUCT``, ``MIN``,
    ``MAX``, ``BAND``, ``BOR``, ``BXOR``, ``PREMUL_SUM``."""

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM

    def __init__(self, op=RedOpType.SUM, factor=None):
        self.op = op.op if isinstance(op, ReduceOp) else RedOpType(op)
        self.factor = factor

    def __eq__(self, other):
        if isinstance(other, ReduceOp):
            return self.op == other.op
        return self.op == other

    def __hash__(self):
        return hash(self.op)

    def __repr__(self):
        return repr(self.op)


def _op_type(op):
    """``(RedOpType, factor)`` of an op given as RedOpType or ReduceOp."""
    if isinstance(op, ReduceOp):
        return op.op, op.factor
    if isinstance(op, RedOpType):
        return op, None
    raise TypeError(f"Invalid reduce op {op!r}: expected a torch.distributed.ReduceOp")


class Backend(str):
    """Backend names; ``Backend('GLOO') == 'gloo'``."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    XCCL = "xccl"
    UCC = "ucc"
    MPI = "mpi"
    backend_list = [UNDEFINED, GLOO, NCCL, XCCL, UCC, MPI]

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: "
                             f"{type(name)}")
        value = getattr(Backend, name.upper(), Backend.UNDEFINED)
        if value == Backend.UNDEFINED:
            value = name.lower()
        return str.__new__(cls, value)


class Future:
    """A completed future (every single-process collective finishes before it returns)."""

    def __init__(self, value=None):
        self._value = value
        self._callbacks = []

    def done(self):
        return True

    def wait(self):
        return self._value

    def value(self):
        return self._value

    def set_result(self, result):
        self._value = result

    def then(self, callback):
        """A new future holding ``callback(self)``."""
        return Future(callback(self))

    def add_done_callback(self, callback):
        callback(self)


class Work:
    """The handle ``async_op=True`` collectives return; the work is already complete."""

    def __init__(self, result=None):
        self._result = [] if result is None else result

    def wait(self, timeout=None):
        return True

    def is_completed(self):
        return True

    def is_success(self):
        return True

    def exception(self):
        return None

    def synchronize(self):
        """Nothing to wait for."""

    def source_rank(self):
        return 0

    def result(self):
        return self._result

    def get_future(self):
        return Future(self._result)


class ProcessGroup:
    """A group of ranks; in one process, the ranks ``[0]``."""

    def __init__(self, backend, ranks, group_name, timeout=None, store=None):
        self._backend = backend
        self._ranks = list(ranks)
        self.group_name = group_name
        self.group_desc = "default_pg" if group_name == "0" else "undefined"
        self.timeout = timeout
        self.store = store
        self.bound_device_id = None

    def rank(self):
        return self._ranks.index(0)

    def size(self):
        return len(self._ranks)

    def name(self):
        return self._backend_name()

    def _backend_name(self):
        return self._backend if self._backend in ("gloo", "nccl", "mpi", "ucc", "xccl") \
            else "undefined"

    def _get_backend_name(self):
        return self._backend

    def __repr__(self):
        return f"<torch.distributed.ProcessGroup object ranks={self._ranks} " \
               f"backend={self._backend!r}>"


class GroupMember:
    """``GroupMember.WORLD`` is the default group once initialised;
    ``NON_GROUP_MEMBER`` stands for a group this rank is not in."""
    WORLD = None
    NON_GROUP_MEMBER = -100


class _WorldMeta(type):
    @property
    def WORLD(cls):
        return GroupMember.WORLD


class group(metaclass=_WorldMeta):
    """``group.WORLD``: the default process group (None before ``init_process_group``)."""
