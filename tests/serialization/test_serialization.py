"""save/load: round trips, the torch file format both ways, safety, atomicity, corruption."""
import collections
import io
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
import zipfile

import numpy as np
import pytest

import ember
from oracle import assert_same, torch

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool"]


def _sample(dtype, shape=(2, 3)):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape) * 10
    return ember.tensor(a).to(getattr(ember, dtype)) if dtype != "bool" else \
        ember.tensor(a > 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_every_dtype(tmp_path, dtype):
    t = _sample(dtype)
    ember.save({"t": t, "z": t.reshape(-1)[0].clone(), "e": t[:0]}, tmp_path / "a.pt")
    back = ember.load(tmp_path / "a.pt")
    for k, ref in (("t", t), ("z", t.reshape(-1)[0]), ("e", t[:0])):
        assert back[k].dtype is ref.dtype
        assert back[k].shape == ref.shape
        np.testing.assert_array_equal(np.asarray(back[k].float() if dtype == "bfloat16"
                                                 else back[k]),
                                      np.asarray(ref.float() if dtype == "bfloat16" else ref))


@pytest.mark.parametrize("dtype", DTYPES)
def test_ember_file_loads_in_torch(tmp_path, dtype):
    t = _sample(dtype, (3, 4))
    ember.save({"t": t, "view": t[:, 1:3].t(), "scalar": t[0, 0].clone()}, tmp_path / "e.pt")
    got = torch.load(tmp_path / "e.pt", weights_only=True)
    assert_same(t, got["t"], rtol=0, atol=0)
    assert_same(t[:, 1:3].t(), got["view"], rtol=0, atol=0)
    assert got["view"].stride() == t[:, 1:3].t().stride()
    assert got["view"].storage_offset() == t[:, 1:3].t().storage_offset()
    assert got["view"].untyped_storage().data_ptr() == got["t"].untyped_storage().data_ptr()


@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16", "int64", "uint8", "bool"])
def test_torch_file_loads_in_ember(tmp_path, dtype):
    base = torch.arange(12).reshape(3, 4).to(getattr(torch, dtype))
    obj = {"base": base, "view": base[1:, ::2], "t": base.t(), "n": 7, "s": "text",
           "nested": [base[0], (base[1], {"x": 1.5})], "empty": base[:0]}
    torch.save(obj, tmp_path / "t.pt")
    got = ember.load(tmp_path / "t.pt")
    assert_same(got["base"], base, rtol=0, atol=0)
    assert_same(got["view"], base[1:, ::2], rtol=0, atol=0)
    assert_same(got["t"], base.t(), rtol=0, atol=0)
    assert_same(got["nested"][1][0], base[1], rtol=0, atol=0)
    assert got["n"] == 7 and got["s"] == "text" and got["nested"][1][1] == {"x": 1.5}
    assert got["empty"].shape == (0, 4)


def test_views_keep_sharing_storage(tmp_path):
    x = ember.arange(6.0).reshape(2, 3)
    ember.save([x, x[:, 1], x.t()], tmp_path / "v.pt")
    a, b, c = ember.load(tmp_path / "v.pt")
    b[0] = 100.0
    assert a[0, 1].item() == 100.0 and c[1, 0].item() == 100.0
    assert b.storage_offset() == 1 and b.stride() == (3,)


def test_torch_state_dict_and_parameters(tmp_path):
    m = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    torch.save(m.state_dict(), tmp_path / "sd.pt")
    sd = ember.load(tmp_path / "sd.pt")
    assert isinstance(sd, collections.OrderedDict)
    assert list(sd) == list(m.state_dict())
    for k, v in m.state_dict().items():
        assert_same(sd[k], v, rtol=0, atol=0)
    torch.save({"p": torch.nn.Parameter(torch.ones(2, 2))}, tmp_path / "p.pt")
    p = ember.load(tmp_path / "p.pt")["p"]
    assert isinstance(p, ember.nn.Parameter) and p.requires_grad


def test_ember_parameters_load_in_torch(tmp_path):
    p = ember.nn.Parameter(ember.ones(3))
    ember.save({"p": p, "dtype": ember.float16, "size": p.shape, "dev": ember.device("cpu")},
               tmp_path / "p.pt")
    got = torch.load(tmp_path / "p.pt", weights_only=True)
    assert isinstance(got["p"], torch.nn.Parameter)
    assert got["dtype"] is torch.float16 and got["size"] == torch.Size([3])
    assert got["dev"] == torch.device("cpu")
    back = ember.load(tmp_path / "p.pt")
    assert isinstance(back["p"], ember.nn.Parameter) and back["dtype"] is ember.float16
    assert back["size"] == (3,) and isinstance(back["size"], ember.Size)


def test_file_objects_both_ways():
    buf = io.BytesIO()
    ember.save({"a": ember.ones(2)}, buf)
    buf.seek(0)
    assert torch.load(buf, weights_only=True)["a"].tolist() == [1.0, 1.0]
    buf = io.BytesIO()
    torch.save({"a": torch.zeros(3)}, buf)
    buf.seek(0)
    assert ember.load(buf)["a"].tolist() == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- safety
class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _malicious_file(path, marker):
    payload = pickle.dumps({"weights": _Evil(marker)}, protocol=2)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", payload)
        zf.writestr("archive/version", b"3\n")


def test_malicious_pickle_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    _malicious_file(tmp_path / "evil.pt", marker)
    with pytest.raises(pickle.UnpicklingError, match="system"):
        ember.load(tmp_path / "evil.pt")
    assert not marker.exists()


def test_weights_only_refuses_custom_classes_unless_allowed(tmp_path):
    ember.save({"cfg": _Config(3)}, tmp_path / "c.pt")
    with pytest.raises(pickle.UnpicklingError, match="_Config"):
        ember.load(tmp_path / "c.pt")
    with ember.serialization.safe_globals([_Config]):
        assert ember.load(tmp_path / "c.pt")["cfg"].value == 3
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "c.pt")
    assert ember.load(tmp_path / "c.pt", weights_only=False)["cfg"].value == 3


class _Config:
    def __init__(self, value):
        self.value = value


def test_whole_module_with_weights_only_false(tmp_path):
    m = ember.nn.Linear(3, 2)
    ember.save(m, tmp_path / "m.pt")
    with pytest.raises(pickle.UnpicklingError):
        ember.load(tmp_path / "m.pt")
    back = ember.load(tmp_path / "m.pt", weights_only=False)
    assert isinstance(back, ember.nn.Linear)
    assert ember.equal(back.weight, m.weight)


# ---------------------------------------------------------------- robustness
def test_truncated_and_corrupt_files_raise_clearly(tmp_path):
    ember.save({"a": ember.randn(100, 100)}, tmp_path / "ok.pt")
    raw = (tmp_path / "ok.pt").read_bytes()
    (tmp_path / "trunc.pt").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(RuntimeError):
        ember.load(tmp_path / "trunc.pt")
    (tmp_path / "junk.pt").write_bytes(b"PK\x03\x04" + os.urandom(200))
    with pytest.raises(RuntimeError):
        ember.load(tmp_path / "junk.pt")
    (tmp_path / "text.pt").write_bytes(b"not a checkpoint at all")
    with pytest.raises(RuntimeError):
        ember.load(tmp_path / "text.pt")
    with pytest.raises(FileNotFoundError):
        ember.load(tmp_path / "missing.pt")


def test_storage_size_mismatch_is_caught(tmp_path):
    ember.save({"a": ember.arange(10.0)}, tmp_path / "a.pt")
    with zipfile.ZipFile(tmp_path / "a.pt") as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    key = [n for n in entries if n.endswith("data/0")][0]
    entries[key] = entries[key][:8]
    with zipfile.ZipFile(tmp_path / "b.pt", "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    with pytest.raises(RuntimeError, match="corrupt"):
        ember.load(tmp_path / "b.pt")


def test_interrupted_save_keeps_old_checkpoint(tmp_path):
    path = tmp_path / "ckpt.pt"
    ember.save({"step": 1, "w": ember.ones(10)}, path)
    script = textwrap.dedent(f"""
        import ember, sys
        big = ember.zeros(64, 1024, 1024)   # 256 MiB: the save takes a while
        print("ready", flush=True)
        while True:
            ember.save({{"step": 2, "w": big}}, {str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        line = proc.stdout.readline().strip()
        if line != b"ready":
            proc.kill()
            raise AssertionError(proc.stderr.read().decode()[-2000:])
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    got = ember.load(path)
    assert got["step"] in (1, 2)  # the old checkpoint or a complete new one, never a torn file
    if got["step"] == 1:
        assert got["w"].tolist() == [1.0] * 10


def test_map_location_forms(tmp_path):
    ember.save({"a": ember.ones(2)}, tmp_path / "a.pt")
    for ml in ("cpu", ember.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage):
        assert ember.load(tmp_path / "a.pt", map_location=ml)["a"].device.type == "cpu"


def test_cuda_location_without_gpu_is_a_clear_error(tmp_path):
    ember.save({"a": ember.ones(2)}, tmp_path / "a.pt")
    with zipfile.ZipFile(tmp_path / "a.pt") as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    name = [n for n in entries if n.endswith("data.pkl")][0]
    entries[name] = entries[name].replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    with zipfile.ZipFile(tmp_path / "g.pt", "w") as zf:
        for n, d in entries.items():
            zf.writestr(n, d)
    if not ember.cuda.is_available():
        with pytest.raises(RuntimeError, match="map_location"):
            ember.load(tmp_path / "g.pt")
    assert ember.load(tmp_path / "g.pt", map_location="cpu")["a"].tolist() == [1.0, 1.0]


def test_mmap_load_does_not_write_back(tmp_path):
    ember.save({"a": ember.arange(1000.0)}, tmp_path / "m.pt")
    before = (tmp_path / "m.pt").read_bytes()
    t = ember.load(tmp_path / "m.pt", mmap=True)["a"]
    assert t[999].item() == 999.0
    t.add_(1)
    assert t[0].item() == 1.0
    assert (tmp_path / "m.pt").read_bytes() == before
    with pytest.raises(ValueError):
        ember.load(io.BytesIO(before), mmap=True)


# ---------------------------------------------------------------- safetensors
def test_safetensors_both_ways(tmp_path):
    st = pytest.importorskip("safetensors.torch")
    from ember.utils import safetensors as es
    tensors = {"w": ember.randn(3, 4), "i": ember.tensor([1, 2, 3]),
               "h": ember.ones(2, dtype=ember.bfloat16), "m": ember.tensor([True, False])}
    es.save_file(tensors, tmp_path / "e.safetensors", metadata={"format": "pt"})
    got = st.load_file(str(tmp_path / "e.safetensors"))
    for k, v in tensors.items():
        assert_same(v, got[k], rtol=0, atol=0)
    st.save_file({k: v.contiguous() for k, v in got.items()}, str(tmp_path / "t.safetensors"))
    back = es.load_file(tmp_path / "t.safetensors")
    for k, v in tensors.items():
        assert_same(back[k], got[k], rtol=0, atol=0)
    assert es.load(es.save({"q": ember.arange(3.0)}))["q"].tolist() == [0.0, 1.0, 2.0]
