"""SummaryWriter's event files read back with TensorBoard's own reader."""
import numpy as np
import pytest

import ember

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from ember.utils.tensorboard import SummaryWriter  # noqa: E402


def _load(path):
    acc = EventAccumulator(str(path), size_guidance={"tensors": 0, "scalars": 0,
                                                     "histograms": 0, "images": 0})
    acc.Reload()
    return acc


def test_scalars_histograms_text_images(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar("loss/train", 1.0 / (step + 1), step)
        w.add_scalar("acc", ember.tensor(0.5), 7)
        w.add_histogram("weights", ember.randn(1000), 3)
        w.add_text("notes", "hello *tensorboard*", 1)
        w.add_image("img", ember.rand(3, 4, 5), 0)
    acc = _load(tmp_path)
    losses = acc.Scalars("loss/train")
    assert [e.step for e in losses] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([e.value for e in losses], [1.0, 0.5, 1 / 3, 0.25, 0.2],
                               rtol=1e-6)
    assert acc.Scalars("acc")[0].value == 0.5 and acc.Scalars("acc")[0].step == 7
    hist = acc.Histograms("weights")[0]
    assert hist.step == 3 and hist.histogram_value.num == 1000
    assert sum(hist.histogram_value.bucket) == 1000
    text = acc.Tensors("notes/text_summary")[0]
    assert text.tensor_proto.string_val[0] == b"hello *tensorboard*"
    img = acc.Images("img")[0]
    assert (img.width, img.height) == (5, 4)
    assert img.encoded_image_string.startswith(b"\x89PNG")


def test_add_scalars_and_hparams_make_sub_runs(tmp_path):
    w = SummaryWriter(tmp_path)
    w.add_scalars("run", {"a": 1.0, "b": 2.0}, 0)
    w.add_hparams({"lr": 0.1, "bs": 32, "opt": "adam"}, {"hparam/acc": 0.9}, run_name="hp")
    w.close()
    a = _load(tmp_path / "run_a")
    assert a.Scalars("run")[0].value == 1.0
    hp = _load(tmp_path / "hp")
    assert hp.Scalars("hparam/acc")[0].value == pytest.approx(0.9)
    plugin = hp.PluginTagToContent("hparams")
    assert plugin, "hparams plugin data written"


def test_default_log_dir_under_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_x")
    w.add_scalar("s", 1, 0)
    w.close()
    assert w.get_logdir().startswith("runs") and w.get_logdir().endswith("_x")
    assert _load(tmp_path / w.get_logdir()).Scalars("s")[0].value == 1.0
