"""``torch.hub``: downloading models needs network access, which Ember does not do.

``get_dir``/``set_dir`` work; every loader raises a RuntimeError that says why.
"""
import os

_dir = [os.path.join(os.path.expanduser(os.environ.get("TORCH_HOME", "~/.cache/torch")), "hub")]

_NO_NETWORK = ("torch.hub downloads models and code from the internet, which Ember does not do "
               "(no network access, and hub models need real PyTorch). Load weights from a "
               "local file with ember.load instead (see docs/differences.md).")


def get_dir():
    return _dir[0]


def set_dir(d):
    _dir[0] = os.fspath(d)


def load(repo_or_dir, model, *args, **kwargs):
    raise RuntimeError(_NO_NETWORK)


def list(github, force_reload=False, skip_validation=False, trust_repo=None, verbose=True):
    raise RuntimeError(_NO_NETWORK)


def help(github, model, force_reload=False, skip_validation=False, trust_repo=None):
    raise RuntimeError(_NO_NETWORK)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    raise RuntimeError(_NO_NETWORK)


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    raise RuntimeError(_NO_NETWORK)
