"""DJL entry point of the dreamqueue training endpoint (SageMaker async inference).

One invocation = one training, in four parts (aws/sagemaker-inference-toolkit's shape):
  load     settings from serving.properties / OPTION_* environment (once per worker)
  parse    tar_input.parse_training_tar: the InputLocation object's bytes -> images + config
  predict  trainer.train_lora, then artifact.pack_model_folder + upload into the MME prefix
  format   training_output.completed_output -> {"status": "Training Completed!", "output_location": "s3://…",
           "training_seconds": <seconds from the request's arrival to the artifact's upload>}
A refused input is answered with a 400 and a reason, which SageMaker writes to the S3FailurePath.
"""
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Optional

from artifact import mme_key, pack_model_folder, upload_artifact
from tar_input import TrainingInputError, parse_training_tar
from trainer import prepare_images, resolution_of, train_lora
from training_output import artifact_name, artifact_uri, completed_output, failed_output

LOG = logging.getLogger("dreamqueue.training")
HERE = Path(__file__).resolve().parent
# Packed next to this file by tools/package.py (a copy of containers/mme/lora).
LORA_TEMPLATE = HERE / "sd_lora"

_settings: Optional[Dict[str, str]] = None


def load(properties: Dict[str, Any]) -> Dict[str, str]:
    """Where artifacts go and which base model to tune; the OPTION_* environment wins over the file."""
    settings = {
        "s3_bucket": os.environ.get("OPTION_S3_BUCKET") or properties.get("s3_bucket", ""),
        "mme_prefix": os.environ.get("OPTION_MME_PREFIX") or properties.get("mme_prefix", "mme-models/"),
        # A local folder (SD 2.1 base as save_pretrained writes it) or a Hugging Face model id.
        "model_id": os.environ.get("OPTION_MODEL_ID") or properties.get("model_id", "stabilityai/stable-diffusion-2-1-base"),
    }
    if not settings["s3_bucket"]:
        raise RuntimeError("s3_bucket is not configured (serving.properties option.s3_bucket or OPTION_S3_BUCKET)")
    return settings


def predict(request, settings: Dict[str, str]) -> str:
    """Trains, packs and uploads; returns the artifact's s3:// URI."""
    work = Path(tempfile.mkdtemp(prefix="dq-train-"))
    try:
        base_model = _local_model(settings["model_id"])
        images = prepare_images(request.images, request.config["face_preprocessing"], resolution_of(base_model))
        weights = work / "weights"
        stats = train_lora(images, request.config, base_model, weights, Path(tempfile.gettempdir()) / "dq-cache")
        LOG.info("training finished: %s", stats)
        name = artifact_name()
        tarball = work / name
        pack_model_folder(LORA_TEMPLATE, weights, tarball)
        upload_artifact(tarball, settings["s3_bucket"], mme_key(settings["mme_prefix"], name))
        return artifact_uri(settings["s3_bucket"], settings["mme_prefix"], name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _local_model(model_id: str) -> str:
    """The base model as a folder: a path as given, a hub id through the local hub cache (downloaded once
    per instance; the ML tests run with HF_HUB_OFFLINE=1 and a folder, so they never reach the hub)."""
    if Path(model_id).is_dir():
        return model_id
    from huggingface_hub import snapshot_download

    # Only the fp32 safetensors of each component (the hub repo also holds .bin, .ckpt and fp16 copies).
    patterns = ["model_index.json", "*/*.json", "tokenizer/*.txt", "*/diffusion_pytorch_model.safetensors", "text_encoder/model.safetensors"]
    return snapshot_download(model_id, allow_patterns=patterns)


def handle(inputs):
    """DJL calls this for every request (and once with an empty input when the worker starts)."""
    from djl_python import Output  # provided by the DJL image

    global _settings
    if _settings is None:
        _settings = load(inputs.get_properties())
    if inputs.is_empty():
        return None
    started = time.monotonic()
    try:
        request = parse_training_tar(inputs.get_as_bytes())
    except TrainingInputError as err:
        LOG.warning("training input refused: %s", err)
        output = Output()
        output.set_code(400)
        output.set_message(str(err))
        return output.add_as_json(failed_output(str(err)))
    location = predict(request, _settings)
    LOG.info("training completed: %s", location)
    return Output().add_as_json(completed_output(location, time.monotonic() - started))
