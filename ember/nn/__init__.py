"""``torch.nn``: layers, losses, parameters, init and functional."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
from . import common_types  # noqa: F401,E402  (type aliases: torch.nn.common_types)
from . import attention  # noqa: F401,E402  (the package, not modules/attention.py)
