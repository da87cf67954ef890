"""format and packaging of the training handler, and the DJL entry point with the image's modules faked."""
import json
import os
import sys
import tarfile
import tempfile
import types
import unittest
from pathlib import Path

from tests.loader import CONTAINERS, load_module
from tests.tar_fixtures import build_tar, photos

output = load_module("training/training_output.py", "dq_training_output")
artifact = load_module("training/artifact.py", "dq_training_artifact")


class OutputJsonTest(unittest.TestCase):
    def test_completed_output_is_exactly_the_contract_the_worker_reads(self):
        body = output.completed_output("s3://dreamqueue/mme-models/lora-0123abcd.tar.gz", 812.34567)
        self.assertEqual(
            json.loads(json.dumps(body)),
            {"status": "Training Completed!", "output_location": "s3://dreamqueue/mme-models/lora-0123abcd.tar.gz", "training_seconds": 812.346},
        )

    def test_completed_output_refuses_a_duration_that_is_not_a_time(self):
        for bad in (-1.0, float("nan")):
            with self.subTest(bad=bad), self.assertRaisesRegex(ValueError, "training duration"):
                output.completed_output("s3://dreamqueue/mme-models/lora-0123abcd.tar.gz", bad)

    def test_completed_output_refuses_a_location_outside_a_flat_tarball_name(self):
        for bad in ("s3://dreamqueue/mme-models/../x.tar.gz", "https://x/y.tar.gz", "s3://dreamqueue/mme-models/UPPER.tar.gz", "s3://b/x.zip"):
            with self.subTest(bad=bad), self.assertRaises(ValueError):
                output.completed_output(bad, 1.0)

    def test_failed_output_carries_the_reason(self):
        self.assertEqual(output.failed_output("expected 3-20 images"), {"status": "Training Failed!", "reason": "expected 3-20 images"})

    def test_artifact_names_are_fresh_flat_and_lowercase(self):
        names = {output.artifact_name() for _ in range(50)}
        self.assertEqual(len(names), 50)
        for name in names:
            self.assertRegex(name, r"^lora-[a-z0-9]{20}\.tar\.gz$")
        self.assertEqual(output.artifact_name(lambda: "ABCDEF0123456789abcdef99"), "lora-abcdef0123456789abcd.tar.gz")

    def test_artifact_uri_joins_bucket_and_prefix_with_single_slashes(self):
        self.assertEqual(output.artifact_uri("dreamqueue", "mme-models/", "lora-1.tar.gz"), "s3://dreamqueue/mme-models/lora-1.tar.gz")
        self.assertEqual(output.artifact_uri("dreamqueue", "", "lora-1.tar.gz"), "s3://dreamqueue/lora-1.tar.gz")
        self.assertEqual(artifact.mme_key("mme-models/", "lora-1.tar.gz"), "mme-models/lora-1.tar.gz")


class PackModelFolderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.weights = Path(self.tmp.name) / "weights"
        (self.weights / "unet").mkdir(parents=True)
        (self.weights / "unet" / "adapter_config.json").write_text("{}")
        (self.weights / "unet" / "adapter_model.safetensors").write_bytes(b"\x00" * 16)

    def tearDown(self):
        self.tmp.cleanup()

    def test_packs_the_triton_model_folder_with_the_lora_weights(self):
        out = Path(self.tmp.name) / "lora-x.tar.gz"
        names = artifact.pack_model_folder(CONTAINERS / "mme" / "lora", self.weights, out)
        with tarfile.open(out) as tar:
            members = {m.name: m for m in tar.getmembers()}
        self.assertEqual(sorted(members), sorted(names))
        self.assertIn("sd_lora/config.pbtxt", members)
        self.assertIn("sd_lora/1/model.py", members)
        self.assertIn("sd_lora/1/output/unet/adapter_config.json", members)
        self.assertTrue(all(m.isfile() and not m.name.startswith("/") and ".." not in m.name for m in members.values()))

    def test_refuses_to_pack_a_symlink(self):
        os.symlink("/etc/passwd", self.weights / "unet" / "leak")
        with self.assertRaisesRegex(ValueError, "symlink"):
            artifact.pack_model_folder(CONTAINERS / "mme" / "lora", self.weights, Path(self.tmp.name) / "x.tar.gz")


class DjlHandlerTest(unittest.TestCase):
    """training/model.py imports without torch/diffusers/djl; the DJL Input/Output are faked at the edge."""

    @classmethod
    def setUpClass(cls):
        cls.model = load_module("training/model.py", "dq_training_model")

    def test_serving_properties_allow_an_hour_for_loading_and_for_one_training(self):
        properties = (CONTAINERS / "training" / "serving.properties").read_text()
        self.assertIn("option.model_loading_timeout=3600", properties)
        self.assertIn("option.predict_timeout=3600", properties)

    def test_load_prefers_the_stacks_environment_over_serving_properties(self):
        os.environ["OPTION_S3_BUCKET"] = "stack-bucket"
        try:
            settings = self.model.load({"s3_bucket": "file-bucket", "mme_prefix": "models/"})
        finally:
            del os.environ["OPTION_S3_BUCKET"]
        self.assertEqual((settings["s3_bucket"], settings["mme_prefix"]), ("stack-bucket", "models/"))
        with self.assertRaisesRegex(RuntimeError, "s3_bucket is not configured"):
            self.model.load({})

    def test_a_refused_input_answers_400_with_the_reason_and_trains_nothing(self):
        self.model._settings = None
        self.model.predict = lambda *a: self.fail("must not train")
        with _modules({"djl_python": types.SimpleNamespace(Output=FakeOutput)}), self.assertLogs("dreamqueue.training", "WARNING") as logs:
            out = self.model.handle(FakeInput(build_tar(photos(2))))
        self.assertIn("training input refused", logs.output[0])
        self.assertEqual(out.code, 400)
        self.assertEqual(out.json, {"status": "Training Failed!", "reason": "expected 3-20 images at the tar root, found 2"})

    def test_a_valid_input_answers_the_completed_output(self):
        self.model._settings = None
        self.model.predict = lambda request, settings: f"s3://{settings['s3_bucket']}/mme-models/lora-{len(request.images)}.tar.gz"
        with _modules({"djl_python": types.SimpleNamespace(Output=FakeOutput)}):
            out = self.model.handle(FakeInput(build_tar(photos(12))))
        self.assertEqual(out.code, 200)
        seconds = out.json.pop("training_seconds")
        self.assertEqual(out.json, {"status": "Training Completed!", "output_location": "s3://dreamqueue/mme-models/lora-12.tar.gz"})
        self.assertTrue(0 <= seconds < 60, seconds)  # the handler's own time, parse to upload

    def test_the_trainer_trains_on_the_concept_prompt_as_sent(self):
        trainer = load_module("training/trainer.py", "dq_training_trainer")
        self.assertFalse(hasattr(trainer, "CONCEPT_TOKEN"))  # no "<<TOK>>" -> "zwx" rewrite on either side


class FakeInput:
    def __init__(self, body):
        self.body = body

    def get_properties(self):
        return {"s3_bucket": "dreamqueue", "mme_prefix": "mme-models/"}

    def is_empty(self):
        return False

    def get_as_bytes(self):
        return self.body


class FakeOutput:
    def __init__(self):
        self.code, self.message, self.json = 200, "OK", None

    def set_code(self, code):
        self.code = code

    def set_message(self, message):
        self.message = message

    def add_as_json(self, value):
        self.json = json.loads(json.dumps(value))
        return self


class _modules:
    """Temporarily installs stand-ins for modules that exist only inside the SageMaker images."""

    def __init__(self, modules):
        self.modules, self.saved = modules, {}

    def __enter__(self):
        for name, module in self.modules.items():
            self.saved[name] = sys.modules.get(name)
            sys.modules[name] = module

    def __exit__(self, *exc):
        for name, module in self.saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


if __name__ == "__main__":
    unittest.main()
