"""Triton python backend: one personal LoRA on Stable Diffusion 2.1 base (SageMaker MME, KServe v2).

Four parts (aws/sagemaker-inference-toolkit's shape):
  load     initialize(): base pipeline from the instance's temp dir (put there by model_setup) + the LoRA
           (output/pytorch_lora_weights.safetensors, diffusers format) through load_lora_weights
  parse    parse_inputs(): [N,1] BYTES tensors prompt / negative_prompt / gen_args -> rows (pure)
  predict  run_rows(): rows grouped into real batches (same steps + guidance), one seed per row
  format   format_images(): JPEG bytes -> base64 strings, shape [N,1] (pure)
torch, diffusers, peft and triton_python_backend_utils are imported inside functions, so the pure parts
import (and are tested) with the standard library alone.
"""
import base64
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

MAX_BATCH_SIZE = 8  # config.pbtxt max_batch_size
MAX_PROMPT_CHARS = 2000
# Prompts are used as sent: the API already put the model's trigger phrase (`photo of <token> <class>`) in,
# and the token is the one config.json's concept_prompt trained on.
LORA_WEIGHTS = "pytorch_lora_weights.safetensors"
BASE_MODEL_DIR = Path(tempfile.gettempdir()) / "stable_diff"
SETUP_MODEL = "model_setup.tar.gz"
GEN_ARG_LIMITS = {"num_inference_steps": (int, 1, 150), "guidance_scale": (float, 0.0, 30.0), "seed": (int, 0, 2**32 - 1)}
DEFAULT_GEN_ARGS = {"num_inference_steps": 30, "guidance_scale": 7.5, "seed": 0}


class RequestError(ValueError):
    """A request that can never succeed (answered as a 400-class error for that request only)."""


@dataclass(frozen=True)
class Row:
    prompt: str
    negative_prompt: str
    num_inference_steps: int
    guidance_scale: float
    seed: int


# ---- parse -----------------------------------------------------------------------------------------


def tensors_from_kserve(body: Mapping[str, Any]) -> Dict[str, List[List[Any]]]:
    """KServe v2 JSON inputs -> {name: [[value], …]} (what Triton hands the model as an [N,1] tensor)."""
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise RequestError("body must have an inputs array")
    tensors: Dict[str, List[List[Any]]] = {}
    for tensor in inputs:
        name, shape, data = tensor.get("name"), tensor.get("shape"), tensor.get("data")
        if tensor.get("datatype") != "BYTES":
            raise RequestError(f"input {name}: datatype must be BYTES")
        if not (isinstance(shape, list) and len(shape) == 2 and shape[1] == 1 and isinstance(data, list) and shape[0] == len(data)):
            raise RequestError(f"input {name}: shape must be [N,1] with N data items, got {shape} for {len(data or [])}")
        tensors[str(name)] = [[value] for value in data]
    return tensors


def parse_inputs(tensors: Mapping[str, Optional[Sequence[Sequence[Any]]]]) -> List[Row]:
    prompts = _column(tensors, "prompt")
    if prompts is None:
        raise RequestError("input prompt is required")
    n = len(prompts)
    if not 1 <= n <= MAX_BATCH_SIZE:
        raise RequestError(f"batch of {n} rows; between 1 and {MAX_BATCH_SIZE} allowed")
    negatives = _column(tensors, "negative_prompt") or [""] * n
    gen_args = _column(tensors, "gen_args")
    for name, column in (("negative_prompt", negatives), ("gen_args", gen_args)):
        if column is not None and len(column) != n:
            raise RequestError(f"input {name} has {len(column)} rows, prompt has {n}")
    rows = []
    for i in range(n):
        args = parse_gen_args(gen_args[i]) if gen_args is not None else dict(DEFAULT_GEN_ARGS)
        rows.append(Row(_prompt(prompts[i], "prompt", required=True), _prompt(negatives[i], "negative_prompt"), **args))
    return rows


def _column(tensors: Mapping[str, Any], name: str) -> Optional[List[str]]:
    rows = tensors.get(name)
    if rows is None:
        return None
    column = []
    for row in rows:
        if not isinstance(row, (list, tuple)) or len(row) != 1:
            raise RequestError(f"input {name}: every row must hold exactly one value (shape [N,1])")
        value = row[0]
        try:
            column.append(value.decode("utf-8") if isinstance(value, (bytes, bytearray)) else str(value))
        except UnicodeDecodeError as err:
            raise RequestError(f"input {name}: not UTF-8") from err
    return column


def _prompt(text: str, name: str, required: bool = False) -> str:
    if required and not text.strip():
        raise RequestError(f"{name} must not be empty")
    if len(text) > MAX_PROMPT_CHARS:
        raise RequestError(f"{name} is longer than {MAX_PROMPT_CHARS} characters")
    return text


def parse_gen_args(text: str) -> Dict[str, Any]:
    """gen_args: a JSON object with exactly num_inference_steps, guidance_scale and seed."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise RequestError("gen_args is not valid JSON") from err
    if not isinstance(value, dict):
        raise RequestError("gen_args must be a JSON object")
    unknown = sorted(set(value) - set(GEN_ARG_LIMITS))
    missing = sorted(set(GEN_ARG_LIMITS) - set(value))
    if unknown or missing:
        raise RequestError(f"gen_args: missing {missing}, unknown {unknown}")
    parsed: Dict[str, Any] = {}
    for key, (kind, low, high) in GEN_ARG_LIMITS.items():
        item = value[key]
        numeric = isinstance(item, (int, float)) and not isinstance(item, bool)
        if not numeric or (kind is int and not float(item).is_integer()):
            raise RequestError(f"gen_args.{key} must be {'an integer' if kind is int else 'a number'}")
        if not low <= item <= high:
            raise RequestError(f"gen_args.{key} must be between {low} and {high}")
        parsed[key] = kind(item)
    return parsed


def plan_batches(rows: Sequence[Row], max_batch: int = MAX_BATCH_SIZE) -> List[List[int]]:
    """Row indices grouped into pipeline calls: one call takes one steps/guidance pair, up to max_batch rows."""
    groups: Dict[Tuple[int, float], List[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault((row.num_inference_steps, row.guidance_scale), []).append(index)
    return [indices[i : i + max_batch] for indices in groups.values() for i in range(0, len(indices), max_batch)]


# ---- format ----------------------------------------------------------------------------------------


def format_images(jpegs: Sequence[bytes]) -> List[List[str]]:
    """JPEG bytes -> [[base64], …]: the generated_image tensor, shape [N,1]."""
    for index, jpeg in enumerate(jpegs):
        if jpeg[:3] != b"\xff\xd8\xff":
            raise ValueError(f"image {index} is not a JPEG")
    return [[base64.b64encode(jpeg).decode("ascii")] for jpeg in jpegs]


def kserve_output(jpegs: Sequence[bytes]) -> Dict[str, Any]:
    """The KServe v2 response body SageMaker returns to the caller."""
    rows = format_images(jpegs)
    return {"outputs": [{"name": "generated_image", "shape": [len(rows), 1], "datatype": "BYTES", "data": [r[0] for r in rows]}]}


# ---- load / predict (GPU only) ---------------------------------------------------------------------


def pick_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_pipeline(model_dir: Path) -> Any:
    import torch
    from diffusers import StableDiffusionPipeline

    if not (BASE_MODEL_DIR / "model_index.json").exists():
        # The worker recognises this and re-invokes model_setup on the instance, then retries.
        raise RuntimeError(f"the base model and conda environment are missing; invoke {SETUP_MODEL} first")
    device = pick_device()
    pipe = StableDiffusionPipeline.from_pretrained(str(BASE_MODEL_DIR), dtype=torch.float16 if device == "cuda" else torch.float32)
    pipe.load_lora_weights(str(model_dir / "output"), weight_name=LORA_WEIGHTS)
    pipe.set_progress_bar_config(disable=True)
    return pipe.to(device)


def run_rows(pipe: Any, rows: Sequence[Row]) -> List[bytes]:
    """One JPEG per row, in row order; each pipeline call is a real batch with one generator per row, so a
    row's image depends on its own prompt and seed, not on what else is in the batch."""
    import io

    import torch

    images: List[Optional[bytes]] = [None] * len(rows)
    for batch in plan_batches(rows):
        first = rows[batch[0]]
        with torch.no_grad():
            result = pipe(
                prompt=[rows[i].prompt for i in batch],
                negative_prompt=[rows[i].negative_prompt for i in batch],
                num_inference_steps=first.num_inference_steps,
                guidance_scale=first.guidance_scale,
                generator=[torch.Generator(device=pipe.device).manual_seed(rows[i].seed) for i in batch],
            )
        for i, image in zip(batch, result.images):
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=92)
            images[i] = buffer.getvalue()
    return [image for image in images if image is not None]


def answer_requests(parsed: Sequence[Any], generate: Any) -> List[Any]:
    """Rows of every request Triton merged go through `generate` together (real batches across requests),
    then are split back per request; a refused request gets its RequestError and does not hold up the rest."""
    all_rows = [row for item in parsed if not isinstance(item, RequestError) for row in item]
    images = iter(generate(all_rows) if all_rows else [])
    return [item if isinstance(item, RequestError) else format_images([next(images) for _ in item]) for item in parsed]


class TritonPythonModel:
    def initialize(self, args: Dict[str, str]) -> None:
        self.pipe = load_pipeline(Path(args["model_repository"]) / args["model_version"])

    def execute(self, requests: List[Any]) -> List[Any]:
        import numpy as np
        import triton_python_backend_utils as pb_utils

        parsed: List[Any] = []
        for request in requests:
            try:
                parsed.append(parse_inputs({name: _read(pb_utils, request, name) for name in ("prompt", "negative_prompt", "gen_args")}))
            except RequestError as err:
                parsed.append(err)
        responses = []
        for answer in answer_requests(parsed, lambda rows: run_rows(self.pipe, rows)):
            if isinstance(answer, RequestError):
                # INVALID_ARG: Triton answers HTTP 400 (the default, INTERNAL, would be a 500 the worker retries).
                error = pb_utils.TritonError(str(answer), pb_utils.TritonError.INVALID_ARG)
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
            else:
                responses.append(pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("generated_image", np.array(answer, dtype=object))]))
        return responses


def _read(pb_utils: Any, request: Any, name: str) -> Optional[List[List[Any]]]:
    tensor = pb_utils.get_input_tensor_by_name(request, name)
    return None if tensor is None else tensor.as_numpy().tolist()
