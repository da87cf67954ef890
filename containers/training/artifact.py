"""The trained LoRA as a Triton model folder tarball, and its upload into the MME prefix.

Layout (one Triton model; the MME loads it by TargetModel name):
  sd_lora/config.pbtxt
  sd_lora/1/model.py
  sd_lora/1/output/pytorch_lora_weights.safetensors   (diffusers LoRA format: UNet and, when trained, text
                                                      encoder layers; mme/lora/1/model.py load_lora_weights)
"""
import os
import tarfile
from pathlib import Path
from typing import List

MODEL_FOLDER = "sd_lora"
# The only retry layer: botocore's standard mode retries throttling, 5xx and connection errors with
# exponential backoff and jitter, per request (each part of a multipart upload on its own).
UPLOAD_ATTEMPTS = 5


def pack_model_folder(template_dir: Path, weights_dir: Path, out_path: Path) -> List[str]:
    """Writes the tarball and returns its member names. Links in the inputs are refused, not followed."""
    names: List[str] = []
    with tarfile.open(out_path, mode="w:gz") as tar:
        for source, arcname in (
            (template_dir / "config.pbtxt", f"{MODEL_FOLDER}/config.pbtxt"),
            (template_dir / "1" / "model.py", f"{MODEL_FOLDER}/1/model.py"),
        ):
            _add_file(tar, source, arcname, names)
        for path in sorted(weights_dir.rglob("*")):
            if path.is_symlink():
                raise ValueError(f"refusing to pack a symlink: {path}")
            if path.is_file():
                relative = path.relative_to(weights_dir).as_posix()
                _add_file(tar, path, f"{MODEL_FOLDER}/1/output/{relative}", names)
    return names


def _add_file(tar: tarfile.TarFile, source: Path, arcname: str, names: List[str]) -> None:
    if source.is_symlink() or not source.is_file():
        raise ValueError(f"not a regular file: {source}")
    info = tar.gettarinfo(str(source), arcname=arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with open(source, "rb") as handle:
        tar.addfile(info, handle)
    names.append(arcname)


def upload_artifact(path: Path, bucket: str, key: str) -> None:
    """Uploads with the endpoint's execution role (AWS_ENDPOINT_URL_S3 points it elsewhere, as in tests)."""
    import boto3  # in the training image; imported here so the module loads without it
    from botocore.config import Config

    # A session of its own: the credential chain is resolved now, not cached from an earlier upload.
    client = boto3.session.Session().client("s3", config=Config(retries={"mode": "standard", "total_max_attempts": UPLOAD_ATTEMPTS}))
    client.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": "application/gzip"})


def mme_key(mme_prefix: str, name: str) -> str:
    prefix = mme_prefix.strip("/")
    return f"{prefix}/{name}" if prefix else name


def file_size(path: Path) -> int:
    return os.stat(path).st_size
