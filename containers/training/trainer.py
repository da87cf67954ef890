"""predict: DreamBooth + LoRA fine-tuning of Stable Diffusion 2.1 base (diffusers + peft).

The recipe is diffusers' examples/dreambooth/train_dreambooth_lora.py, sized for one A10G (24 GB) holding
two trainings (docs/training.md has the memory calculation):
  - frozen UNet, VAE and text encoder in fp16 on CUDA (fp32 on CPU); LoRA weights fp32, AMP + GradScaler
    only on CUDA; gradient checkpointing on the UNet (and on the text encoder when it trains)
  - LoRA on the attention projections (to_q/to_k/to_v/to_out.0; q/k/v/out_proj of the text encoder),
    rank lora_r and alpha lora_alpha from config.json, gaussian init
  - AdamW (diffusers' defaults), gradient clipping at MAX_GRAD_NORM, cosine LR schedule with warmup
  - prior preservation: instance and class image in one batch, loss = instance + PRIOR_LOSS_WEIGHT * prior
  - weights saved with StableDiffusionPipeline.save_lora_weights (pytorch_lora_weights.safetensors, the file
    `load_lora_weights` reads), with the adapters' LoraConfig as metadata so lora_alpha survives
The instance prompt is config.json's concept_prompt as sent (the API writes `photo of <its token>`), the
class prompt its class_prompt. Heavy imports happen inside the functions: the module imports anywhere.
"""
import io
import json
import logging
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from priors import cached_class_images

LOG = logging.getLogger("dreamqueue.training")
LORA_WEIGHTS = "pytorch_lora_weights.safetensors"
UNET_TARGETS = ["to_k", "to_q", "to_v", "to_out.0"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]
PRIOR_LOSS_WEIGHT = 1.0
MAX_GRAD_NORM = 1.0
LR_SCHEDULE = "cosine"
WARMUP_FRACTION = 0.05
PRIOR_INFERENCE_STEPS = 30
ADAM = {"betas": (0.9, 0.999), "weight_decay": 1e-2, "eps": 1e-8}
GRADIENT_CHECKPOINTING = True
# On CUDA: frozen weights in fp16, trainable LoRA weights in fp32 (cast_training_params), autocast fp16.
CUDA_WEIGHT_DTYPE = "float16"


def pick_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def resolution_of(base_model: str) -> int:
    """The model's native size (512 for SD 2.1 base): UNet sample_size × the VAE's downscale factor."""
    unet = json.loads((Path(base_model) / "unet" / "config.json").read_text())
    vae = json.loads((Path(base_model) / "vae" / "config.json").read_text())
    return int(unet["sample_size"]) * 2 ** (len(vae["block_out_channels"]) - 1)


def prepare_images(images: List[Tuple[str, bytes]], face_crop: bool, resolution: int) -> List[Any]:
    """Decodes, orients and crops each photo to a square of `resolution` (around the largest face when
    asked and one is found, else the centre)."""
    from PIL import Image, ImageOps

    prepared = []
    for _, body in images:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(body))).convert("RGB")
        box = _face_box(image) if face_crop else None
        prepared.append(_square_crop(image, box).resize((resolution, resolution), Image.LANCZOS))
    return prepared


def _face_box(image: Any) -> Optional[Tuple[int, int, int, int]]:
    import cv2
    import numpy as np

    gray = cv2.cvtColor(np.array(image), cv2.COLOR_RGB2GRAY)
    faces = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml").detectMultiScale(gray, 1.1, 5)
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
    return int(x), int(y), int(w), int(h)


def _square_crop(image: Any, face: Optional[Tuple[int, int, int, int]]) -> Any:
    width, height = image.size
    side = min(width, height)
    if face is None:
        cx, cy = width // 2, height // 2
    else:
        x, y, w, h = face
        cx, cy = x + w // 2, y + h // 2
        side = min(side, max(w, h) * 3)  # head and shoulders, not just the face
    left = min(max(cx - side // 2, 0), width - side)
    top = min(max(cy - side // 2, 0), height - side)
    return image.crop((left, top, left + side, top + side))


def train_lora(images: List[Any], config: Dict[str, Any], base_model: str, output_dir: Path, cache_dir: Path) -> Dict[str, Any]:
    """Trains and writes output_dir/pytorch_lora_weights.safetensors; returns what happened (for the log)."""
    import torch
    import torch.nn.functional as F
    from diffusers import DDPMScheduler, StableDiffusionPipeline
    from diffusers.optimization import get_scheduler
    from diffusers.training_utils import cast_training_params
    from peft import LoraConfig

    device = pick_device()
    weight_dtype = getattr(torch, CUDA_WEIGHT_DTYPE) if device == "cuda" else torch.float32
    pipe = StableDiffusionPipeline.from_pretrained(base_model, dtype=weight_dtype).to(device)
    pipe.set_progress_bar_config(disable=True)
    tokenizer, text_encoder, vae, unet = pipe.tokenizer, pipe.text_encoder, pipe.vae, pipe.unet
    noise_scheduler = DDPMScheduler.from_pretrained(base_model, subfolder="scheduler")
    resolution = images[0].size[0]
    priors: List[Any] = []
    if config["with_prior_preservation"] and config["num_class_images"] > 0:
        priors = _class_images(pipe, config, base_model, resolution, cache_dir / "priors")

    for module in (vae, unet, text_encoder):
        module.requires_grad_(False)
    lora = lambda targets: LoraConfig(r=config["lora_r"], lora_alpha=config["lora_alpha"], init_lora_weights="gaussian", target_modules=targets)  # noqa: E731
    unet.add_adapter(lora(UNET_TARGETS))
    trained = [unet]
    if config["train_text_encoder"]:
        text_encoder.add_adapter(lora(TEXT_TARGETS))
        trained.append(text_encoder)
    if GRADIENT_CHECKPOINTING:
        unet.enable_gradient_checkpointing()
        if config["train_text_encoder"]:
            text_encoder.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if weight_dtype != torch.float32:
        cast_training_params(trained, dtype=torch.float32)
    params = [p for module in trained for p in module.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config["learning_rate"], **ADAM)
    steps = config["n_steps"]
    schedule = get_scheduler(LR_SCHEDULE, optimizer=optimizer, num_warmup_steps=int(steps * WARMUP_FRACTION), num_training_steps=steps)
    scaler = torch.amp.GradScaler("cuda", enabled=device == "cuda")

    def encode(prompts: List[str]) -> Any:
        ids = tokenizer(prompts, padding="max_length", max_length=tokenizer.model_max_length, truncation=True, return_tensors="pt").input_ids
        return text_encoder(ids.to(device))[0]

    instance = [_to_tensor(image) for image in images]
    prompts = [config["concept_prompt"]] + ([config["class_prompt"]] if priors else [])
    fixed_hidden = None
    if not config["train_text_encoder"]:
        with torch.no_grad():
            fixed_hidden = encode(prompts)
    started, loss_value = time.monotonic(), float("nan")
    for step in range(steps):
        pixels = [instance[step % len(instance)]] + ([priors[step % len(priors)]] if priors else [])
        with torch.no_grad():
            batch = torch.stack(pixels).to(device, dtype=weight_dtype)
            latents = vae.encode(batch).latent_dist.sample() * vae.config.scaling_factor
        noise = torch.randn_like(latents)
        timesteps = torch.randint(0, noise_scheduler.config.num_train_timesteps, (latents.shape[0],), device=device).long()
        noisy = noise_scheduler.add_noise(latents, noise, timesteps)
        with torch.autocast(device_type=device, dtype=torch.float16, enabled=device == "cuda"):
            hidden = fixed_hidden if fixed_hidden is not None else encode(prompts)
            prediction = unet(noisy, timesteps, hidden, return_dict=False)[0]
        target = noise_scheduler.get_velocity(latents, noise, timesteps) if noise_scheduler.config.prediction_type == "v_prediction" else noise
        loss = F.mse_loss(prediction[:1].float(), target[:1].float())
        if priors:
            loss = loss + PRIOR_LOSS_WEIGHT * F.mse_loss(prediction[1:].float(), target[1:].float())
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(params, MAX_GRAD_NORM)
        scaler.step(optimizer)
        scaler.update()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = float(loss.detach())
    seconds = time.monotonic() - started
    LOG.info("trained %d steps on %s in %.1f s (last loss %.4f)", steps, device, seconds, loss_value)
    save_lora(output_dir, unet, text_encoder if config["train_text_encoder"] else None)
    return {"device": device, "steps": steps, "seconds": seconds, "loss": loss_value, "priors": len(priors), "resolution": resolution, "instance_prompt": prompts[0]}


def save_lora(output_dir: Path, unet: Any, text_encoder: Optional[Any]) -> Path:
    """diffusers' LoRA format (what `load_lora_weights` reads), exactly as train_dreambooth_lora.py saves it."""
    from diffusers import StableDiffusionPipeline
    from diffusers.utils import convert_state_dict_to_diffusers
    from peft.utils import get_peft_model_state_dict

    output_dir.mkdir(parents=True, exist_ok=True)
    StableDiffusionPipeline.save_lora_weights(
        save_directory=str(output_dir),
        unet_lora_layers=convert_state_dict_to_diffusers(get_peft_model_state_dict(unet)),
        text_encoder_lora_layers=convert_state_dict_to_diffusers(get_peft_model_state_dict(text_encoder)) if text_encoder is not None else None,
        unet_lora_adapter_metadata=unet.peft_config["default"].to_dict(),
        text_encoder_lora_adapter_metadata=text_encoder.peft_config["default"].to_dict() if text_encoder is not None else None,
        safe_serialization=True,
    )
    return output_dir / LORA_WEIGHTS


def _to_tensor(image: Any) -> Any:
    import numpy as np
    import torch

    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1)


def _class_images(pipe: Any, config: Dict[str, Any], base_model: str, resolution: int, cache: Path) -> List[Any]:
    """Prior-preservation images of the class prompt, generated once per (model, prompt, count) and cached."""
    import torch
    from PIL import Image

    def generate(index: int) -> Any:
        generator = torch.Generator(device=pipe.device).manual_seed(index)
        with torch.no_grad():
            return pipe(config["class_prompt"], num_inference_steps=PRIOR_INFERENCE_STEPS, height=resolution, width=resolution, generator=generator).images[0]

    paths = cached_class_images(cache, base_model, config["class_prompt"], config["num_class_images"], resolution, generate)
    return [_to_tensor(Image.open(path).convert("RGB").resize((resolution, resolution))) for path in paths]
