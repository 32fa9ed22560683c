"""``nn.parallel.DistributedDataParallel`` over ``ember.distributed``'s process group."""
import contextlib

from ..modules.module import Module

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """Data parallelism across processes: each process holds a replica of ``module``; the
    replicas start from rank 0's parameters and buffers, and after ``backward`` every
    parameter's gradient is the average over the processes.

    Ember runs one process (see ``ember.distributed``), where the broadcast and the average
    are identities: the wrapper behaves as PyTorch's does with ``world_size == 1`` (calls go
    to ``self.module``, state-dict keys gain the ``module.`` prefix, ``no_sync()`` defers the
    gradient averaging).

    Args:
        module (Module): the module to replicate.
        device_ids (list, optional): at most one device (the module's).
        output_device (optional): where outputs go (default: ``device_ids[0]``).
        broadcast_buffers (bool): sync buffers from rank 0 at each forward.
        process_group (ProcessGroup, optional): default: the world group.
        find_unused_parameters, gradient_as_bucket_view, static_graph, bucket_cap_mb:
            accepted; they tune communication that one process does not do.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None,
                 bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False,
                 **kwargs):
        super().__init__()
        from ... import distributed as dist
        pg = dist.distributed_c10d._get_default_group() if process_group is None \
            else process_group
        params = [p for p in module.parameters() if p.requires_grad]
        if not params:
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't "
                               "have any parameter that requires a gradient.")
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError("device_ids can only be None or contain a single element.")
        devices = {p.device.type for p in module.parameters()}
        if len(devices) > 1:
            raise ValueError(f"DistributedDataParallel's input module must be on the same type "
                             f"of devices, but input module parameters locate in {devices}.")
        self.module = module
        self.process_group = pg
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 ** 2)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        if devices == {"cpu"} or not device_ids:
            self.device_ids = None
            self.output_device = None
        else:
            self.device_ids = [d.index if hasattr(d, "index") else int(d) for d in device_ids]
            self.output_device = self.device_ids[0] if output_device is None else output_device
        self._dist = dist
        if init_sync:
            # Every replica starts from rank 0's state.
            for t in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(t.detach(), src=0, group=pg)
        self._hooks = [p.register_post_accumulate_grad_hook(self._sync_grad) for p in params]

    def _sync_grad(self, param):
        if not self.require_backward_grad_sync or param.grad is None:
            return
        self._dist.all_reduce(param.grad, group=self.process_group)
        world = self._dist.get_world_size(self.process_group)
        if world > 1:
            param.grad.div_(world)

    def forward(self, *inputs, **kwargs):
        if self.broadcast_buffers and self.require_forward_param_sync:
            for b in self.module.buffers():
                self._dist.broadcast(b.detach(), src=0, group=self.process_group)
        return self.module(*inputs, **kwargs)

    @contextlib.contextmanager
    def no_sync(self):
        """Within this context gradients accumulate locally, unsynchronised; the first
        backward after it synchronises them."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    @contextlib.contextmanager
    def join(self, divide_by_initial_world_size=True, enable=True,
             throw_on_early_termination=False):
        """Training with uneven inputs across ranks; one rank never waits for another."""
        yield

    def _set_static_graph(self):
        self.static_graph = True

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_dist", None)
        state.pop("process_group", None)
        state.pop("_hooks", None)
        return state

    def __setstate__(self, state):
        from ... import distributed as dist
        self.__dict__.update(state)
        self._dist = dist
        self.process_group = dist.distributed_c10d._get_default_group()
        self._hooks = [p.register_post_accumulate_grad_hook(self._sync_grad)
                       for p in self.module.parameters() if p.requires_grad]
