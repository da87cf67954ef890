"""One training's GPU memory, as a calculation (docs/training.md walks through it). Pure; standard library.

The trainer (trainer.py) keeps on the GPU: the frozen UNet, text encoder and VAE in fp16; the LoRA weights
in fp32 with their gradients and AdamW's two moments (16 bytes a parameter); the activations of one step
(instance + prior image, 512×512, gradient checkpointing); and the CUDA context of its DJL worker process.
"""
from typing import Any, Dict

GIB = 1024**3
# stabilityai/stable-diffusion-2-1-base parameter counts (unet, text_encoder, vae folders).
SD21_BASE_PARAMS = {"unet": 865_910_724, "text_encoder": 340_387_840, "vae": 83_653_863}
SD21_BASE_UNET = {"block_out_channels": [320, 640, 1280, 1280], "layers_per_block": 2, "cross_attention_dim": 1024, "down_block_types": ["CrossAttnDownBlock2D"] * 3 + ["DownBlock2D"]}
SD21_BASE_TEXT = {"hidden_size": 1024, "num_hidden_layers": 23}
# Activations of one checkpointed step at 64×64 latents, batch 2, fp16 (stored block inputs + the largest
# block recomputed in backward, SDPA attention), plus the VAE encode transient: an estimate, not measured.
ACTIVATIONS_BYTES = int(1.5 * GIB)
CUDA_CONTEXT_BYTES = int(0.7 * GIB)  # CUDA context, cuBLAS/cuDNN workspaces of one process
ALLOCATOR_SLACK = 0.15  # the caching allocator's fragmentation
A10G_USABLE_BYTES = int(22.0 * GIB)  # ml.g5.xlarge: 24 GB nominal, ~22 GiB left to processes


def unet_lora_params(unet: Dict[str, Any], rank: int) -> int:
    """LoRA on to_q/to_k/to_v/to_out.0 of every attention: r·(in+out) per projection. Per transformer block
    of width C: self-attention 4·2C, cross-attention q and out 2·2C, k and v 2·(cross_dim+C) → r·(14C+2·cross)."""
    channels, layers, cross = unet["block_out_channels"], unet["layers_per_block"], unet["cross_attention_dim"]
    crossattn = [c for c, kind in zip(channels, unet["down_block_types"]) if kind.startswith("CrossAttn")]
    per_block = lambda c: 14 * c + 2 * cross  # noqa: E731
    down = sum(layers * per_block(c) for c in crossattn)
    up = sum((layers + 1) * per_block(c) for c in crossattn)  # up blocks have one more layer
    mid = per_block(channels[-1])
    return rank * (down + up + mid)


def text_lora_params(text: Dict[str, Any], rank: int) -> int:
    """q/k/v/out_proj of every layer, each hidden→hidden."""
    return rank * text["num_hidden_layers"] * 4 * 2 * text["hidden_size"]


def training_bytes(rank: int = 128, train_text_encoder: bool = True) -> Dict[str, int]:
    lora = unet_lora_params(SD21_BASE_UNET, rank) + (text_lora_params(SD21_BASE_TEXT, rank) if train_text_encoder else 0)
    parts = {
        "frozen weights (fp16)": 2 * sum(SD21_BASE_PARAMS.values()),
        "LoRA weights + grads + AdamW (fp32)": 16 * lora,
        "activations (checkpointed, batch 2)": ACTIVATIONS_BYTES,
        "CUDA context": CUDA_CONTEXT_BYTES,
    }
    parts["allocator slack"] = int(ALLOCATOR_SLACK * sum(parts.values()))
    parts["total"] = sum(parts.values())
    return parts


def trainings_that_fit(usable_bytes: int = A10G_USABLE_BYTES) -> int:
    return usable_bytes // training_bytes()["total"]


if __name__ == "__main__":
    for name, value in training_bytes().items():
        print(f"{name:40s} {value / GIB:6.2f} GiB")
    print(f"trainings that fit in {A10G_USABLE_BYTES / GIB:.0f} GiB: {trainings_that_fit()}")
