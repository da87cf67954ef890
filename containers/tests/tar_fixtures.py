"""Builds training tarballs in memory, including hostile ones (links, traversal, absolute paths)."""
import io
import json
import tarfile
from typing import Iterable, Optional, Tuple

from tests.loader import JPEG

Entry = Tuple[str, bytes]


def build_tar(files: Iterable[Entry] = (), links: Iterable[Tuple[str, str, bytes]] = (), gzip: bool = False) -> bytes:
    """files: (name, body); links: (name, target, kind) with kind tarfile.SYMTYPE / LNKTYPE / CHRTYPE / DIRTYPE."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if gzip else "w") as tar:
        for name, body in files:
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        for name, target, kind in links:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def photos(count: int, ext: str = "jpg", body: bytes = JPEG) -> list:
    return [(f"{i:02d}.{ext}", body) for i in range(count)]


def config_entry(config: Optional[object]) -> Entry:
    return ("config.json", json.dumps(config).encode("utf-8"))
