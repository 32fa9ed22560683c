"""``torch.onnx``: importable so that programs which reference it load; exporting a graph to
ONNX needs a tracer that Ember does not have (see docs/differences.md)."""


def is_in_onnx_export():
    return False


def export(model, args=(), f=None, *a, **kw):
    raise RuntimeError("torch.onnx.export traces a model into an ONNX graph; Ember has no "
                       "tracer, so exporting is not available (see docs/differences.md)")


def dynamo_export(*args, **kwargs):
    return export(*args, **kwargs)
