"""Shared pieces of the ML tier: the tiny pipeline (built once per process), photos, a model's instance."""
import atexit
import io
import shutil
import tempfile
from pathlib import Path
from typing import List, Optional

from testing.tiny_pipeline import build_tiny_pipeline

_tiny: Optional[Path] = None


def tiny_model() -> Path:
    """A tiny SD 2.1-shaped pipeline folder (save_pretrained layout), built offline on first use."""
    global _tiny
    if _tiny is None:
        root = Path(tempfile.mkdtemp(prefix="dq-tiny-sd-"))
        atexit.register(shutil.rmtree, root, True)
        _tiny = build_tiny_pipeline(root / "stable-diffusion-2-1-base")
    return _tiny


def photos(count: int, size=(96, 80)) -> List[bytes]:
    """Distinct JPEG 'selfies' (not square, so the crop runs): a gradient with a bright disc per photo."""
    from PIL import Image, ImageDraw

    images = []
    for index in range(count):
        image = Image.new("RGB", size, (40 + index * 15, 90, 160 - index * 10))
        ImageDraw.Draw(image).ellipse((20 + index, 10, 60 + index, 50), fill=(230, 200, 170))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        images.append(buffer.getvalue())
    return images


def api_model(steps: int = 2, prior: bool = True, text_encoder: bool = True, class_images: int = 2, rank: int = 4, alpha: Optional[int] = None) -> dict:
    """A model record's token, class and params as the API stores them (fewer steps than the API allows)."""
    params = {"steps": steps, "learningRate": 1e-3, "loraRank": rank, "trainTextEncoder": text_encoder, "priorPreservation": prior, "numClassImages": class_images, "facePreprocessing": True}
    if alpha is not None:
        params["loraAlpha"] = alpha
    return {"token": "<<qzvkfe>>", "subjectClass": "person", "params": params}
