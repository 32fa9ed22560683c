"""A directory the runner puts first on ``sys.path`` (see ``ember._runner``): processes that
multiprocessing starts with spawn / forkserver inherit the parent's ``sys.path`` and import
the program afresh, and there ``import torch`` finds the ``torch`` package here, which
makes ``torch`` (and every ``torch.*``) resolve to Ember as in the parent."""
