"""Prior-preservation images, cached per (base model, class prompt, count, resolution) and shared safely by
the two DJL workers of an instance (and by every training that asks for the same class).

A cache entry is a folder `<root>/<key>/` holding 0000.jpg…; it appears only complete, by one atomic rename
of a staging folder. Generating is serialised by an exclusive lock on `<root>/<key>.lock` (fcntl, released
by the kernel if a worker dies), so the second worker waits and then reads what the first wrote instead of
generating the same images again. Standard library + PIL (to save JPEGs).
"""
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, List


def cache_key(base_model: str, class_prompt: str, count: int, resolution: int) -> str:
    identity = json.dumps({"base_model": base_model, "class_prompt": class_prompt, "count": count, "resolution": resolution}, sort_keys=True)
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def cached_class_images(root: Path, base_model: str, class_prompt: str, count: int, resolution: int, generate: Callable[[int], Any]) -> List[Path]:
    """Paths of `count` class images; `generate(index)` (a PIL image) runs only when the entry is missing."""
    root.mkdir(parents=True, exist_ok=True)
    key = cache_key(base_model, class_prompt, count, resolution)
    entry = root / key
    if _complete(entry, count):
        return _images(entry, count)
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # held while generating; another worker blocks here
        if not _complete(entry, count):
            staging = Path(tempfile.mkdtemp(dir=root, prefix=f".{key}-"))
            try:
                for index in range(count):
                    generate(index).convert("RGB").save(staging / f"{index:04d}.jpg", quality=95)
                shutil.rmtree(entry, ignore_errors=True)  # an incomplete folder cannot exist, but a stray one may
                os.rename(staging, entry)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    return _images(entry, count)


def _complete(entry: Path, count: int) -> bool:
    return entry.is_dir() and all((entry / f"{index:04d}.jpg").is_file() for index in range(count))


def _images(entry: Path, count: int) -> List[Path]:
    return [entry / f"{index:04d}.jpg" for index in range(count)]
