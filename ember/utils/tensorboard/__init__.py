"""``torch.utils.tensorboard``: SummaryWriter writing TensorBoard event files through the
``tensorboard`` package (an optional extra: ``pip install 'ember[tensorboard]'``)."""
from .writer import SummaryWriter

__all__ = ["SummaryWriter"]
