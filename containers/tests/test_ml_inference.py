"""ML tier, inference: model_setup and the LoRA backend's initialize()/execute() on the tiny SD 2.1-shaped
pipeline, served through the Triton harness from the archives tools/package.py and the trainer's packer
build, fed the KServe v2 bodies the worker's codec encodes, answered in the KServe JSON the codec decodes."""
import io
import tempfile
import unittest
from pathlib import Path

from testing import triton_harness as triton
from testing.node_fixtures import kserve_decode, kserve_encode
from tests.loader import CONTAINERS, load_module
from tests.ml_support import tiny_model

STEPS = 2


def row(prompt="photo of <<qzvkfe>> person", seed=1, negative="", steps=STEPS, guidance=7.5):
    return {"prompt": prompt, "negativePrompt": negative, "seed": seed, "steps": steps, "guidance": guidance}


def pixels(jpeg: bytes):
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(jpeg)).convert("RGB"), dtype=np.int16)


def random_lora(weights_dir: Path) -> None:
    """LoRA weights in the trainer's format with non-zero up weights, so they visibly act on the images."""
    import torch
    from diffusers import StableDiffusionPipeline
    from peft import LoraConfig

    trainer = load_module("training/trainer.py", "dq_inference_trainer")
    pipe = StableDiffusionPipeline.from_pretrained(str(tiny_model()), dtype=torch.float32)
    torch.manual_seed(0)
    pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False, target_modules=trainer.UNET_TARGETS))
    pipe.text_encoder.add_adapter(LoraConfig(r=4, lora_alpha=4, init_lora_weights=False, target_modules=trainer.TEXT_TARGETS))
    trainer.save_lora(weights_dir, pipe.unet, pipe.text_encoder)


class LoraBackendTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from tools import package

        cls.tmp = tempfile.TemporaryDirectory()
        cls.addClassCleanup(cls.tmp.cleanup)
        root = Path(cls.tmp.name)
        for folder in ("models", "instance-tmp", "weights"):
            (root / folder).mkdir()
        package.package_base_model(tiny_model(), root / "stable_diff.tar.gz")
        (root / "sd_env.tar.gz").write_bytes(b"conda-pack stand-in: this process already has the environment")
        package.package_model_setup(root / "model_setup.tar.gz", root / "sd_env.tar.gz", root / "stable_diff.tar.gz")
        cls.setup = triton.load_model_archive(root / "model_setup.tar.gz", root / "models", temp_dir=root / "instance-tmp")
        random_lora(root / "weights")
        artifact = load_module("training/artifact.py", "dq_inference_artifact")
        artifact.pack_model_folder(CONTAINERS / "mme" / "lora", root / "weights", root / "lora-test.tar.gz")
        cls.lora = triton.load_model_archive(root / "lora-test.tar.gz", root / "models", temp_dir=root / "instance-tmp")

    def serve(self, requests):
        """Worker bodies in, merged by dynamic batching, answers decoded by the worker's codec."""
        bodies = kserve_encode(requests)
        answers = self.lora.infer(bodies)
        ok = [(i, body) for i, (status, body) in enumerate(answers) if status == 200]
        decoded = dict(zip([i for i, _ in ok], kserve_decode([(body, len(requests[i])) for i, body in ok])))
        return [(status, decoded.get(i, body)) for i, (status, body) in enumerate(answers)]

    def test_the_lora_is_loaded_with_load_lora_weights_on_the_cpu(self):
        pipe = self.lora.instance.pipe
        self.assertEqual(pipe.get_active_adapters(), ["default_0"])
        self.assertEqual(pipe.device.type, "cpu")
        self.assertEqual(str(pipe.unet.dtype), "torch.float32")  # fp16 only on CUDA

    def test_merged_requests_share_one_execute_and_each_gets_its_own_images(self):
        before = len(self.lora.executions)
        answers = self.serve([[row(seed=1), row(seed=2)], [row(seed=3)], [row(seed=4), row(seed=5), row(seed=6)]])
        self.assertEqual(self.lora.executions[before:], [[2, 1, 3]])
        self.assertEqual([status for status, _ in answers], [200, 200, 200])
        self.assertEqual([len(images) for _, images in answers], [2, 1, 3])
        self.assertTrue(all(jpeg[:3] == b"\xff\xd8\xff" for _, images in answers for jpeg in images))
        self.assertEqual(pixels(answers[0][1][0]).shape, (64, 64, 3))

    def test_the_same_prompt_and_seed_give_the_same_image_whatever_else_is_in_the_batch(self):
        ((_, (alone,)),) = self.serve([[row(seed=42)]])
        answers = self.serve([[row("a dog in the snow", seed=7), row(seed=42)], [row("a cat", seed=9, negative="blurry")]])
        merged = answers[0][1][1]
        # Batched float kernels may differ in the last bits from an unbatched call; that is below one
        # JPEG step, while another seed changes the picture entirely.
        self.assertLessEqual(abs(pixels(alone) - pixels(merged)).max(), 2)
        self.assertGreater(abs(pixels(alone) - pixels(answers[0][1][0])).mean(), 10)

    def test_negative_prompt_steps_and_guidance_change_the_pixels(self):
        ((_, (base,)),) = self.serve([[row(seed=5)]])
        for change in ({"negative": "blurry"}, {"steps": STEPS + 1}, {"guidance": 2.0}):
            with self.subTest(change=change):
                ((status, (image,)),) = self.serve([[row(seed=5, **change)]])
                self.assertEqual(status, 200)
                self.assertGreater(abs(pixels(base) - pixels(image)).mean(), 0.5, change)

    def test_a_bad_row_fails_only_its_own_request(self):
        before = len(self.lora.executions)
        answers = self.serve([[row(seed=1)], [row(seed=2), row(seed=-1)], [row(prompt="  ")], [row(seed=3)]])
        self.assertEqual([status for status, _ in answers], [200, 400, 400, 200])
        self.assertEqual(answers[1][1], {"error": "gen_args.seed must be between 0 and 4294967295"})
        self.assertEqual(answers[2][1], {"error": "prompt must not be empty"})
        self.assertEqual([len(answers[0][1]), len(answers[3][1])], [1, 1])
        self.assertEqual(self.lora.executions[before:], [[1, 2, 1, 1]])  # refused inside execute, not before

    def test_the_front_end_refuses_a_batch_above_max_batch_size_before_the_model(self):
        before = len(self.lora.executions)
        ((status, body),) = self.serve([[row(seed=i) for i in range(9)]])
        self.assertEqual((status, body), (400, {"error": "inference request batch-size must be <= 8 for 'sd_lora'"}))
        self.assertEqual(self.lora.executions[before:], [])

    def test_model_setup_answers_every_call_after_bootstrapping_once(self):
        body = {"inputs": [{"name": "input_args", "shape": [1], "datatype": "BYTES", "data": ["setup"]}]}
        for _ in range(2):
            status, answer = self.setup.infer_one(body)
            self.assertEqual((status, answer["outputs"][0]["data"]), (200, ["Model env setup successful."]))


if __name__ == "__main__":
    unittest.main()
