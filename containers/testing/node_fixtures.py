"""Python handles on the TypeScript fixtures next to this file (run with the repository's swc loader):

  training_tar(photos: list[bytes], model: dict) -> bytes
      the training input tar exactly as the worker's prepare step writes it (training-tar.ts)
  S3Server(data_dir, bucket)  context manager; .url is a real S3-compatible endpoint (the emulator's s3rver)
  kserve_encode(requests: list[list[row]]) -> list[dict]   the bodies the worker's codec sends
      row: {"prompt", "negativePrompt", "seed", "steps", "guidance"} (libs/aws GenerationRow)
  kserve_decode(answers: list[(body, rows)]) -> list[list[bytes] | str]   JPEGs the worker decodes, or its error
"""
import base64
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _node(script: str, *args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(["node", "-r", "./tools/swc-register.js", str(HERE / script), *args], cwd=REPO, **kwargs)


def training_tar(photos: List[bytes], model: Dict) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "photos"
        folder.mkdir()
        for index, body in enumerate(photos):
            (folder / f"photo-{index:02d}.jpg").write_bytes(body)
        (Path(tmp) / "model.json").write_text(json.dumps(model))
        out = Path(tmp) / "input.tar"
        process = _node("training-tar.ts", str(folder), str(Path(tmp) / "model.json"), str(out), stderr=subprocess.PIPE)
        _, stderr = process.communicate(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"training-tar.ts failed: {stderr.decode(errors='replace')}")
        return out.read_bytes()


def _codec(mode: str, payload) -> list:
    process = _node("kserve-codec.ts", mode, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate(json.dumps(payload).encode("utf-8"), timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"kserve-codec.ts {mode} failed: {err.decode(errors='replace')}")
    return json.loads(out)


def kserve_encode(requests: List[List[Dict]]) -> List[Dict]:
    return _codec("encode", requests)


def kserve_decode(answers: List[tuple]) -> List:
    decoded = _codec("decode", [{"body": body, "rows": rows} for body, rows in answers])
    return [item["error"] if isinstance(item, dict) else [base64.b64decode(b) for b in item] for item in decoded]


class S3Server:
    def __init__(self, data_dir: Path, bucket: str):
        self.data_dir, self.bucket = Path(data_dir), bucket
        self.url: Optional[str] = None
        self._process: Optional[subprocess.Popen] = None

    def __enter__(self) -> "S3Server":
        self._process = _node("s3-server.ts", str(self.data_dir), self.bucket, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self._process.stdout.readline() if self._process.stdout else b""
        if not line:
            self._process.wait(timeout=30)
            raise RuntimeError("s3-server.ts exited before listening")
        self.url = json.loads(line)["url"]
        return self

    def __exit__(self, *exc) -> None:
        if self._process is not None:
            if self._process.stdin:
                self._process.stdin.close()
            if self._process.stdout:
                self._process.stdout.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
