"""Triton python backend: per-instance bootstrap of the multi-model endpoint (TargetModel model_setup.tar.gz).

An MME instance's temporary directory is per-instance, non-persistent state: every new instance must be
set up before a LoRA model can load. Four parts:
  load     initialize(): copy the conda pack and unpack the base model into the temp dir (idempotent)
  parse    parse_request(): the request carries nothing this model needs; anything is accepted
  predict  the setup already ran in load; its outcome is the answer
  format   format_message(): the output_message tensor ([1] string)
"""
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

TEMP = Path(tempfile.gettempdir())
CONDA_TARGET = TEMP / "conda" / "sd_env.tar.gz"  # EXECUTION_ENV_PATH of every LoRA model's config.pbtxt
BASE_MODEL_TARGET = TEMP / "stable_diff"  # mme/lora/1/model.py BASE_MODEL_DIR
CONDA_PACK = "sd_env.tar.gz"
BASE_MODEL_PACK = "stable_diff.tar.gz"


class ArchiveError(ValueError):
    pass


def check_members(members: List[tarfile.TarInfo], root: str) -> None:
    """Every entry must be a regular file or directory under `root/`: no absolute paths, `..` or links."""
    for member in members:
        name = member.name[2:] if member.name.startswith("./") else member.name
        parts = name.split("/")
        if name.startswith("/") or ".." in parts or "\\" in name:
            raise ArchiveError(f"unsafe path in archive: {member.name}")
        if not (member.isfile() or member.isdir()):
            raise ArchiveError(f"links and special files are not allowed: {member.name}")
        if parts[0] != root:
            raise ArchiveError(f"entry outside {root}/: {member.name}")


def setup_instance(model_dir: Path, temp: Path = TEMP) -> str:
    """Copies the conda pack and unpacks the base model; a second call on the same instance is a no-op."""
    conda_target = temp / "conda" / CONDA_PACK
    base_target = temp / "stable_diff"
    if not conda_target.exists():
        conda_target.parent.mkdir(parents=True, exist_ok=True)
        partial = conda_target.with_suffix(".partial")
        shutil.copyfile(_find(model_dir, CONDA_PACK), partial)
        partial.replace(conda_target)  # atomic: a LoRA never sees half a conda pack
    if not (base_target / "model_index.json").exists():
        staging = Path(tempfile.mkdtemp(dir=temp, prefix="stable_diff-"))
        with tarfile.open(_find(model_dir, BASE_MODEL_PACK)) as tar:
            members = tar.getmembers()
            check_members(members, "stable_diff")
            try:
                tar.extractall(staging, members=members, filter="data")
            except TypeError:  # Python < 3.11.4 (older Triton images): members were checked above
                tar.extractall(staging, members=members)
        shutil.rmtree(base_target, ignore_errors=True)
        (staging / "stable_diff").replace(base_target)
        shutil.rmtree(staging, ignore_errors=True)
    return "Model env setup successful."


def _find(model_dir: Path, name: str) -> Path:
    for candidate in (model_dir / name, model_dir.parent / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{name} is missing from the model_setup artifact")


def parse_request(tensors: Dict[str, Optional[Any]]) -> None:
    return None


def format_message(message: str) -> List[str]:
    return [message]


class TritonPythonModel:
    def initialize(self, args: Dict[str, str]) -> None:
        self.error: Optional[str] = None
        try:
            self.message = setup_instance(Path(args["model_repository"]) / args["model_version"])
        except Exception as err:  # noqa: BLE001 - answered as an error on every call, so the worker sees why
            self.message, self.error = "", f"Model env setup failed: {err}"

    def execute(self, requests: List[Any]) -> List[Any]:
        import numpy as np
        import triton_python_backend_utils as pb_utils

        if self.error is not None:
            return [pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(self.error)) for _ in requests]
        data = np.array(format_message(self.message), dtype=object)
        return [pb_utils.InferenceResponse([pb_utils.Tensor("output_message", data)]) for _ in requests]
