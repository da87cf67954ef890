"""format: the async output JSON the worker reads ({status, output_location, training_seconds}); pure."""
import re
import uuid
from typing import Any, Callable, Dict

TRAINING_COMPLETED = "Training Completed!"
TRAINING_FAILED = "Training Failed!"

# The MME addresses artifacts by a flat name relative to its prefix; anything else could reach another
# tenant's model (libs/storage TARGET_MODEL_PATTERN is the same rule on the worker's side).
ARTIFACT_NAME = re.compile(r"^[a-z0-9-]+\.tar\.gz$")
S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(?:[a-z0-9-]+/)*[a-z0-9-]+\.tar\.gz$")


def artifact_name(new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> str:
    """A fresh name for every training: artifacts are never overwritten (the MME may serve a stale copy)."""
    name = f"lora-{new_id()[:20].lower()}.tar.gz"
    if not ARTIFACT_NAME.match(name):
        raise ValueError(f"invalid artifact name {name}")
    return name


def artifact_uri(bucket: str, mme_prefix: str, name: str) -> str:
    prefix = mme_prefix.strip("/")
    uri = f"s3://{bucket}/{prefix + '/' if prefix else ''}{name}"
    if not S3_URI.match(uri):
        raise ValueError(f"invalid artifact location {uri}")
    return uri


def completed_output(output_location: str, training_seconds: float) -> Dict[str, Any]:
    """training_seconds: how long the handler held the GPU for this invocation (the worker's cost ledger
    charges it; SageMaker reports no start time for an async invocation, so only the container knows)."""
    if not S3_URI.match(output_location):
        raise ValueError(f"invalid artifact location {output_location}")
    if not training_seconds >= 0:
        raise ValueError(f"invalid training duration {training_seconds}")
    return {"status": TRAINING_COMPLETED, "output_location": output_location, "training_seconds": round(training_seconds, 3)}


def failed_output(reason: str) -> Dict[str, str]:
    """Body of a refused training; the error response lands in the endpoint's S3FailurePath."""
    return {"status": TRAINING_FAILED, "reason": reason[:1000]}
