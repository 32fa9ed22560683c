"""SummaryWriter: scalars, histograms, text, images and hparams as TensorBoard events."""
import os
import socket
import struct
import time
import warnings
import zlib
from datetime import datetime

import numpy as np

try:
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.compat.proto.tensor_pb2 import TensorProto
    from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboard.summary.writer.event_file_writer import EventFileWriter
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("ember.utils.tensorboard needs the optional package tensorboard "
                      "(pip install 'ember[tensorboard]')") from exc


def _to_numpy(x):
    from ...tensor import Tensor
    if isinstance(x, Tensor):
        return np.asarray(x.detach().cpu().numpy())
    return np.asarray(x)


def _scalar(x):
    a = _to_numpy(x)
    if a.size != 1:
        raise ValueError(f"scalar should be 0D, got a tensor of shape {a.shape}")
    return float(a.reshape(()))


class SummaryWriter:
    """Writes entries to event files in ``log_dir`` for TensorBoard to read."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = os.fspath(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self._writer = EventFileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        self._children = {}
        if purge_step is not None:
            self._writer.add_event(event_pb2.Event(
                step=purge_step, file_version="brain.Event:2",
                session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))

    def get_logdir(self):
        return self.log_dir

    # ---------------------------------------------------------------- plumbing
    def _event(self, summary, global_step, walltime, writer=None):
        ev = event_pb2.Event(summary=summary, wall_time=time.time() if walltime is None
                             else walltime, step=int(global_step) if global_step is not None
                             else 0)
        (writer or self._writer).add_event(ev)

    def _child(self, path):
        w = self._children.get(path)
        if w is None:
            w = EventFileWriter(path, self.max_queue, self.flush_secs, self.filename_suffix)
            self._children[path] = w
        return w

    # ---------------------------------------------------------------- entries
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """Log one number under ``tag`` at ``global_step``."""
        value = summary_pb2.Summary.Value(tag=tag, simple_value=_scalar(scalar_value))
        self._event(summary_pb2.Summary(value=[value]), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves in one chart: each key is written to its own sub-run."""
        for tag, v in tag_scalar_dict.items():
            path = os.path.join(self.log_dir, main_tag.replace("/", "_") + "_" + tag)
            value = summary_pb2.Summary.Value(tag=main_tag, simple_value=_scalar(v))
            self._event(summary_pb2.Summary(value=[value]), global_step, walltime,
                        self._child(path))

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        """Log the distribution of ``values``."""
        a = _to_numpy(values).astype(np.float64).reshape(-1)
        if a.size == 0:
            raise ValueError("The input has no element.")
        nb = "auto" if bins == "tensorflow" else bins
        counts, edges = np.histogram(a, bins=nb)
        if max_bins is not None and len(counts) > max_bins:
            counts, edges = np.histogram(a, bins=max_bins)
        hist = summary_pb2.HistogramProto(
            min=float(a.min()), max=float(a.max()), num=int(a.size), sum=float(a.sum()),
            sum_squares=float((a * a).sum()), bucket_limit=edges[1:].tolist(),
            bucket=counts.astype(np.float64).tolist())
        value = summary_pb2.Summary.Value(tag=tag, histo=hist)
        self._event(summary_pb2.Summary(value=[value]), global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Log a (Markdown) string, shown in TensorBoard's text tab."""
        from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="text", content=TextPluginData(version=0).SerializeToString()))
        tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf-8")],
                             tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
        value = summary_pb2.Summary.Value(tag=tag + "/text_summary", metadata=meta,
                                          tensor=tensor)
        self._event(summary_pb2.Summary(value=[value]), global_step, walltime)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """Log an image (float in [0, 1] or uint8), as a PNG."""
        img = _to_numpy(img_tensor)
        fmt = dataformats.upper()
        if img.ndim == 2:
            img = img[None] if fmt == "HW" else img
            fmt = "CHW"
        if fmt == "CHW":
            img = np.transpose(img, (1, 2, 0))
        elif fmt != "HWC":
            raise ValueError(f"unsupported dataformats {dataformats!r}")
        if img.dtype != np.uint8:
            img = (np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
        if img.shape[2] == 1:
            img = np.repeat(img, 3, axis=2)
        h, w, c = img.shape
        image = summary_pb2.Summary.Image(height=h, width=w, colorspace=c,
                                          encoded_image_string=_png(img))
        value = summary_pb2.Summary.Value(tag=tag, image=image)
        self._event(summary_pb2.Summary(value=[value]), global_step, walltime)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """Log a batch of images as one grid image (8 per row, as PyTorch tiles them)."""
        imgs = _to_numpy(img_tensor)
        fmt = dataformats.upper()
        if len(fmt) != 4 or sorted(fmt) != sorted("NCHW"):
            raise ValueError(f"unsupported dataformats {dataformats!r}")
        imgs = np.transpose(imgs, [fmt.index(c) for c in "NCHW"])
        if imgs.shape[1] == 1:
            imgs = np.concatenate([imgs] * 3, 1)
        self.add_image(tag, _grid(imgs), global_step, walltime, dataformats="CHW")

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """Log a matplotlib figure (or a list of them, as a grid) rendered to an image."""
        if isinstance(figure, (list, tuple)):
            imgs = np.stack([_figure_to_chw(f, close) for f in figure])
            self.add_images(tag, imgs, global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, _figure_to_chw(figure, close), global_step, walltime,
                           dataformats="CHW")

    def add_pr_curve(self, tag, labels, predictions, global_step=None, num_thresholds=127,
                     weights=None, walltime=None):
        """Log a precision-recall curve of ``predictions`` (probabilities) against 0/1
        ``labels``, bucketed as PyTorch and TensorBoard's PR-curve plugin do."""
        from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
        num_thresholds = min(num_thresholds, 127)
        data = _pr_curve_data(_to_numpy(labels), _to_numpy(predictions), num_thresholds,
                              1.0 if weights is None else _to_numpy(weights))
        tensor = TensorProto(dtype="DT_FLOAT", float_val=data.reshape(-1).tolist(),
                             tensor_shape=TensorShapeProto(dim=[
                                 TensorShapeProto.Dim(size=data.shape[0]),
                                 TensorShapeProto.Dim(size=data.shape[1])]))
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="pr_curves",
            content=PrCurvePluginData(version=0, num_thresholds=num_thresholds)
            .SerializeToString()))
        value = summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=tensor)
        self._event(summary_pb2.Summary(value=[value]), global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None):
        """Log one hyperparameter set and its metrics for TensorBoard's HParams tab."""
        if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, start, end = _hparams_summaries(hparam_dict, metric_dict)
        run = run_name or str(time.time())
        child = self._child(os.path.join(self.log_dir, run))
        for s in (exp, start, end):
            self._event(s, global_step, None, child)
        for k, v in metric_dict.items():
            value = summary_pb2.Summary.Value(tag=k, simple_value=_scalar(v))
            self._event(summary_pb2.Summary(value=[value]), global_step, None, child)

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        warnings.warn("SummaryWriter.add_graph needs a model tracer, which Ember does not have: "
                      "no graph is written (see docs/differences.md)")

    def flush(self):
        self._writer.flush()
        for w in self._children.values():
            w.flush()

    def close(self):
        self._writer.close()
        for w in self._children.values():
            w.close()
        self._children.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _hparams_summaries(hparam_dict, metric_dict):
    """The experiment / session-start / session-end summaries of the HParams plugin."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2
    from tensorboard.plugins.hparams.plugin_data_pb2 import (HParamsPluginData, SessionEndInfo,
                                                             SessionStartInfo)

    def summary(tag, plugin_data):
        meta = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name="hparams", content=plugin_data.SerializeToString()))
        return summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=meta)])

    start = SessionStartInfo()
    infos = []
    for k, v in hparam_dict.items():
        v = v.item() if hasattr(v, "item") else v
        if isinstance(v, bool):
            start.hparams[k].CopyFrom(struct_pb2.Value(bool_value=v))
            kind = api_pb2.DATA_TYPE_BOOL
        elif isinstance(v, (int, float)):
            start.hparams[k].CopyFrom(struct_pb2.Value(number_value=float(v)))
            kind = api_pb2.DATA_TYPE_FLOAT64
        else:
            start.hparams[k].CopyFrom(struct_pb2.Value(string_value=str(v)))
            kind = api_pb2.DATA_TYPE_STRING
        infos.append(api_pb2.HParamInfo(name=k, type=kind))
    exp = api_pb2.Experiment(hparam_infos=infos, metric_infos=[
        api_pb2.MetricInfo(name=api_pb2.MetricName(tag=k)) for k in metric_dict])
    return (summary("_hparams_/experiment", HParamsPluginData(version=0, experiment=exp)),
            summary("_hparams_/session_start_info",
                    HParamsPluginData(version=0, session_start_info=start)),
            summary("_hparams_/session_end_info", HParamsPluginData(
                version=0, session_end_info=SessionEndInfo(status=api_pb2.STATUS_SUCCESS))))


def _pr_curve_data(labels, predictions, num_thresholds, weights):
    """Rows TP, FP, TN, FN, precision, recall at ``num_thresholds`` equally spaced
    thresholds (predictions bucketed by ``floor(p * (num_thresholds - 1))``)."""
    buckets = np.floor(predictions * (num_thresholds - 1)).astype(np.int32)
    labels = labels.astype(np.float64)
    rng = (0, num_thresholds - 1)
    tp_b, _ = np.histogram(buckets, bins=num_thresholds, range=rng, weights=labels * weights)
    fp_b, _ = np.histogram(buckets, bins=num_thresholds, range=rng,
                           weights=(1.0 - labels) * weights)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def _grid(imgs, ncols=8):
    """(N, C, H, W) images tiled row by row into one (C, H * rows, W * cols) image."""
    n, c, h, w = imgs.shape
    ncols = min(n, ncols)
    nrows = -(-n // ncols)
    canvas = np.zeros((c, h * nrows, w * ncols), dtype=imgs.dtype)
    for i in range(n):
        y, x = divmod(i, ncols)
        canvas[:, y * h:(y + 1) * h, x * w:(x + 1) * w] = imgs[i]
    return canvas


def _figure_to_chw(figure, close):
    """A matplotlib figure drawn with the Agg canvas, as a uint8 (3, H, W) image."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    w, h = figure.canvas.get_width_height()
    rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)
    if close:
        import matplotlib.pyplot as plt
        plt.close(figure)
    return np.ascontiguousarray(np.moveaxis(rgba[:, :, :3], 2, 0))


def _png(img):
    """Minimal PNG encoder (8-bit RGB/RGBA), so images need no imaging library."""
    h, w, c = img.shape
    raw = b"".join(b"\x00" + img[y].tobytes() for y in range(h))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    color = {3: 2, 4: 6}[c]
    head = struct.pack(">IIBBBBB", w, h, 8, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(raw)) + \
        chunk(b"IEND", b"")
