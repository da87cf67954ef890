"""ML tier, training: the DJL handler (training/model.py handle) trains the tiny SD 2.1-shaped pipeline on
the tar the worker's prepare step writes, packs the artifact, uploads it to a real S3-compatible server
(the emulator's s3rver) with boto3, answers the output JSON, and the artifact then serves in Triton."""
import importlib.util
import io
import json
import logging
import os
import shutil
import sys
import tarfile
import tempfile
import unittest
from pathlib import Path

from testing.djl_stub import Input, install_djl_stub, serving_properties
from testing.node_fixtures import S3Server, training_tar
from testing import triton_harness as triton
from tests.ml_support import api_model, photos, tiny_model

BUCKET = "dreamqueue"


def load_training_code(root: Path):
    """training.tar.gz from tools/package.py, unpacked and imported as DJL does (its folder on sys.path)."""
    from tools import package

    package.package_training(root / "training.tar.gz")
    code = root / "code"
    with tarfile.open(root / "training.tar.gz") as tar:
        tar.extractall(code, filter="data")
    for name in [n[:-3] for n in package.TRAINING_FILES if n.endswith(".py")]:
        sys.modules.pop(name, None)  # bare-name modules another test imported from containers/training
    sys.path.insert(0, str(code))
    spec = importlib.util.spec_from_file_location("dq_packaged_training_model", code / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, code


class TrainingThroughDjlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import boto3

        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        root = Path(cls.tmp.name)
        cls.s3 = S3Server(root / "s3", BUCKET).__enter__()
        cls.addClassCleanup(cls.s3.__exit__, None, None, None)
        (root / "aws-config").write_text("[default]\ns3 =\n    addressing_style = path\n")
        saved_env = dict(os.environ)
        cls.addClassCleanup(lambda: (os.environ.clear(), os.environ.update(saved_env)))
        os.environ.update(
            {
                "OPTION_S3_BUCKET": BUCKET,
                "OPTION_MME_PREFIX": "mme-models/",
                "OPTION_MODEL_ID": str(tiny_model()),
                "AWS_ENDPOINT_URL_S3": cls.s3.url,
                "AWS_ACCESS_KEY_ID": "S3RVER",
                "AWS_SECRET_ACCESS_KEY": "S3RVER",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(root / "aws-config"),
                "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION": "when_required",
            }
        )
        cls.instance_tmp = root / "instance-tmp"
        cls.instance_tmp.mkdir()
        saved_tempdir, tempfile.tempdir = tempfile.tempdir, str(cls.instance_tmp)
        cls.addClassCleanup(setattr, tempfile, "tempdir", saved_tempdir)
        install_djl_stub()
        cls.handler, code = load_training_code(root)
        cls.addClassCleanup(sys.path.remove, str(code))
        cls.properties = serving_properties(code / "serving.properties")
        cls.assert_worker_start = cls.handler.handle(Input(b"", cls.properties))  # DJL's warm-up call
        cls.client = boto3.session.Session().client("s3")
        cls.trained = cls.train(api_model(prior=True, text_encoder=True, alpha=8))

    @classmethod
    def train(cls, record):
        tar = training_tar(photos(10), record)
        records = []
        collect = logging.Handler()
        collect.emit = records.append
        logger = logging.getLogger("dreamqueue.training")
        level, logger.level = logger.level, logging.INFO
        logger.addHandler(collect)
        try:
            output = cls.handler.handle(Input(tar, cls.properties))
        finally:
            logger.removeHandler(collect)
            logger.setLevel(level)
        stats = next(r.args for r in records if r.msg == "training finished: %s")
        return tar, output, stats

    def artifact(self, output):
        location = output.json()["output_location"]
        key = location[len(f"s3://{BUCKET}/") :]
        body = self.client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        return key, body

    def lora_tensors(self, body):
        from safetensors import safe_open

        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            weights = tar.extractfile("sd_lora/1/output/pytorch_lora_weights.safetensors").read()
        path = Path(self.tmp.name) / "weights.safetensors"
        path.write_bytes(weights)
        with safe_open(str(path), "pt") as handle:
            return {name: handle.get_tensor(name) for name in handle.keys()}, handle.metadata()

    def test_the_warm_up_call_answers_nothing(self):
        self.assertIsNone(self.assert_worker_start)

    def test_trains_on_the_workers_tar_and_answers_the_output_json_with_an_uploaded_artifact(self):
        tar, output, stats = self.trained
        self.assertEqual(output.code, 200)
        body = output.json()
        self.assertEqual(body["status"], "Training Completed!")
        self.assertRegex(body["output_location"], r"^s3://dreamqueue/mme-models/lora-[a-z0-9]{20}\.tar\.gz$")
        self.assertGreater(body["training_seconds"], 0)  # the handler's own time, charged by the cost ledger
        key, artifact = self.artifact(output)
        with tarfile.open(fileobj=io.BytesIO(artifact)) as packed:
            names = sorted(packed.getnames())
        self.assertEqual(names, ["sd_lora/1/model.py", "sd_lora/1/output/pytorch_lora_weights.safetensors", "sd_lora/config.pbtxt"])
        self.assertEqual((stats["device"], stats["steps"], stats["priors"], stats["resolution"]), ("cpu", 2, 2, 64))

    def test_the_instance_prompt_is_the_concept_prompt_the_api_wrote_and_generation_prompts_repeat_its_tokens(self):
        from transformers import CLIPTokenizer

        tar, _, stats = self.trained
        with tarfile.open(fileobj=io.BytesIO(tar)) as packed:
            config = json.loads(packed.extractfile("config.json").read())
        self.assertEqual(config["concept_prompt"], "photo of <<qzvkfe>>")
        self.assertEqual(stats["instance_prompt"], "photo of <<qzvkfe>>")
        tokenizer = CLIPTokenizer.from_pretrained(str(tiny_model() / "tokenizer"))
        trained = tokenizer(stats["instance_prompt"]).input_ids[:-1]  # without the end token
        trigger = tokenizer("photo of <<qzvkfe>> person, portrait in the snow").input_ids  # the API's trigger phrase first
        self.assertEqual(trigger[: len(trained)], trained)

    def test_text_encoder_lora_and_prior_preservation_each_on_and_off(self):
        cases = [(True, True, self.trained)] + [(prior, te, self.train(api_model(prior=prior, text_encoder=te))) for prior, te in ((True, False), (False, True), (False, False))]
        for prior, text_encoder, (_, output, stats) in cases:
            with self.subTest(prior=prior, text_encoder=text_encoder):
                self.assertEqual(output.json()["status"], "Training Completed!")
                self.assertEqual(stats["priors"], 2 if prior else 0)
                tensors, _ = self.lora_tensors(self.artifact(output)[1])
                self.assertTrue(any(n.startswith("unet.") for n in tensors))
                self.assertEqual(any(n.startswith("text_encoder.") for n in tensors), text_encoder)
                trained_up = [t for n, t in tensors.items() if "lora.up" in n or "lora_B" in n]
                self.assertTrue(trained_up and any(float(t.abs().max()) > 0 for t in trained_up), "LoRA up weights start at zero: training moved them")

    def test_the_lora_keeps_its_alpha_in_the_saved_metadata(self):
        _, metadata = self.lora_tensors(self.artifact(self.trained[1])[1])
        config = json.loads(metadata["lora_adapter_metadata"])
        self.assertEqual((config["unet.r"], config["unet.lora_alpha"]), (4, 8))
        self.assertEqual((config["text_encoder.r"], config["text_encoder.lora_alpha"]), (4, 8))

    def test_the_artifact_loads_in_the_triton_backend_after_model_setup_and_generates(self):
        from tools import package

        root = Path(self.tmp.name) / "mme"
        (root / "models").mkdir(parents=True)
        (root / "instance-tmp").mkdir()
        key, artifact = self.artifact(self.trained[1])
        (root / "lora.tar.gz").write_bytes(artifact)
        package.package_base_model(tiny_model(), root / "stable_diff.tar.gz")
        (root / "sd_env.tar.gz").write_bytes(b"conda-pack stand-in: this process already has the environment")
        package.package_model_setup(root / "model_setup.tar.gz", root / "sd_env.tar.gz", root / "stable_diff.tar.gz")
        with self.assertRaisesRegex(triton.TritonLoadError, "Failed to get the canonical path for /tmp/conda/sd_env.tar.gz"):
            triton.load_model_archive(root / "lora.tar.gz", root / "models", temp_dir=root / "instance-tmp")
        triton.load_model_archive(root / "model_setup.tar.gz", root / "models", temp_dir=root / "instance-tmp")
        lora = triton.load_model_archive(root / "lora.tar.gz", root / "models", temp_dir=root / "instance-tmp")
        self.assertEqual(lora.name, "sd_lora")
        pipe = lora.instance.pipe
        self.assertEqual(pipe.get_active_adapters(), ["default_0"])
        self.assertEqual(pipe.unet.peft_config["default_0"].lora_alpha, 8)  # alpha != r survived save and load
        self.assertEqual(pipe.text_encoder.peft_config["default_0"].lora_alpha, 8)
        gen_args = json.dumps({"num_inference_steps": 2, "guidance_scale": 7.5, "seed": 3})
        status, answer = lora.infer_one({"inputs": [{"name": n, "shape": [1, 1], "datatype": "BYTES", "data": [v]} for n, v in (("prompt", "photo of <<qzvkfe>> person"), ("negative_prompt", ""), ("gen_args", gen_args))]})
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["outputs"][0]["shape"], [1, 1])
        shutil.rmtree(root)


if __name__ == "__main__":
    unittest.main()
