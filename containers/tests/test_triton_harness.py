"""The Triton harness itself: KServe JSON -> requests as Triton's front end validates them, dynamic batching,
errors per request, and model_setup served through it from the archive tools/package.py builds."""
import io
import json
import tarfile
import tempfile
import unittest
from pathlib import Path

from testing import triton_harness as triton
from tests.loader import CONTAINERS

ECHO_MODEL = '''
import numpy as np
import triton_python_backend_utils as pb_utils

class TritonPythonModel:
    def initialize(self, args):
        self.args = args

    def execute(self, requests):
        out = []
        for request in requests:
            text = pb_utils.get_input_tensor_by_name(request, "text").as_numpy()
            if any(row[0] == b"boom" for row in text):
                raise RuntimeError("boom in the batch")
            if any(row[0] == b"bad" for row in text):
                out.append(pb_utils.InferenceResponse(error=pb_utils.TritonError("bad row", pb_utils.TritonError.INVALID_ARG)))
                continue
            out.append(pb_utils.InferenceResponse([pb_utils.Tensor("echo", np.array([[row[0].upper()] for row in text], dtype=object))]))
        return out
'''
ECHO_CONFIG = """
backend: "python"
max_batch_size: 4
dynamic_batching { max_queue_delay_microseconds: 100 }
input [ { name: "text" data_type: TYPE_STRING dims: [ 1 ] } ]
output [ { name: "echo" data_type: TYPE_STRING dims: [ 1 ] } ]
"""


def body(*texts, name="text", datatype="BYTES", shape=None):
    return {"inputs": [{"name": name, "shape": shape or [len(texts), 1], "datatype": datatype, "data": list(texts)}]}


class HarnessTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        folder = Path(self.tmp.name) / "echo"
        (folder / "1").mkdir(parents=True)
        (folder / "config.pbtxt").write_text(ECHO_CONFIG)
        (folder / "1" / "model.py").write_text(ECHO_MODEL)
        self.model = triton.load_model(folder)

    def tearDown(self):
        self.tmp.cleanup()

    def test_initialize_gets_tritons_args(self):
        args = self.model.instance.args
        self.assertEqual((args["model_name"], args["model_version"]), ("echo", "1"))
        self.assertTrue(args["model_repository"].endswith("/echo"))
        self.assertEqual(json.loads(args["model_config"])["max_batch_size"], 4)

    def test_merges_requests_up_to_max_batch_size_and_answers_each_in_kserve_json(self):
        answers = self.model.infer([body("a", "b"), body("c"), body("d", "e")])
        self.assertEqual(self.model.executions, [[2, 1], [2]])
        self.assertEqual(answers[0], (200, {"model_name": "echo", "model_version": "1", "outputs": [{"name": "echo", "datatype": "BYTES", "shape": [2, 1], "data": ["A", "B"]}]}))
        self.assertEqual(answers[2][1]["outputs"][0]["data"], ["D", "E"])

    def test_the_front_end_refuses_what_triton_refuses_before_execute(self):
        cases = [
            ({}, "Unable to parse 'inputs'"),
            (body("a", name="other"), "unexpected inference input 'other' for model 'echo'"),
            (body("a", datatype="FP32"), "data-type is 'FP32', but model 'echo' expects 'BYTES'"),
            (body("a", shape=[1]), r"unexpected shape for input 'text' for model 'echo'. Expected \[-1, 1\], got \[1\]"),
            (body("a", "b", shape=[3, 1]), "unexpected number of string elements 2"),
            (body(*"abcde"), "batch-size must be <= 4"),
            ({"inputs": []}, "missing required input"),
        ]
        for request, message in cases:
            with self.subTest(message=message):
                ((status, answer),) = self.model.infer([request])
                self.assertEqual(status, 400)
                self.assertRegex(answer["error"], message)
        self.assertEqual(self.model.executions, [])

    def test_an_error_response_fails_only_its_request_and_an_exception_fails_the_whole_execute(self):
        answers = self.model.infer([body("a"), body("bad"), body("c")])
        self.assertEqual([status for status, _ in answers], [200, 400, 200])
        self.assertEqual(answers[1][1], {"error": "bad row"})
        answers = self.model.infer([body("a"), body("boom")])
        self.assertEqual([status for status, _ in answers], [500, 500])
        self.assertIn("Failed to process the request(s) for model instance 'echo_0_0', message: RuntimeError: boom in the batch", answers[0][1]["error"])


class ModelSetupThroughTritonTest(unittest.TestCase):
    """tools/package.py model-setup -> unpacked as the MME does -> initialize -> execute."""

    def test_model_setup_bootstraps_the_instance_and_answers_its_message(self):
        from tools import package

        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            conda, base = root / "sd_env.tar.gz", root / "stable_diff.tar.gz"
            conda.write_bytes(b"conda-pack")
            with tarfile.open(base, "w:gz") as tar:
                info = tarfile.TarInfo("stable_diff/model_index.json")
                info.size = 2
                tar.addfile(info, io.BytesIO(b"{}"))
            package.package_model_setup(root / "model_setup.tar.gz", conda, base)
            (root / "models").mkdir()
            (root / "instance-tmp").mkdir()
            model = triton.load_model_archive(root / "model_setup.tar.gz", root / "models", temp_dir=root / "instance-tmp")
            self.assertEqual((root / "instance-tmp" / "conda" / "sd_env.tar.gz").read_bytes(), b"conda-pack")
            self.assertTrue((root / "instance-tmp" / "stable_diff" / "model_index.json").is_file())
            status, answer = model.infer_one({"inputs": [{"name": "input_args", "shape": [1], "datatype": "BYTES", "data": ["setup"]}]})
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["outputs"][0]["data"], ["Model env setup successful."])
            self.assertEqual(model.infer_one({})[0], 400)  # a body without inputs never reaches the model

    def test_lora_model_load_fails_like_triton_when_the_conda_pack_is_missing(self):
        with tempfile.TemporaryDirectory() as tmp:
            with self.assertRaisesRegex(triton.TritonLoadError, r"failed to load 'lora' version 1: Internal: Failed to get the canonical path for /tmp/conda/sd_env.tar.gz\."):
                triton.load_model(CONTAINERS / "mme" / "lora", temp_dir=Path(tmp))


class PbtxtTest(unittest.TestCase):
    def test_parses_the_lora_config(self):
        config = triton.parse_pbtxt((CONTAINERS / "mme" / "lora" / "config.pbtxt").read_text())
        self.assertEqual(config["max_batch_size"], 8)
        self.assertEqual([i["name"] for i in config["input"]], ["prompt", "negative_prompt", "gen_args"])
        self.assertEqual(config["input"][1]["optional"], True)
        self.assertEqual(config["parameters"][0]["value"]["string_value"], "/tmp/conda/sd_env.tar.gz")


if __name__ == "__main__":
    unittest.main()
