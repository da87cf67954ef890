"""Runs the containers' Python tests (unit tests and the ML tier) with unittest and prints one summary.

  .venv/bin/python containers/tools/run_tests.py        every test under containers/tests
  .venv/bin/python containers/tools/run_tests.py ml     only the ML tier (tests/test_ml_*.py)
The last line is `ml tier: N passed, M failed`; the line before says what ran it (device, versions, time).
No network: the Hugging Face libraries are told they are offline before anything imports them.
"""
import os
import sys
import time
import unittest
from pathlib import Path

CONTAINERS = Path(__file__).resolve().parent.parent
for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "DIFFUSERS_OFFLINE"):
    os.environ[variable] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# One intra-op thread: on a shared 2-core CI machine more threads than free cores make torch's CPU kernels
# spin against each other (a tiny UNet call goes from ~70 ms to seconds); the tiny model gains nothing.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def main(argv) -> int:
    pattern = "test_ml_*.py" if argv[:1] == ["ml"] else "test_*.py"
    sys.path.insert(0, str(CONTAINERS))
    started = time.monotonic()
    suite = unittest.defaultTestLoader.discover(str(CONTAINERS / "tests"), pattern=pattern, top_level_dir=str(CONTAINERS))
    result = unittest.TextTestRunner(stream=sys.stdout, verbosity=1).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"ml tier: {result.testsRun} tests ran in {time.monotonic() - started:.0f}s with {_stack()}")
    print(f"ml tier: {passed} passed, {failed} failed")
    return 0 if failed == 0 and not result.skipped and result.testsRun > 0 else 1


def _stack() -> str:
    try:
        import diffusers
        import peft
        import torch
        import transformers
    except ImportError as err:
        return f"no ML stack ({err})"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    return f"torch {torch.__version__} on {device}, diffusers {diffusers.__version__}, transformers {transformers.__version__}, peft {peft.__version__}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
