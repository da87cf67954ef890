"""Runs Triton python-backend models (containers/mme/*) in this process the way Triton serves them.

What is mirrored (triton-inference-server/python_backend README + src/, server's HTTP front end):
  - `triton_python_backend_utils` (pb_utils): Tensor, InferenceRequest, InferenceResponse, TritonError (with
    codes), TritonModelException, get_input_tensor_by_name / get_output_tensor_by_name. Installed into
    sys.modules, so the models' own `import triton_python_backend_utils as pb_utils` gets it.
  - Loading: config.pbtxt is parsed; the python backend's EXECUTION_ENV_PATH must exist (else the load fails
    with the backend's own "Failed to get the canonical path for …" text, before initialize() runs);
    initialize(args) gets Triton's args (model_config JSON, model_repository = the model's folder,
    model_version "1", model_name, instance kind/device). An exception there fails the load.
  - The HTTP/KServe v2 front end: a JSON body becomes one InferenceRequest (BYTES data -> numpy object array
    of UTF-8 bytes, shaped as sent); unknown/missing inputs, wrong datatype, a shape that does not match
    `dims` (with the batch dimension when max_batch_size > 0), batch > max_batch_size and element-count
    mismatches are refused with HTTP 400 and never reach execute().
  - Dynamic batching: with `dynamic_batching` in the config, queued requests are merged, in arrival order,
    into one execute(requests) while their batch sizes add up to at most max_batch_size; without it each
    request is its own execute().
  - execute() must return one response per request; an exception or a wrong-length list fails every
    request of that execute() with INTERNAL "Failed to process the request(s) for model instance …".
  - A response error maps to HTTP status as Triton's front end does (INVALID_ARG/UNKNOWN/ALREADY_EXISTS/
    CANCELLED 400, NOT_FOUND 404, UNSUPPORTED 501, UNAVAILABLE 503, INTERNAL 500) with body {"error": msg};
    outputs become {"model_name", "model_version", "outputs": [{name, datatype, shape, data}]}.

API (stable; the emulator's real-code mode imports it):
  install_pb_utils() -> module            put the stand-in into sys.modules (idempotent)
  parse_pbtxt(text) -> dict               protobuf text format -> dict (repeated fields -> lists)
  load_model(model_dir, name=None, temp_dir=None) -> TritonModel
      model_dir holds config.pbtxt and 1/model.py. temp_dir stands for the instance's /tmp: while the model
      loads and executes, tempfile.gettempdir() returns it and EXECUTION_ENV_PATH under /tmp/ is looked up
      there. Raises TritonLoadError (.message) when the load fails.
  load_model_archive(tar_gz, models_root, temp_dir=None) -> TritonModel
      unpacks a model tarball as the SageMaker MME does (one top-level model folder) and loads it.
  TritonModel.infer(bodies: list[dict]) -> list[(http_status, dict)]
      every body is one HTTP request arriving together; merged into execute() calls as dynamic batching does.
  TritonModel.infer_one(body: dict) -> (http_status, dict)
  TritonModel.executions -> list[list[int]]   batch sizes of the requests of every execute() so far
  TritonModel.finalize()
"""
import contextlib
import importlib.util
import json
import sys
import tarfile
import tempfile
import types
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from .pbtxt import parse_pbtxt

__all__ = ["install_pb_utils", "parse_pbtxt", "load_model", "load_model_archive", "TritonModel", "TritonLoadError"]

TRITON_TO_KSERVE = {"TYPE_STRING": "BYTES", "TYPE_FP32": "FP32", "TYPE_FP16": "FP16", "TYPE_INT32": "INT32", "TYPE_INT64": "INT64", "TYPE_BOOL": "BOOL", "TYPE_UINT8": "UINT8"}


class TritonLoadError(RuntimeError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---- pb_utils ----------------------------------------------------------------------------------------


class TritonError(Exception):
    UNKNOWN, INTERNAL, NOT_FOUND, INVALID_ARG, UNAVAILABLE, UNSUPPORTED, ALREADY_EXISTS, CANCELLED = range(8)

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self._message, self._code = message, code

    def message(self) -> str:
        return self._message

    def code(self) -> int:
        return self._code


class TritonModelException(Exception):
    pass


class Tensor:
    def __init__(self, name: str, array: Any):
        import numpy as np

        if not isinstance(array, np.ndarray):
            raise TritonModelException(f"Tensor {name}: expected a numpy array, got {type(array).__name__}")
        self._name, self._array = name, array

    def name(self) -> str:
        return self._name

    def as_numpy(self) -> Any:
        return self._array

    def is_cpu(self) -> bool:
        return True


class InferenceRequest:
    def __init__(self, inputs: List[Tensor], request_id: str = "", model_name: str = ""):
        self._inputs, self._id, self._model_name = inputs, request_id, model_name

    def inputs(self) -> List[Tensor]:
        return self._inputs

    def request_id(self) -> str:
        return self._id

    def model_name(self) -> str:
        return self._model_name

    def is_cancelled(self) -> bool:
        return False


class InferenceResponse:
    def __init__(self, output_tensors: Optional[List[Tensor]] = None, error: Optional[TritonError] = None):
        self._outputs, self._error = list(output_tensors or []), error

    def output_tensors(self) -> List[Tensor]:
        return self._outputs

    def has_error(self) -> bool:
        return self._error is not None

    def error(self) -> Optional[TritonError]:
        return self._error


def get_input_tensor_by_name(request: InferenceRequest, name: str) -> Optional[Tensor]:
    return next((t for t in request.inputs() if t.name() == name), None)


def get_output_tensor_by_name(response: InferenceResponse, name: str) -> Optional[Tensor]:
    return next((t for t in response.output_tensors() if t.name() == name), None)


def install_pb_utils() -> types.ModuleType:
    existing = sys.modules.get("triton_python_backend_utils")
    if existing is not None and getattr(existing, "__dreamqueue_harness__", False):
        return existing
    module = types.ModuleType("triton_python_backend_utils")
    for item in (TritonError, TritonModelException, Tensor, InferenceRequest, InferenceResponse, get_input_tensor_by_name, get_output_tensor_by_name):
        setattr(module, item.__name__, item)
    module.__dreamqueue_harness__ = True
    sys.modules[module.__name__] = module
    return module


# ---- loading -----------------------------------------------------------------------------------------


@contextlib.contextmanager
def _instance_temp(temp_dir: Optional[Path]) -> Iterator[None]:
    """The instance's /tmp: what tempfile.gettempdir() answers inside the model while it loads and runs."""
    if temp_dir is None:
        yield
        return
    saved = tempfile.tempdir
    tempfile.tempdir = str(temp_dir)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def load_model(model_dir: Path, name: Optional[str] = None, temp_dir: Optional[Path] = None) -> "TritonModel":
    install_pb_utils()
    model_dir = Path(model_dir)
    config = parse_pbtxt((model_dir / "config.pbtxt").read_text(encoding="utf-8"))
    name = name or config.get("name") or model_dir.name
    env_path = _parameter(config, "EXECUTION_ENV_PATH")
    if env_path is not None:
        local = Path(temp_dir) / env_path[len("/tmp/") :] if temp_dir is not None and env_path.startswith("/tmp/") else Path(env_path)
        if not local.exists():
            raise TritonLoadError(f"failed to load '{name}' version 1: Internal: Failed to get the canonical path for {env_path}.")
    with _instance_temp(temp_dir):
        spec = importlib.util.spec_from_file_location(f"triton_model_{uuid.uuid4().hex}", model_dir / "1" / "model.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        args = {
            "model_config": json.dumps({**config, "name": name}),
            "model_instance_kind": "GPU" if _kind(config) == "KIND_GPU" else "CPU",
            "model_instance_device_id": "0",
            "model_repository": str(model_dir),
            "model_version": "1",
            "model_name": name,
        }
        try:
            spec.loader.exec_module(module)
            instance = module.TritonPythonModel()
            if hasattr(instance, "initialize"):
                instance.initialize(args)
        except Exception as err:  # noqa: BLE001 - Triton reports any failure as a failed load
            raise TritonLoadError(f"failed to load '{name}' version 1: Internal: {type(err).__name__}: {err}") from err
    return TritonModel(name, config, instance, temp_dir)


def load_model_archive(tar_gz: Path, models_root: Path, temp_dir: Optional[Path] = None) -> "TritonModel":
    """Unpacks like the MME (regular files and folders only, inside one top-level model folder) and loads."""
    target = Path(tempfile.mkdtemp(dir=models_root, prefix="model-"))
    with tarfile.open(tar_gz) as tar:
        members = tar.getmembers()
        tops = {m.name.split("/")[0] for m in members}
        for member in members:
            if member.name.startswith("/") or ".." in member.name.split("/") or not (member.isfile() or member.isdir()):
                raise TritonLoadError(f"unsafe entry in model archive: {member.name}")
        if len(tops) != 1:
            raise TritonLoadError(f"a model archive holds one model folder, found {sorted(tops)}")
        tar.extractall(target, members=members, filter="data")
    top = tops.pop()
    return load_model(target / top, name=top, temp_dir=temp_dir)


def _parameter(config: Dict[str, Any], key: str) -> Optional[str]:
    for parameter in config.get("parameters", []):
        if parameter.get("key") == key:
            return parameter.get("value", {}).get("string_value")
    return None


def _kind(config: Dict[str, Any]) -> str:
    groups = config.get("instance_group", [])
    return groups[0].get("kind", "KIND_GPU") if groups else "KIND_GPU"


# ---- serving -----------------------------------------------------------------------------------------

HTTP_STATUS = {TritonError.UNKNOWN: 400, TritonError.INTERNAL: 500, TritonError.NOT_FOUND: 404, TritonError.INVALID_ARG: 400, TritonError.UNAVAILABLE: 503, TritonError.UNSUPPORTED: 501, TritonError.ALREADY_EXISTS: 409, TritonError.CANCELLED: 400}


class FrontEndError(ValueError):
    """Refused by the HTTP front end / request normalisation: HTTP 400, execute() never sees it."""


class TritonModel:
    def __init__(self, name: str, config: Dict[str, Any], instance: Any, temp_dir: Optional[Path]):
        self.name, self.config, self.instance, self.temp_dir = name, config, instance, temp_dir
        self.max_batch_size = int(config.get("max_batch_size", 0))
        self.dynamic_batching = "dynamic_batching" in config
        self.executions: List[List[int]] = []

    def infer_one(self, body: Dict[str, Any]) -> Tuple[int, Dict[str, Any]]:
        return self.infer([body])[0]

    def infer(self, bodies: Sequence[Any]) -> List[Tuple[int, Dict[str, Any]]]:
        results: List[Optional[Tuple[int, Dict[str, Any]]]] = [None] * len(bodies)
        queue: List[Tuple[int, InferenceRequest, int]] = []
        for index, body in enumerate(bodies):
            try:
                request, batch = self.to_request(body, index)
                queue.append((index, request, batch))
            except FrontEndError as err:
                results[index] = (400, {"error": str(err)})
        for group in self._batches(queue):
            for index, answer in zip([g[0] for g in group], self._execute(group)):
                results[index] = answer
        return [r for r in results if r is not None]

    def _batches(self, queue: List[Tuple[int, InferenceRequest, int]]) -> List[List[Tuple[int, InferenceRequest, int]]]:
        if not self.dynamic_batching:
            return [[item] for item in queue]
        groups: List[List[Tuple[int, InferenceRequest, int]]] = []
        size = 0
        for item in queue:
            if groups and size + item[2] <= self.max_batch_size:
                groups[-1].append(item)
                size += item[2]
            else:
                groups.append([item])
                size = item[2]
        return groups

    def _execute(self, group: List[Tuple[int, InferenceRequest, int]]) -> List[Tuple[int, Dict[str, Any]]]:
        requests = [item[1] for item in group]
        self.executions.append([item[2] for item in group])
        instance_name = f"{self.name}_0_0"
        try:
            with _instance_temp(self.temp_dir):
                responses = self.instance.execute(requests)
            if not isinstance(responses, list) or len(responses) != len(requests) or any(r is None for r in responses):
                raise TritonModelException(f"execute returned {len(responses) if isinstance(responses, list) else type(responses).__name__} responses for {len(requests)} requests")
        except Exception as err:  # noqa: BLE001 - Triton answers every request of the batch with the error
            message = f"Failed to process the request(s) for model instance '{instance_name}', message: {type(err).__name__}: {err}"
            return [(500, {"error": message}) for _ in requests]
        return [self._to_kserve(response, item[2]) for response, item in zip(responses, group)]

    def to_request(self, body: Any, index: int = 0) -> Tuple[InferenceRequest, int]:
        """KServe v2 JSON -> InferenceRequest, validated against config.pbtxt as Triton does. Returns the
        request and its batch size (1 for a model without batching)."""
        import numpy as np

        if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
            raise FrontEndError("Unable to parse 'inputs': attempt to access non-existing object member 'inputs'")
        declared = {spec["name"]: spec for spec in self.config.get("input", [])}
        tensors: List[Tensor] = []
        batch: Optional[int] = None
        for tensor in body["inputs"]:
            name, datatype, shape, data = (tensor.get(k) for k in ("name", "datatype", "shape", "data")) if isinstance(tensor, dict) else (None,) * 4
            if not isinstance(name, str) or not isinstance(datatype, str) or not isinstance(shape, list) or data is None:
                raise FrontEndError("Unable to parse 'inputs': each input needs name, shape, datatype and data")
            spec = declared.get(name)
            if spec is None:
                raise FrontEndError(f"unexpected inference input '{name}' for model '{self.name}'")
            expected_type = TRITON_TO_KSERVE.get(spec["data_type"], spec["data_type"])
            if datatype != expected_type:
                raise FrontEndError(f"inference input '{name}' data-type is '{datatype}', but model '{self.name}' expects '{expected_type}'")
            dims = [int(d) for d in spec.get("dims", [])]
            full = ([-1] + dims) if self.max_batch_size > 0 else dims
            if len(shape) != len(full) or any(not isinstance(s, int) or s < 0 or (d != -1 and s != d) for s, d in zip(shape, full)):
                raise FrontEndError(f"unexpected shape for input '{name}' for model '{self.name}'. Expected {full}, got {shape}")
            if self.max_batch_size > 0:
                if batch is not None and shape[0] != batch:
                    raise FrontEndError(f"input '{name}' batch size does not match other inputs for '{self.name}'")
                batch = shape[0]
            flat = list(_flatten(data))
            count = 1
            for s in shape:
                count *= s
            if len(flat) != count:
                raise FrontEndError(f"unexpected number of string elements {len(flat)} for inference input '{name}', expecting {count}")
            if expected_type == "BYTES":
                if not all(isinstance(v, str) for v in flat):
                    raise FrontEndError(f"unable to parse 'data': BYTES input '{name}' must hold strings")
                array = np.array([v.encode("utf-8") for v in flat], dtype=np.object_).reshape(shape)
            else:
                array = np.array(flat).reshape(shape)
            tensors.append(Tensor(name, array))
        missing = [n for n, spec in declared.items() if not spec.get("optional") and n not in {t.name() for t in tensors}]
        if missing:
            got = [t.name() for t in tensors]
            raise FrontEndError(f"expected {len(declared)} inputs but got {len(tensors)} inputs for model '{self.name}'. Got input(s) {got}, but missing required input(s) {missing}. Please provide all required input(s).")
        if self.max_batch_size > 0:
            batch = batch or 0
            if batch < 1 or batch > self.max_batch_size:
                raise FrontEndError(f"inference request batch-size must be <= {self.max_batch_size} for '{self.name}'")
        return InferenceRequest(tensors, str(body.get("id", "")), self.name), (batch if self.max_batch_size > 0 else 1)

    def _to_kserve(self, response: Any, batch: int) -> Tuple[int, Dict[str, Any]]:
        if response.has_error():
            error = response.error()
            return HTTP_STATUS.get(error.code(), 500), {"error": error.message()}
        declared = {spec["name"]: spec for spec in self.config.get("output", [])}
        outputs = []
        for tensor in response.output_tensors():
            spec = declared.get(tensor.name())
            if spec is None:
                return 500, {"error": f"unexpected output '{tensor.name()}' for model '{self.name}'"}
            array = tensor.as_numpy()
            shape = list(array.shape)
            if self.max_batch_size > 0 and (not shape or shape[0] != batch):
                return 500, {"error": f"output '{tensor.name()}' has batch size {shape[0] if shape else 0}, the request has {batch}"}
            datatype = TRITON_TO_KSERVE.get(spec["data_type"], spec["data_type"])
            data = [v.decode("utf-8") if isinstance(v, bytes) else (str(v) if datatype == "BYTES" else v.item() if hasattr(v, "item") else v) for v in array.reshape(-1).tolist()]
            outputs.append({"name": tensor.name(), "datatype": datatype, "shape": shape, "data": data})
        return 200, {"model_name": self.name, "model_version": "1", "outputs": outputs}

    def finalize(self) -> None:
        if hasattr(self.instance, "finalize"):
            with _instance_temp(self.temp_dir):
                self.instance.finalize()


def _flatten(data: Any) -> Iterator[Any]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten(item)
    else:
        yield data
