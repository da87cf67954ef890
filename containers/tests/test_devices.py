"""The SageMaker code runs where it is: CUDA when present, else CPU; fp16/AMP only on CUDA. No call site
names "cuda" directly; each asks pick_device() or compares against its answer."""
import re
import unittest

from tests.loader import CONTAINERS

SOURCES = ["training/trainer.py", "mme/lora/1/model.py"]


class DeviceChoiceTest(unittest.TestCase):
    def test_cuda_is_only_chosen_by_availability_or_compared_against(self):
        for source in SOURCES:
            for number, line in enumerate((CONTAINERS / source).read_text().splitlines(), 1):
                if re.search(r"""["']cuda["']""", line):
                    with self.subTest(source=source, line=number):
                        self.assertRegex(line, r"""torch\.cuda\.is_available\(\)|== "cuda"|GradScaler\("cuda\"""", line.strip())

    def test_half_precision_is_tied_to_cuda(self):
        for source in SOURCES:
            text = (CONTAINERS / source).read_text()
            for match in re.finditer(r"float16", text):
                line = text[text.rfind("\n", 0, match.start()) + 1 : text.find("\n", match.end())]
                with self.subTest(source=source, line=line.strip()):
                    self.assertRegex(line, r'cuda|CUDA|weight_dtype|"float16"$|enabled=device == "cuda"')


if __name__ == "__main__":
    unittest.main()
