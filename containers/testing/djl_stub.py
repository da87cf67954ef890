"""A stand-in for the DJL Serving Python engine's `djl_python` module (Input/Output), so training/model.py's
handle() runs outside the DJL image exactly as DJL calls it: once with an empty input when the worker
starts, then once per invocation with the request body and the serving.properties options.

API (stable; the emulator's real-code mode imports it):
  install_djl_stub() -> module          puts `djl_python` (Input, Output) into sys.modules (idempotent)
  serving_properties(path) -> dict      option.* entries of a serving.properties, without the prefix
  Input(body: bytes, properties: dict)  .get_as_bytes() .get_properties() .is_empty() .get_property(key)
  Output                                .code .message .body (bytes) .content_type; .json() parses the body
"""
import json
import sys
import types
from pathlib import Path
from typing import Any, Dict, Optional


class Input:
    def __init__(self, body: bytes = b"", properties: Optional[Dict[str, str]] = None):
        self._body, self._properties = body, dict(properties or {})

    def get_as_bytes(self, key: Optional[str] = None) -> bytes:
        return self._body

    def get_properties(self) -> Dict[str, str]:
        return self._properties

    def get_property(self, key: str) -> Optional[str]:
        return self._properties.get(key)

    def is_empty(self) -> bool:
        return not self._body


class Output:
    def __init__(self, code: int = 200, message: str = "OK"):
        self.code, self.message, self.body, self.content_type = code, message, b"", None

    def set_code(self, code: int) -> "Output":
        self.code = code
        return self

    def set_message(self, message: str) -> "Output":
        self.message = message
        return self

    def add_as_json(self, value: Any, key: Optional[str] = None) -> "Output":
        self.body, self.content_type = json.dumps(value).encode("utf-8"), "application/json"
        return self

    def add(self, value: Any, key: Optional[str] = None) -> "Output":
        self.body = value if isinstance(value, bytes) else str(value).encode("utf-8")
        return self

    def json(self) -> Any:
        return json.loads(self.body)


def install_djl_stub() -> types.ModuleType:
    existing = sys.modules.get("djl_python")
    if existing is not None and getattr(existing, "__dreamqueue_stub__", False):
        return existing
    module = types.ModuleType("djl_python")
    module.Input, module.Output = Input, Output
    module.__dreamqueue_stub__ = True
    sys.modules["djl_python"] = module
    return module


def serving_properties(path: Path) -> Dict[str, str]:
    options = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("option.") and "=" in line:
            key, value = line[len("option.") :].split("=", 1)
            options[key.strip()] = value.strip()
    return options
