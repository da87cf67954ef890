"""tools/package.py: the training code tarball holds the handler and the LoRA template it packs."""
import re
import tarfile
import tempfile
import unittest
from pathlib import Path

from tests.loader import CONTAINERS, load_module

package = load_module("tools/package.py", "dq_package")


class PackageTest(unittest.TestCase):
    def test_training_tarball_has_the_handler_its_modules_and_the_lora_template(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "training.tar.gz"
            package.package_training(out)
            with tarfile.open(out) as tar:
                names = set(tar.getnames())
        for expected in ("model.py", "tar_input.py", "trainer.py", "priors.py", "serving.properties", "sd_lora/config.pbtxt", "sd_lora/1/model.py"):
            self.assertIn(expected, names)

    def test_training_tarball_requirements_are_the_lock(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "training.tar.gz"
            package.package_training(out)
            with tarfile.open(out) as tar:
                packed = tar.extractfile("requirements.txt").read()
        self.assertEqual(packed, (CONTAINERS / "requirements.txt").read_bytes())
        self.assertIn(b"\ntorch==2.13.0\n", packed)

    def test_the_conda_environment_is_the_lock_on_the_triton_stubs_python(self):
        self.assertEqual((CONTAINERS / "mme" / "environment.yml").read_text(), package.conda_spec(), "regenerate: package.py conda-spec")
        settings = (CONTAINERS.parent / "deploy" / "src" / "settings.ts").read_text()
        tag = re.search(r"tritonImage: '[^']*sagemaker-tritonserver:([^']+)'", settings).group(1)
        self.assertEqual(package.TRITON_IMAGE_PYTHON.get(tag), package.TRITON_STUB_PYTHON, f"deploy uses tritonserver {tag}")
        self.assertIn(f"  - python={package.TRITON_STUB_PYTHON}\n", package.conda_spec())

    def test_model_setup_tarball_puts_the_packs_next_to_the_backend(self):
        with tempfile.TemporaryDirectory() as tmp:
            conda, base = Path(tmp) / "sd_env.tar.gz", Path(tmp) / "stable_diff.tar.gz"
            conda.write_bytes(b"c")
            base.write_bytes(b"b")
            names = package.package_model_setup(Path(tmp) / "model_setup.tar.gz", conda, base)
        self.assertIn("model_setup/1/sd_env.tar.gz", names)
        self.assertIn("model_setup/1/stable_diff.tar.gz", names)
        self.assertIn("model_setup/config.pbtxt", names)


if __name__ == "__main__":
    unittest.main()
