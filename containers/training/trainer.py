"""predict: DreamBooth + LoRA fine-tuning of Stable Diffusion 2.1 base (diffusers + peft).

Heavy imports (torch, diffusers, peft, PIL) happen inside the functions, so this module imports on any
machine; it only runs inside the DJL GPU image. Weights are saved as peft adapters that
mme/lora/1/model.py loads with PeftModel.from_pretrained.
"""
from pathlib import Path
from typing import Any, Dict, List, Tuple

RESOLUTION = 512
# Rare token bound to the subject during training; the LoRA model substitutes it for <<TOK>> in prompts.
CONCEPT_TOKEN = "zwx"
UNET_TARGETS = ["to_q", "to_k", "to_v", "to_out.0", "proj_in", "proj_out", "ff.net.0.proj", "ff.net.2"]
TEXT_TARGETS = ["q_proj", "k_proj", "v_proj", "out_proj"]


def concept_prompt(config: Dict[str, Any]) -> str:
    return str(config["concept_prompt"]).replace("<<TOK>>", CONCEPT_TOKEN)


def prepare_images(images: List[Tuple[str, bytes]], face_crop: bool) -> List[Any]:
    """Decodes, orients and crops each photo to 512×512 (around the largest face when asked and found)."""
    import io

    from PIL import Image, ImageOps

    prepared = []
    for _, body in images:
        image = ImageOps.exif_transpose(Image.open(io.BytesIO(body))).convert("RGB")
        box = _face_box(image) if face_crop else None
        prepared.append(_square_crop(image, box).resize((RESOLUTION, RESOLUTION), Image.LANCZOS))
    return prepared


def _face_box(image: Any):
    try:
        import cv2  # optional in the image: without it, photos are centre-cropped
        import numpy as np
    except ImportError:
        return None
    gray = cv2.cvtColor(np.array(image), cv2.COLOR_RGB2GRAY)
    faces = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml").detectMultiScale(gray, 1.1, 5)
    if len(faces) == 0:
        return None
    x, y, w, h = max(faces, key=lambda f: f[2] * f[3])
    return int(x), int(y), int(w), int(h)


def _square_crop(image: Any, face) -> Any:
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


def train_lora(images: List[Any], config: Dict[str, Any], base_model: str, output_dir: Path, work_dir: Path) -> None:
    """Runs the training loop and writes `output_dir/unet` (and `output_dir/text_encoder`)."""
    import torch
    import torch.nn.functional as F
    from diffusers import DDPMScheduler, StableDiffusionPipeline
    from peft import LoraConfig, get_peft_model

    device = "cuda"
    pipe = StableDiffusionPipeline.from_pretrained(base_model, torch_dtype=torch.float32).to(device)
    tokenizer, text_encoder, vae, unet = pipe.tokenizer, pipe.text_encoder, pipe.vae, pipe.unet
    scheduler = DDPMScheduler.from_pretrained(base_model, subfolder="scheduler")
    vae.requires_grad_(False)
    unet = get_peft_model(unet, LoraConfig(r=config["lora_r"], lora_alpha=config["lora_alpha"], target_modules=UNET_TARGETS))
    params = list(unet.parameters())
    if config["train_text_encoder"]:
        text_encoder = get_peft_model(text_encoder, LoraConfig(r=64, lora_alpha=64, target_modules=TEXT_TARGETS))
        params += list(text_encoder.parameters())
    else:
        text_encoder.requires_grad_(False)

    instance = [_to_tensor(image) for image in images]
    priors = _class_images(pipe, config, work_dir) if config["with_prior_preservation"] else []
    optimizer = _optimizer([p for p in params if p.requires_grad], config["learning_rate"])
    encode = lambda text: text_encoder(tokenizer(text, padding="max_length", max_length=tokenizer.model_max_length, truncation=True, return_tensors="pt").input_ids.to(device))[0]  # noqa: E731
    scaler = torch.cuda.amp.GradScaler()
    for step in range(config["n_steps"]):
        batch = [(instance[step % len(instance)], concept_prompt(config))]
        if priors:
            batch.append((priors[step % len(priors)], config["class_prompt"]))
        with torch.autocast(device, dtype=torch.float16):
            pixels = torch.stack([b[0] for b in batch]).to(device)
            latents = vae.encode(pixels).latent_dist.sample() * vae.config.scaling_factor
            noise = torch.randn_like(latents)
            timesteps = torch.randint(0, scheduler.config.num_train_timesteps, (latents.shape[0],), device=device)
            noisy = scheduler.add_noise(latents, noise, timesteps)
            hidden = torch.cat([encode(b[1]) for b in batch])
            prediction = unet(noisy, timesteps, hidden).sample
            target = scheduler.get_velocity(latents, noise, timesteps) if scheduler.config.prediction_type == "v_prediction" else noise
            loss = F.mse_loss(prediction.float(), target.float())  # instance + prior terms, equally weighted
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)

    unet.save_pretrained(str(output_dir / "unet"))
    if config["train_text_encoder"]:
        text_encoder.save_pretrained(str(output_dir / "text_encoder"))


def _to_tensor(image: Any) -> Any:
    import numpy as np
    import torch

    array = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
    return torch.from_numpy(array).permute(2, 0, 1)


def _class_images(pipe: Any, config: Dict[str, Any], work_dir: Path) -> List[Any]:
    """Prior-preservation images of the class ("a photo of person"), generated once per instance and cached."""
    import torch

    cache = work_dir / "priors"
    cache.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    existing = sorted(cache.glob("*.jpg"))
    for index in range(len(existing), config["num_class_images"]):
        with torch.no_grad():
            image = pipe(config["class_prompt"], num_inference_steps=30).images[0]
        image.save(cache / f"{index:04d}.jpg")
    return [_to_tensor(Image.open(p).convert("RGB").resize((RESOLUTION, RESOLUTION))) for p in sorted(cache.glob("*.jpg"))[: config["num_class_images"]]]


def _optimizer(params: List[Any], learning_rate: float) -> Any:
    try:
        import bitsandbytes as bnb  # 8-bit Adam halves optimizer memory on a 24 GB GPU

        return bnb.optim.AdamW8bit(params, lr=learning_rate)
    except ImportError:
        import torch

        return torch.optim.AdamW(params, lr=learning_rate)
