"""training/gpu_memory.py: the LoRA parameter count behind the memory calculation is what peft really
creates (checked on the tiny model), and the instance runs as many trainings as the calculation fits."""
import json
import unittest

from testing.djl_stub import serving_properties
from tests.loader import CONTAINERS, load_module
from tests.ml_support import tiny_model

memory = load_module("training/gpu_memory.py", "dq_gpu_memory")
trainer = load_module("training/trainer.py", "dq_memory_trainer")


class GpuMemoryTest(unittest.TestCase):
    def test_the_lora_parameter_formula_counts_what_peft_adds_to_the_unet_and_text_encoder(self):
        import torch
        from diffusers import StableDiffusionPipeline
        from peft import LoraConfig

        pipe = StableDiffusionPipeline.from_pretrained(str(tiny_model()), dtype=torch.float32)
        pipe.unet.requires_grad_(False)
        pipe.text_encoder.requires_grad_(False)
        pipe.unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=trainer.UNET_TARGETS))
        pipe.text_encoder.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=trainer.TEXT_TARGETS))
        trainable = lambda module: sum(p.numel() for p in module.parameters() if p.requires_grad)  # noqa: E731
        unet_config = json.loads((tiny_model() / "unet" / "config.json").read_text())
        text_config = json.loads((tiny_model() / "text_encoder" / "config.json").read_text())
        self.assertEqual(trainable(pipe.unet), memory.unet_lora_params(unet_config, 4))
        self.assertEqual(trainable(pipe.text_encoder), memory.text_lora_params(text_config, 4))

    def test_the_recipe_the_calculation_assumes_is_the_trainers(self):
        self.assertTrue(trainer.GRADIENT_CHECKPOINTING)
        self.assertEqual(trainer.CUDA_WEIGHT_DTYPE, "float16")

    def test_the_instance_runs_no_more_trainings_than_fit_on_its_gpu(self):
        properties = (CONTAINERS / "training" / "serving.properties").read_text()
        workers = int(next(line.split("=")[1] for line in properties.splitlines() if line.startswith("maxWorkers=")))
        self.assertEqual(workers, 2)
        self.assertLessEqual(workers, memory.trainings_that_fit())
        self.assertLess(memory.training_bytes()["total"], 8 * memory.GIB)
        self.assertIn("s3_bucket", serving_properties(CONTAINERS / "training" / "serving.properties"))


if __name__ == "__main__":
    unittest.main()
