"""Loads the handlers by file path, the way DJL and Triton do (the Triton model folders are named `1/`,
which is not an importable package name)."""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

CONTAINERS = Path(__file__).resolve().parent.parent


def load_module(relative_path: str, name: str) -> ModuleType:
    path = CONTAINERS / relative_path
    # DJL puts the model directory on sys.path, so training modules import each other by bare name.
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 60
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 60
