"""``torch.version``: Ember reports the PyTorch API level it follows (see __version__)."""
__version__ = "2.13.0+ember0.1.0"
cuda = None
hip = None
git_version = "ember"
debug = False
