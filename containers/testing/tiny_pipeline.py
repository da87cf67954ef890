"""A tiny, randomly initialised Stable Diffusion 2.1 base look-alike, built offline and saved with
`save_pretrained`, so code under test loads it with `from_pretrained` exactly as it loads SD 2.1 base.

Same component classes and folder layout as stabilityai/stable-diffusion-2-1-base (UNet2DConditionModel
with linear-projection cross-attention, AutoencoderKL with scale factor 8, CLIPTextModel, CLIPTokenizer
with pad token "!", the PNDMScheduler config SD 2.1 base ships, no safety checker), only narrower and
shallower: a 64×64 image is 8×8 latents, and a training step takes well under a second on one CPU core.

API (stable; the emulator's real-code mode imports it):
  build_tiny_pipeline(out_dir: Path, seed: int = 0) -> Path
      writes model_index.json, unet/, vae/, text_encoder/, tokenizer/ (vocab.json + merges.txt written
      here), scheduler/ into out_dir and returns it. Deterministic for a seed. Imports torch/diffusers.
  TINY_RESOLUTION = 64   the pixel size the tiny model trains and generates at
CLI:
  python -m containers.testing.tiny_pipeline OUT_DIR      (from the repository root)
"""
import json
import sys
from pathlib import Path
from typing import Dict, List

TINY_RESOLUTION = 64

# scheduler/scheduler_config.json of stabilityai/stable-diffusion-2-1-base (epsilon prediction, PNDM).
SD21_BASE_SCHEDULER = {
    "_class_name": "PNDMScheduler",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "clip_sample": False,
    "num_train_timesteps": 1000,
    "prediction_type": "epsilon",
    "set_alpha_to_one": False,
    "skip_prk_steps": True,
    "steps_offset": 1,
    "timestep_spacing": "leading",
    "trained_betas": None,
}

# Words the tests' prompts use, merged into single BPE tokens (anything else still tokenizes, byte by byte).
WORDS = ["photo", "of", "a", "person", "portrait", "astronaut", "blurry", "dog", "cat", "in", "the", "snow"]


def _bytes_to_unicode() -> Dict[int, str]:
    """GPT-2/CLIP's reversible byte -> printable character table (what vocab.json keys are made of)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            chars.append(256 + extra)
            extra += 1
    return dict(zip(printable, (chr(c) for c in chars)))


def write_clip_tokenizer(folder: Path) -> int:
    """vocab.json + merges.txt + configs of a byte-level CLIP BPE tokenizer; returns the vocabulary size."""
    folder.mkdir(parents=True, exist_ok=True)
    symbols = list(_bytes_to_unicode().values())
    vocab: List[str] = symbols + [s + "</w>" for s in symbols]
    merges: List[str] = []
    for word in WORDS:
        pieces = list(word[:-1]) + [word[-1] + "</w>"]
        merged = pieces[0]
        for piece in pieces[1:]:
            rule = f"{merged} {piece}"
            merged += piece
            if rule not in merges:
                merges.append(rule)
                vocab.append(merged)
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    ids = {token: index for index, token in enumerate(dict.fromkeys(vocab))}
    (folder / "vocab.json").write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n", encoding="utf-8")
    special = {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": "!"}
    (folder / "special_tokens_map.json").write_text(json.dumps(special))
    config = {**special, "tokenizer_class": "CLIPTokenizer", "model_max_length": 77, "do_lower_case": True, "errors": "replace", "add_prefix_space": False}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return len(ids)


def build_tiny_pipeline(out_dir: Path, seed: int = 0) -> Path:
    import torch
    from diffusers import AutoencoderKL, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab_size = write_clip_tokenizer(out_dir / "tokenizer")
    tokenizer = CLIPTokenizer.from_pretrained(str(out_dir / "tokenizer"))
    torch.manual_seed(seed)
    unet = UNet2DConditionModel(
        sample_size=TINY_RESOLUTION // 8,
        in_channels=4,
        out_channels=4,
        layers_per_block=1,
        block_out_channels=(32, 64),
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=32,
        attention_head_dim=(2, 4),
        use_linear_projection=True,
        norm_num_groups=8,
    )
    vae = AutoencoderKL(
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 4,
        up_block_types=("UpDecoderBlock2D",) * 4,
        block_out_channels=(8, 16, 16, 16),
        layers_per_block=1,
        latent_channels=4,
        norm_num_groups=4,
        sample_size=TINY_RESOLUTION,
        scaling_factor=0.18215,
    )
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=vocab_size,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=77,
            projection_dim=32,
            hidden_act="gelu",
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
        )
    )
    scheduler = PNDMScheduler.from_config(SD21_BASE_SCHEDULER)
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipe.save_pretrained(str(out_dir), safe_serialization=True)
    return out_dir


def main(argv: List[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m containers.testing.tiny_pipeline OUT_DIR", file=sys.stderr)
        return 2
    print(build_tiny_pipeline(Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
