"""The SageMaker wire contract (libs/contracts/vectors/*.json) as the containers see it.

The worker's TypeScript and the emulator read the same files; this test runs the containers' own parse and
format functions on them, with the standard library only (no torch, no Triton). Requests are also checked
against the Triton model configs, the way Triton's HTTP front end checks them before any Python runs.
"""
import base64
import io
import json
import re
import tarfile
import tempfile
import unittest
from pathlib import Path
from typing import Any, Dict, List

from tests.loader import CONTAINERS, load_module

VECTORS = CONTAINERS.parent / "libs" / "contracts" / "vectors"

tar_input = load_module("training/tar_input.py", "dq_vectors_tar_input")
training_output = load_module("training/training_output.py", "dq_vectors_training_output")
lora = load_module("mme/lora/1/model.py", "dq_vectors_lora")
model_setup = load_module("mme/model_setup/1/model.py", "dq_vectors_model_setup")


def vector(kind: str) -> Dict[str, Any]:
    return json.loads((VECTORS / f"{kind}.json").read_text("utf-8"))


def pbtxt(relative: str) -> Dict[str, Any]:
    """The parts of a config.pbtxt that decide whether Triton accepts a request (inputs, max_batch_size)."""
    text = (CONTAINERS / relative).read_text("utf-8")
    text = re.sub(r"#.*", "", text)
    inputs_block = re.search(r"\binput\s*\[(.*?)\]\s*output", text, re.S)
    assert inputs_block is not None, f"{relative} declares no inputs"
    inputs = {}
    for body in re.findall(r"\{(.*?)\}", inputs_block.group(1), re.S):
        name = re.search(r'name:\s*"([^"]+)"', body).group(1)
        dims = [int(d) for d in re.search(r"dims:\s*\[([^\]]*)\]", body).group(1).split(",")]
        inputs[name] = {
            "data_type": re.search(r"data_type:\s*(\w+)", body).group(1),
            "dims": dims,
            "optional": re.search(r"optional:\s*true", body) is not None,
        }
    env = re.search(r'key:\s*"EXECUTION_ENV_PATH"\s*value:\s*\{\s*string_value:\s*"([^"]+)"', text)
    return {
        "max_batch_size": int(re.search(r"max_batch_size:\s*(\d+)", text).group(1)),
        "inputs": inputs,
        "execution_env_path": env.group(1) if env else None,
    }


def triton_refusal(config: Dict[str, Any], body: Any) -> str:
    """Why Triton would refuse this KServe v2 body for the model ('' when it accepts it)."""
    if not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        return "Unable to parse 'inputs'"
    seen = set()
    for tensor in body["inputs"]:
        name = tensor.get("name")
        declared = config["inputs"].get(name)
        if declared is None:
            return f"unexpected inference input '{name}'"
        if tensor.get("datatype") != "BYTES" or declared["data_type"] != "TYPE_STRING":
            return f"input '{name}': datatype mismatch"
        shape, dims = tensor.get("shape"), declared["dims"]
        if config["max_batch_size"] > 0:
            if len(shape) != len(dims) + 1 or not 1 <= shape[0] <= config["max_batch_size"]:
                return f"input '{name}': shape {shape} does not fit batch + {dims}"
            shape = shape[1:]
        if len(shape) != len(dims) or any(d != -1 and d != s for d, s in zip(dims, shape)):
            return f"input '{name}': shape {shape} does not match dims {dims}"
        count = 1
        for size in tensor["shape"]:
            count *= size
        if count != len(tensor.get("data", [])):
            return f"input '{name}': {len(tensor.get('data', []))} data items for shape {tensor['shape']}"
        seen.add(name)
    missing = [n for n, d in config["inputs"].items() if not d["optional"] and n not in seen]
    return f"missing inputs {missing}" if missing else ""


def tar_of(files: List[Dict[str, Any]], jpegs: List[str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for item in files:
            if "jpeg" in item:
                body = base64.b64decode(jpegs[item["jpeg"]])
            elif "text" in item:
                body = item["text"].encode("utf-8")
            else:
                body = json.dumps(item["json"]).encode("utf-8")
            info = tarfile.TarInfo(item["name"])
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


class TrainingVectorsTest(unittest.TestCase):
    def test_the_container_accepts_the_config_the_api_writes_unchanged(self):
        for case in vector("training-config")["cases"]:
            with self.subTest(case=case["name"]):
                self.assertEqual(tar_input.parse_config(json.dumps(case["config"]).encode("utf-8")), case["config"])

    def test_a_refused_input_writes_exactly_the_vector_failure_object(self):
        failures = vector("training-failure")
        for case in failures["cases"]:
            with self.subTest(case=case["name"]):
                with self.assertRaises(tar_input.TrainingInputError) as caught:
                    tar_input.parse_training_tar(tar_of(case["files"], failures["jpegs"]))
                self.assertEqual(training_output.failed_output(str(caught.exception)), case["failure"])

    def test_the_completed_output_and_artifact_names_are_the_vector_ones(self):
        out = vector("training-output")
        completed = out["completed"]
        self.assertEqual(training_output.completed_output(completed["output_location"], completed["training_seconds"]), completed)
        name = training_output.artifact_name()
        self.assertRegex(name, out["artifactNamePattern"])
        self.assertEqual(
            training_output.artifact_uri(out["bucket"], out["mmePrefix"], out["artifactKey"][len(out["mmePrefix"]) :]),
            out["completed"]["output_location"],
        )


class GenerationVectorsTest(unittest.TestCase):
    config = pbtxt("mme/lora/config.pbtxt")

    def test_triton_accepts_the_request_the_worker_sends_and_the_backend_reads_its_rows(self):
        gen = vector("kserve-generation")
        self.assertEqual(triton_refusal(self.config, gen["request"]), "")
        rows = lora.parse_inputs(lora.tensors_from_kserve(gen["request"]))
        expected = [
            lora.Row(r["prompt"], r["negativePrompt"], r["steps"], float(r["guidance"]), r["seed"]) for r in gen["rows"]
        ]
        self.assertEqual(rows, expected)

    def test_the_backend_formats_the_response_the_worker_decodes(self):
        gen = vector("kserve-generation")
        jpegs = [base64.b64decode(b) for b in gen["response"]["outputs"][0]["data"]]
        self.assertEqual(lora.kserve_output(jpegs)["outputs"], gen["response"]["outputs"])

    def test_each_rejected_request_is_refused_by_triton_or_by_the_backend(self):
        for case in vector("kserve-generation")["rejected"]:
            with self.subTest(case=case["name"]):
                refusal = triton_refusal(self.config, case["request"])
                if not refusal:
                    with self.assertRaises(lora.RequestError):
                        lora.parse_inputs(lora.tensors_from_kserve(case["request"]))


class BootstrapVectorsTest(unittest.TestCase):
    config = pbtxt("mme/model_setup/config.pbtxt")

    def test_triton_accepts_the_setup_request_and_refuses_the_old_bodies(self):
        setup = vector("model-setup")
        self.assertEqual(triton_refusal(self.config, setup["request"]), "")
        for case in setup["rejected"]:
            with self.subTest(case=case["name"]):
                refusal = triton_refusal(self.config, case["body"])
                self.assertNotEqual(refusal, "")
                self.assertIn(refusal, case["tritonError"])

    def test_the_setup_model_answers_the_vector_response(self):
        with tempfile.TemporaryDirectory() as work:
            model_dir, temp = Path(work) / "model", Path(work) / "tmp"
            model_dir.mkdir()
            temp.mkdir()
            (model_dir / model_setup.CONDA_PACK).write_bytes(b"conda pack")
            with tarfile.open(model_dir / model_setup.BASE_MODEL_PACK, "w:gz") as tar:
                info = tarfile.TarInfo("stable_diff/model_index.json")
                info.size = 2
                tar.addfile(info, io.BytesIO(b"{}"))
            message = model_setup.setup_instance(model_dir, temp)
        self.assertEqual(model_setup.format_message(message), vector("model-setup")["response"]["outputs"][0]["data"])

    def test_the_missing_base_model_errors_name_what_the_containers_create(self):
        missing = vector("base-model-missing")
        conda = Path(missing["condaPackPath"])
        self.assertEqual(pbtxt("mme/lora/config.pbtxt")["execution_env_path"], str(conda))
        self.assertEqual(model_setup.CONDA_TARGET.relative_to(model_setup.TEMP), conda.relative_to("/tmp"))
        self.assertEqual(vector("model-setup")["targetModel"], lora.SETUP_MODEL)
        self.assertIn(f"invoke {lora.SETUP_MODEL} first", missing["missing"][1]["error"]["OriginalMessage"])


if __name__ == "__main__":
    unittest.main()
