"""Speech-style pipeline: STFT/log-mel-ish features, Conv1d + bidirectional GRU, CTC loss,
greedy CTC decoding, torch.fft filtering, F.unfold patches."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def mel_filterbank(n_freqs, n_mels, sr):
    def hz_to_mel(f):
        return 2595.0 * math.log10(1.0 + f / 700.0)
    mels = torch.linspace(hz_to_mel(0), hz_to_mel(sr / 2), n_mels + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1.0)
    freqs = torch.linspace(0, sr / 2, n_freqs)
    down = (freqs.unsqueeze(0) - hz[:-2].unsqueeze(1)) / (hz[1:-1] - hz[:-2]).unsqueeze(1)
    up = (hz[2:].unsqueeze(1) - freqs.unsqueeze(0)) / (hz[2:] - hz[1:-1]).unsqueeze(1)
    return torch.clamp(torch.minimum(down, up), min=0.0)   # (n_mels, n_freqs)


class Featurizer(nn.Module):
    def __init__(self, n_fft=64, hop=16, n_mels=16, sr=8000):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop
        self.register_buffer("window", torch.hann_window(n_fft))
        self.register_buffer("fb", mel_filterbank(n_fft // 2 + 1, n_mels, sr))

    def forward(self, wav):
        spec = torch.stft(wav, self.n_fft, hop_length=self.hop, window=self.window,
                          return_complex=True, center=True, pad_mode="reflect")
        power = spec.abs().pow(2)                       # (B, F, T)
        mel = torch.matmul(self.fb, power)              # (B, M, T)
        return torch.log(mel + 1e-6)


class CTCModel(nn.Module):
    def __init__(self, n_mels=16, hidden=24, n_tokens=5):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv1d(n_mels, hidden, 3, padding=1), nn.BatchNorm1d(hidden),
                                  nn.Hardtanh(0, 20, inplace=True))
        self.rnn = nn.GRU(hidden, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, n_tokens)

    def forward(self, feats):
        x = self.conv(feats).transpose(1, 2)            # (B, T, H)
        x, _ = self.rnn(x)
        return self.fc(x).log_softmax(-1)               # (B, T, C)


def greedy_decode(log_probs, blank=0):
    best = log_probs.argmax(-1)                         # (B, T)
    out = []
    for seq in best.tolist():
        res, prev = [], None
        for s in seq:
            if s != prev and s != blank:
                res.append(s)
            prev = s
        out.append(res)
    return out


def main():
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    sr, n = 8000, 1024
    t = np.arange(n) / sr
    freqs = {1: 300.0, 2: 900.0, 3: 1800.0, 4: 2800.0}
    wavs, targets, tlens = [], [], []
    for b in range(16):
        L = rng.randint(2, 4)
        labels = rng.randint(1, 5, size=L)
        seg = n // L
        w = np.zeros(n)
        for k, lab in enumerate(labels):
            w[k * seg:(k + 1) * seg] = np.sin(2 * np.pi * freqs[lab] * t[k * seg:(k + 1) * seg])
        wavs.append(w + 0.05 * rng.normal(size=n))
        targets.append(labels)
        tlens.append(L)
    wav = torch.tensor(np.stack(wavs), dtype=torch.float32)
    target_flat = torch.from_numpy(np.concatenate(targets))
    target_lengths = torch.tensor(tlens)
    feat = Featurizer()
    feats = feat(wav)
    print("features", tuple(feats.shape), f"{feats.mean().item():.4f} {feats.std().item():.4f}")
    spec = torch.stft(wav[:1], 64, hop_length=16, window=torch.hann_window(64), return_complex=True)
    recon = torch.istft(spec, 64, hop_length=16, window=torch.hann_window(64), length=n)
    print("istft_roundtrip", torch.allclose(recon, wav[:1], atol=1e-4))

    model = CTCModel()
    r = np.random.RandomState(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                p.copy_(torch.from_numpy(r.uniform(-0.2, 0.2, p.shape).astype(np.float32)))
            else:
                p.copy_(torch.from_numpy(r.uniform(-0.05, 0.05, p.shape).astype(np.float32)))
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    norm_feats = (feats - feats.mean(dim=(0, 2), keepdim=True)) / feats.std(dim=(0, 2), keepdim=True)
    for step in range(15):
        log_probs = model(norm_feats)
        input_lengths = torch.full((16,), log_probs.size(1), dtype=torch.long)
        loss = ctc(log_probs.transpose(0, 1), target_flat, input_lengths, target_lengths)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 5 == 4:
            print(f"step {step} ctc {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        decoded = greedy_decode(model(norm_feats))
    print("decoded_lengths", [len(d) for d in decoded[:6]])
    # padded-target form and reduction='sum'
    padded = torch.zeros(16, 3, dtype=torch.long)
    off = 0
    for b, L in enumerate(tlens):
        padded[b, :L] = target_flat[off:off + L]
        off += L
    with torch.no_grad():
        lp = model(norm_feats).transpose(0, 1)
        l_sum = F.ctc_loss(lp, padded, input_lengths, target_lengths, reduction="sum")
        l_none = F.ctc_loss(lp, padded, input_lengths, target_lengths, reduction="none")
    print(f"ctc_sum {l_sum.item():.4f} ctc_none0 {l_none[0].item():.4f}")

    # FFT low-pass filtering
    x = torch.from_numpy(np.sin(2 * np.pi * 5 * np.arange(128) / 128) +
                         np.sin(2 * np.pi * 40 * np.arange(128) / 128)).float()
    X = torch.fft.rfft(x)
    X[20:] = 0
    y = torch.fft.irfft(X, n=128)
    print("lowpass_err", f"{(y - torch.sin(2 * math.pi * 5 * torch.arange(128) / 128)).abs().max().item():.5f}")
    print("fftfreq", torch.fft.rfftfreq(8, d=0.5).tolist(), torch.fft.fftshift(torch.arange(6)).tolist())
    f2 = torch.fft.fft2(torch.arange(16.0).view(4, 4))
    print("fft2", f"{f2.abs().sum().item():.4f}", f2.dtype)
    # unfold / fold patches
    img = torch.arange(2 * 16, dtype=torch.float32).view(1, 2, 4, 4)
    patches = F.unfold(img, kernel_size=2, stride=2)
    print("unfold", tuple(patches.shape), patches[0, :, 0].tolist())
    back = F.fold(patches, output_size=(4, 4), kernel_size=2, stride=2)
    print("fold_roundtrip", torch.equal(back, img))
    print("pixel_shuffle", nn.PixelShuffle(2)(torch.arange(8.0).view(1, 4, 1, 2)).flatten().tolist())


if __name__ == "__main__":
    main()
