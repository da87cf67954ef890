"""The emulator's real-code backend: the training endpoint's DJL handler and the MME's Triton backends,
run in this long-lived process on the tiny pipeline, driven by apps/emulator over stdin/stdout JSON lines.

The emulator keeps SageMaker's semantics (async invocations, output/failure objects, TargetModel loading,
per-instance model_setup state, timeouts); this process does only what the containers would compute:
  {"id", "op": "prepare", "workDir"}               -> {"baseModel", "setupArchive"}
      builds the tiny SD 2.1-shaped pipeline once, a real model_setup.tar.gz (tools/package.py) holding it
      as the base model next to a stand-in conda pack (Triton only needs the file to exist), and unpacks
      training.tar.gz (tools/package.py) as SageMaker does, so the handler runs from the deployed layout.
  {"id", "op": "train", "input", "properties"}     -> {"code", "body"}
      the DJL entry point (training/model.py handle) on the input tar at path `input`; `properties` are
      serving.properties (model_id = the tiny pipeline). The artifact upload goes to S3 through boto3, as on
      SageMaker, pointed at the emulator by AWS_ENDPOINT_URL_S3.
  {"id", "op": "load", "instance", "model", "archive"}  -> {"loaded": true} | {"loadError": message}
      an MME load: the archive unpacked and loaded by the Triton harness, with the instance's own /tmp.
  {"id", "op": "infer", "instance", "model", "body"}    -> {"status", "body"}
  {"id", "op": "unload", "instance", "model"}           -> {}
Every answer carries the request's id; an unexpected exception answers {"id", "error"}. One request at a time.
Run: .venv/bin/python containers/testing/emulator_backend.py (cwd anywhere).
"""
import io
import json
import logging
import os
import shutil
import sys
import tarfile
import traceback
import types
from pathlib import Path
from typing import Any, Dict

CONTAINERS = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CONTAINERS.parent))
for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "DIFFUSERS_OFFLINE"):
    os.environ[variable] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from containers.testing import triton_harness  # noqa: E402


class _Input:
    """djl_python.Input as the training handler uses it."""

    def __init__(self, data: bytes, properties: Dict[str, str]):
        self._data, self._properties = data, properties

    def get_properties(self) -> Dict[str, str]:
        return self._properties

    def is_empty(self) -> bool:
        return not self._data

    def get_as_bytes(self) -> bytes:
        return self._data


class _Output:
    """djl_python.Output: a status code, a message and a JSON body."""

    def __init__(self) -> None:
        self.code, self.message, self.body = 200, "", None

    def set_code(self, code: int) -> "_Output":
        self.code = code
        return self

    def set_message(self, message: str) -> "_Output":
        self.message = message
        return self

    def add_as_json(self, value: Any) -> "_Output":
        self.body = value
        return self


def _install_djl() -> None:
    module = types.ModuleType("djl_python")
    module.Input, module.Output = _Input, _Output
    sys.modules.setdefault("djl_python", module)


class Backend:
    def __init__(self) -> None:
        self.work = Path.cwd()
        self.training = None
        self.training_code = CONTAINERS / "training"
        self.models: Dict[str, Any] = {}

    def prepare(self, work_dir: str) -> Dict[str, Any]:
        from containers.testing.tiny_pipeline import build_tiny_pipeline
        from containers.tools.package import package_model_setup, package_training

        self.work = Path(work_dir)
        base = self.work / "stable_diff"
        if not (base / "model_index.json").exists():
            shutil.rmtree(base, ignore_errors=True)
            build_tiny_pipeline(base)
        archive = self.work / "model_setup.tar.gz"
        if not archive.exists():
            conda = self.work / "sd_env.tar.gz"
            conda.write_bytes(_stand_in_conda_pack())
            base_tar = self.work / "stable_diff.tar.gz"
            with tarfile.open(base_tar, "w:gz") as tar:
                tar.add(base, arcname="stable_diff")
            partial = archive.with_suffix(".partial")
            package_model_setup(partial, conda, base_tar)
            partial.replace(archive)
        # The training code as SageMaker unpacks training.tar.gz (model.py beside sd_lora/, its LoRA template).
        code = self.work / "training-code"
        shutil.rmtree(code, ignore_errors=True)
        package_training(self.work / "training.tar.gz")
        with tarfile.open(self.work / "training.tar.gz") as tar:
            tar.extractall(code, filter="data")
        self.training_code = code
        return {"baseModel": str(base), "setupArchive": str(archive)}

    def train(self, input_path: str, properties: Dict[str, str]) -> Dict[str, Any]:
        _install_djl()
        if self.training is None:
            self.training = import_by_path(self.training_code / "model.py", "dq_training_model")
        output = self.training.handle(_Input(Path(input_path).read_bytes(), properties))
        return {"code": output.code, "body": output.body, "message": output.message}

    def load(self, instance: int, model: str, archive: str) -> Dict[str, Any]:
        key = f"{instance}/{model}"
        if key in self.models:
            return {"loaded": True}
        root = self.work / "instances" / str(instance)
        models_root = root / "models" / model.replace("/", "_")
        shutil.rmtree(models_root, ignore_errors=True)
        models_root.mkdir(parents=True)
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        try:
            self.models[key] = triton_harness.load_model_archive(Path(archive), models_root, temp_dir=root / "tmp")
        except triton_harness.TritonLoadError as err:
            return {"loadError": err.message}
        return {"loaded": True}

    def infer(self, instance: int, model: str, body: Any) -> Dict[str, Any]:
        status, answer = self.models[f"{instance}/{model}"].infer_one(body)
        return {"status": status, "body": answer}

    def unload(self, instance: int, model: str) -> Dict[str, Any]:
        loaded = self.models.pop(f"{instance}/{model}", None)
        if loaded is not None:
            loaded.finalize()
        return {}


def import_by_path(path: Path, name: str) -> Any:
    """Imports the DJL handler by path with its folder on sys.path, as DJL does."""
    import importlib.util

    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _stand_in_conda_pack() -> bytes:
    """A tar.gz with bin/activate: enough for the harness (and Triton) to accept EXECUTION_ENV_PATH."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        body = b"# stand-in conda environment: the ML tier runs in the repository's .venv\n"
        info = tarfile.TarInfo("bin/activate")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def serve(stdin: Any = sys.stdin, stdout: Any = sys.stdout) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    backend = Backend()
    handlers = {
        "prepare": lambda r: backend.prepare(r["workDir"]),
        "train": lambda r: backend.train(r["input"], r.get("properties", {})),
        "load": lambda r: backend.load(r["instance"], r["model"], r["archive"]),
        "infer": lambda r: backend.infer(r["instance"], r["model"], r["body"]),
        "unload": lambda r: backend.unload(r["instance"], r["model"]),
    }
    # The models print progress and warnings; the protocol owns the real stdout.
    protocol, sys.stdout = stdout, sys.stderr
    for line in stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = {"id": request["id"], **handlers[request["op"]](request)}
        except Exception as err:  # noqa: BLE001 - reported to the emulator, which answers as SageMaker would
            traceback.print_exc(file=sys.stderr)
            answer = {"id": request.get("id"), "error": f"{type(err).__name__}: {err}"}
        protocol.write(json.dumps(answer) + "\n")
        protocol.flush()


if __name__ == "__main__":
    serve()
