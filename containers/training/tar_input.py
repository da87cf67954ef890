"""parse: the training tarball -> validated images + tuning config (pure, standard library only).

The API builds this tar itself, but the container still treats it as untrusted: it reads members into
memory and never extracts, so a `..`, an absolute path or a link can only be rejected, never followed.
Rules match apps/emulator/src/runtime/training (the emulator is this container's test double).
"""
import io
import json
import tarfile
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

MIN_IMAGES = 3
MAX_IMAGES = 20
MAX_ENTRIES = 64
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_CONFIG_BYTES = 64 * 1024
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp")

# key -> (accepted types, minimum, maximum); bool is excluded from "int" explicitly below.
CONFIG_SCHEMA: Dict[str, Tuple[Tuple[type, ...], Any, Any]] = {
    "n_steps": ((int,), 1, 10_000),
    "learning_rate": ((int, float), 0, 1),
    "lora_r": ((int,), 1, 1024),
    "lora_alpha": ((int, float), 0, 4096),
    "train_text_encoder": ((bool,), None, None),
    "with_prior_preservation": ((bool,), None, None),
    "class_prompt": ((str,), 1, 1000),
    "num_class_images": ((int,), 0, 1000),
    "concept_prompt": ((str,), 1, 1000),
    "face_preprocessing": ((bool,), None, None),
}

# The AWS guidance's trainer defaults, filled in where config.json is silent.
CONFIG_DEFAULTS: Dict[str, Any] = {
    "n_steps": 1000,
    "learning_rate": 1e-4,
    "lora_r": 128,
    "lora_alpha": 128,
    "train_text_encoder": True,
    "with_prior_preservation": True,
    "class_prompt": "a photo of person",
    "num_class_images": 50,
    "concept_prompt": "photo of <<TOK>>",
    "face_preprocessing": True,
}


class TrainingInputError(ValueError):
    """The input can never train: reported to the FailureLocation, never retried."""


@dataclass
class TrainingInput:
    images: List[Tuple[str, bytes]] = field(default_factory=list)  # (name, bytes), sorted by name
    config: Dict[str, Any] = field(default_factory=dict)


def parse_training_tar(data: bytes) -> TrainingInput:
    """Validates the tar and returns its images (sorted by name) and the config with defaults filled in."""
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:*")
    except (tarfile.TarError, EOFError, OSError) as err:
        raise TrainingInputError(f"input is not a readable tar archive: {err}") from err
    with archive:
        files = _root_files(archive)
    images = [(name, body) for name, body in files if name.lower().endswith(IMAGE_EXTENSIONS)]
    config_body = next((body for name, body in files if name == "config.json"), None)
    unexpected = [name for name, _ in files if name != "config.json" and not name.lower().endswith(IMAGE_EXTENSIONS)]
    if unexpected:
        raise TrainingInputError(
            f"unexpected file(s) in input: {', '.join(unexpected)}; only .jpg/.jpeg/.png/.webp images and config.json are allowed"
        )
    if not MIN_IMAGES <= len(images) <= MAX_IMAGES:
        raise TrainingInputError(f"expected {MIN_IMAGES}-{MAX_IMAGES} images at the tar root, found {len(images)}")
    for name, body in images:
        _check_image(name, body)
    config = parse_config(config_body) if config_body is not None else dict(CONFIG_DEFAULTS)
    return TrainingInput(images=sorted(images), config=config)


def _root_files(archive: tarfile.TarFile) -> List[Tuple[str, bytes]]:
    files: List[Tuple[str, bytes]] = []
    total = 0
    for index, member in enumerate(archive):
        if index >= MAX_ENTRIES:
            raise TrainingInputError(f"too many entries in input (more than {MAX_ENTRIES})")
        name = _safe_name(member)
        if member.isdir() and name in ("", "."):
            continue
        if not member.isfile():
            raise TrainingInputError(f"unsupported tar entry {member.name} ({_kind(member)}): only regular files are allowed")
        if "/" in name:
            raise TrainingInputError(f"images must be at the tar root, found {member.name}")
        limit = MAX_CONFIG_BYTES if name == "config.json" else MAX_IMAGE_BYTES
        if member.size > limit:
            raise TrainingInputError(f"{name} is {member.size} bytes; the limit is {limit}")
        total += member.size
        if total > MAX_TOTAL_BYTES:
            raise TrainingInputError(f"input unpacks to more than {MAX_TOTAL_BYTES} bytes")
        if any(existing == name for existing, _ in files):
            raise TrainingInputError(f"duplicate entry {name}")
        extracted = archive.extractfile(member)
        files.append((name, extracted.read() if extracted is not None else b""))
    return files


def _safe_name(member: tarfile.TarInfo) -> str:
    raw = member.name
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":") or "\\" in raw:
        raise TrainingInputError(f"absolute or non-POSIX path in input: {raw}")
    parts = raw.split("/")
    if ".." in parts:
        raise TrainingInputError(f"path traversal in input: {raw}")
    return raw[2:] if raw.startswith("./") else raw.rstrip("/")


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    if member.isdir():
        return "directory"
    if member.ischr() or member.isblk():
        return "device"
    if member.isfifo():
        return "fifo"
    return "other"


def _check_image(name: str, body: bytes) -> None:
    """Content, not the extension, decides: the magic bytes must match the extension's format."""
    lower = name.lower()
    if lower.endswith((".jpg", ".jpeg")):
        ok = body[:3] == b"\xff\xd8\xff"
    elif lower.endswith(".png"):
        ok = body[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        ok = body[:4] == b"RIFF" and body[8:12] == b"WEBP"
    if not ok:
        raise TrainingInputError(f"image {name} is not a {lower.rsplit('.', 1)[-1].upper()} file (content does not match)")


def parse_config(body: bytes) -> Dict[str, Any]:
    """config.json -> the full config. Unknown keys are errors: a typo would otherwise train with defaults."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TrainingInputError("config.json is not valid JSON") from err
    if not isinstance(value, dict):
        raise TrainingInputError("config.json must be a JSON object")
    problems = [f"unknown key {key}" for key in sorted(value) if key not in CONFIG_SCHEMA]
    for key, item in value.items():
        if key in CONFIG_SCHEMA:
            problem = _check_value(key, item)
            if problem:
                problems.append(problem)
    if problems:
        raise TrainingInputError(f"config.json is invalid: {'; '.join(problems)}")
    return {**CONFIG_DEFAULTS, **value}


def _check_value(key: str, item: Any) -> str:
    types, low, high = CONFIG_SCHEMA[key]
    if isinstance(item, bool) and bool not in types:
        return f"{key}: expected {types[0].__name__}, got boolean"
    if not isinstance(item, types):
        return f"{key}: expected {types[0].__name__}, got {type(item).__name__}"
    if isinstance(item, str):
        return f"{key}: length must be {low}-{high}" if not low <= len(item) <= high else ""
    if low is not None and not low <= item <= high:
        return f"{key}: must be between {low} and {high}"
    if key in ("learning_rate", "lora_alpha") and item <= 0:
        return f"{key}: must be greater than 0"
    return ""
