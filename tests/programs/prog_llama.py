"""Llama-style decoder: RMSNorm, rotary embeddings via complex numbers, SwiGLU, grouped-query
attention with a KV cache, inference_mode generation, torch.compile, bf16 autocast."""
import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelArgs:
    dim: int = 32
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: Optional[int] = 2
    vocab_size: int = 24
    multiple_of: int = 16
    norm_eps: float = 1e-5
    max_seq_len: int = 16


class RMSNorm(torch.nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def _norm(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps)

    def forward(self, x):
        output = self._norm(x.float()).type_as(x)
        return output * self.weight


def precompute_freqs_cis(dim: int, end: int, theta: float = 10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = torch.arange(end, device=freqs.device, dtype=torch.float32)
    freqs = torch.outer(t, freqs)
    return torch.polar(torch.ones_like(freqs), freqs)


def reshape_for_broadcast(freqs_cis, x):
    ndim = x.ndim
    shape = [d if i == 1 or i == ndim - 1 else 1 for i, d in enumerate(x.shape)]
    return freqs_cis.view(*shape)


def apply_rotary_emb(xq, xk, freqs_cis):
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    freqs_cis = reshape_for_broadcast(freqs_cis, xq_)
    xq_out = torch.view_as_real(xq_ * freqs_cis).flatten(3)
    xk_out = torch.view_as_real(xk_ * freqs_cis).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk)


def apply_rotary_real(x, cos, sin):
    """The same rotation with real arithmetic (the HF 'rotate_half' flavour on interleaved pairs)."""
    x1, x2 = x[..., 0::2], x[..., 1::2]
    out = torch.stack([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)
    return out.flatten(-2)


def repeat_kv(x, n_rep):
    bs, slen, n_kv_heads, head_dim = x.shape
    if n_rep == 1:
        return x
    return (x[:, :, :, None, :].expand(bs, slen, n_kv_heads, n_rep, head_dim)
            .reshape(bs, slen, n_kv_heads * n_rep, head_dim))


class Attention(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.n_kv_heads = args.n_heads if args.n_kv_heads is None else args.n_kv_heads
        self.n_heads = args.n_heads
        self.n_rep = self.n_heads // self.n_kv_heads
        self.head_dim = args.dim // args.n_heads
        self.wq = nn.Linear(args.dim, args.n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(args.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(args.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(args.n_heads * self.head_dim, args.dim, bias=False)
        self.register_buffer("cache_k", torch.zeros(2, args.max_seq_len, self.n_kv_heads, self.head_dim),
                             persistent=False)
        self.register_buffer("cache_v", torch.zeros(2, args.max_seq_len, self.n_kv_heads, self.head_dim),
                             persistent=False)

    def forward(self, x, start_pos, freqs_cis, mask, use_cache):
        bsz, seqlen, _ = x.shape
        xq, xk, xv = self.wq(x), self.wk(x), self.wv(x)
        xq = xq.view(bsz, seqlen, self.n_heads, self.head_dim)
        xk = xk.view(bsz, seqlen, self.n_kv_heads, self.head_dim)
        xv = xv.view(bsz, seqlen, self.n_kv_heads, self.head_dim)
        xq, xk = apply_rotary_emb(xq, xk, freqs_cis=freqs_cis)
        if use_cache:
            self.cache_k[:bsz, start_pos: start_pos + seqlen] = xk
            self.cache_v[:bsz, start_pos: start_pos + seqlen] = xv
            keys = self.cache_k[:bsz, : start_pos + seqlen]
            values = self.cache_v[:bsz, : start_pos + seqlen]
        else:
            keys, values = xk, xv
        keys = repeat_kv(keys, self.n_rep)
        values = repeat_kv(values, self.n_rep)
        xq, keys, values = xq.transpose(1, 2), keys.transpose(1, 2), values.transpose(1, 2)
        scores = torch.matmul(xq, keys.transpose(2, 3)) / math.sqrt(self.head_dim)
        if mask is not None:
            scores = scores + mask
        scores = F.softmax(scores.float(), dim=-1).type_as(xq)
        output = torch.matmul(scores, values)
        output = output.transpose(1, 2).contiguous().view(bsz, seqlen, -1)
        return self.wo(output)


class FeedForward(nn.Module):
    def __init__(self, dim, hidden_dim, multiple_of):
        super().__init__()
        hidden_dim = int(2 * hidden_dim / 3)
        hidden_dim = multiple_of * ((hidden_dim + multiple_of - 1) // multiple_of)
        self.w1 = nn.Linear(dim, hidden_dim, bias=False)
        self.w2 = nn.Linear(hidden_dim, dim, bias=False)
        self.w3 = nn.Linear(dim, hidden_dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class TransformerBlock(nn.Module):
    def __init__(self, layer_id, args):
        super().__init__()
        self.attention = Attention(args)
        self.feed_forward = FeedForward(args.dim, 4 * args.dim, args.multiple_of)
        self.attention_norm = RMSNorm(args.dim, eps=args.norm_eps)
        self.ffn_norm = RMSNorm(args.dim, eps=args.norm_eps)

    def forward(self, x, start_pos, freqs_cis, mask, use_cache):
        h = x + self.attention(self.attention_norm(x), start_pos, freqs_cis, mask, use_cache)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, params):
        super().__init__()
        self.params = params
        self.tok_embeddings = nn.Embedding(params.vocab_size, params.dim)
        self.layers = torch.nn.ModuleList([TransformerBlock(i, params) for i in range(params.n_layers)])
        self.norm = RMSNorm(params.dim, eps=params.norm_eps)
        self.output = nn.Linear(params.dim, params.vocab_size, bias=False)
        self.freqs_cis = precompute_freqs_cis(params.dim // params.n_heads, params.max_seq_len * 2)

    def forward(self, tokens, start_pos=0, use_cache=False):
        _bsz, seqlen = tokens.shape
        h = self.tok_embeddings(tokens)
        freqs_cis = self.freqs_cis[start_pos: start_pos + seqlen]
        mask = None
        if seqlen > 1:
            mask = torch.full((seqlen, seqlen), float("-inf"), device=tokens.device)
            mask = torch.triu(mask, diagonal=1)
            mask = torch.hstack([torch.zeros((seqlen, start_pos), device=tokens.device), mask]).type_as(h)
        for layer in self.layers:
            h = layer(h, start_pos, freqs_cis, mask, use_cache)
        h = self.norm(h)
        return self.output(h).float()


def main():
    torch.manual_seed(0)
    torch.set_float32_matmul_precision("high")
    args = ModelArgs()
    model = Transformer(args)
    r = np.random.RandomState(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                p.copy_(torch.from_numpy(r.normal(0, 0.08, p.shape).astype(np.float32)))
    print("freqs_cis", model.freqs_cis.dtype, tuple(model.freqs_cis.shape),
          f"{model.freqs_cis[3, 1].real.item():.5f} {model.freqs_cis[3, 1].imag.item():.5f}")
    print("cache_not_in_state_dict", not any("cache" in k for k in model.state_dict()))
    # complex rotary == real rotary
    xq = torch.from_numpy(r.normal(size=(1, 5, 4, 8)).astype(np.float32))
    fc = model.freqs_cis[:5]
    rq, _ = apply_rotary_emb(xq, xq, fc)
    cos = fc.real.view(1, 5, 1, 4)
    sin = fc.imag.view(1, 5, 1, 4)
    print("rotary_real_equiv", torch.allclose(rq, apply_rotary_real(xq, cos, sin), atol=1e-5),
          f"{rq.abs().sum().item():.4f}")
    data = torch.from_numpy(r.randint(0, args.vocab_size, size=(40, 2, 12)))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1, betas=(0.9, 0.95))
    compiled = torch.compile(model)
    for step in range(12):
        tokens = data[step]
        logits = compiled(tokens[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tokens[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 4 == 3:
            print(f"step {step} loss {loss.item():.5f}")
    # bf16 autocast (values differ in low bits: range check)
    with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        lg = model(data[0][:, :-1])
    print("autocast_ok", torch.isfinite(lg).all().item(), lg.dtype)
    # KV-cache incremental decoding equals the full forward pass
    model.eval()
    prompt = data[20][:, :6]
    with torch.inference_mode():
        full = model(prompt)
        a = model(prompt[:, :4], start_pos=0, use_cache=True)
        b = model(prompt[:, 4:5], start_pos=4, use_cache=True)
        c = model(prompt[:, 5:6], start_pos=5, use_cache=True)
    print("kv_cache_matches", torch.allclose(full[:, 4], b[:, 0], atol=1e-5),
          torch.allclose(full[:, 5], c[:, 0], atol=1e-5), torch.allclose(full[:, :4], a, atol=1e-5))
    print("inference_mode_tensor", full.requires_grad)

    @torch.inference_mode()
    def generate(prompt_tokens, max_gen_len):
        tokens = prompt_tokens
        logits = model(tokens, 0, use_cache=True)
        prev = tokens.size(1)
        for cur in range(max_gen_len):
            next_token = torch.argmax(logits[:, -1], dim=-1, keepdim=True)
            tokens = torch.cat([tokens, next_token], dim=1)
            logits = model(next_token, prev, use_cache=True)
            prev += 1
        return tokens
    print("greedy", generate(prompt, 5)[:, 6:].tolist())
    # the SDPA path with GQA matches the manual path
    q = torch.from_numpy(r.normal(size=(1, 4, 5, 8)).astype(np.float32))
    k = torch.from_numpy(r.normal(size=(1, 2, 5, 8)).astype(np.float32))
    v = torch.from_numpy(r.normal(size=(1, 2, 5, 8)).astype(np.float32))
    o1 = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    o2 = F.scaled_dot_product_attention(q, k.repeat_interleave(2, dim=1), v.repeat_interleave(2, dim=1),
                                        is_causal=True)
    print("sdpa_gqa", torch.allclose(o1, o2, atol=1e-6), f"{o1.sum().item():.5f}")
    print("rmsnorm_builtin", torch.allclose(nn.RMSNorm(8, eps=1e-6)(q), RMSNorm(8)(q), atol=1e-6))


if __name__ == "__main__":
    main()
