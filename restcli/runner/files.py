"""Files a Hurl file names: resolved under its file root, and multipart bodies streamed.

Like Hurl, a `file,` path is relative to the Hurl file's directory (the file root) and
may not leave it: a file from a cloned repository cannot send ~/.aws/credentials.
"""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

from restcli.runner.errors import runtime_error
from restcli.runner.nodes import Pos

# Hurl's documented content types by extension; anything else is application/octet-stream.
CONTENT_TYPES = {
    ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
    ".svg": "image/svg+xml", ".txt": "text/plain", ".htm": "text/html",
    ".html": "text/html", ".pdf": "application/pdf", ".xml": "application/xml",
    ".json": "application/json",
}


def resolve_under(root: Path, name: str, pos: Pos | None) -> Path:
    root = root.resolve()
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        raise runtime_error(f"file {name} is outside the file root {root}", pos)
    if not path.is_file():
        raise runtime_error(f"file {name} not found under {root}", pos)
    return path


def content_type_for(filename: str) -> str:
    return CONTENT_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")


class MultipartStream(io.RawIOBase):
    """A multipart/form-data body read piece by piece: files are never held in memory.

    Seekable, so a signer can hash it and rewind; its length is known up front, so it
    is sent with Content-Length rather than chunked.
    """

    def __init__(self, fields: list[tuple[str, bytes | Path, str | None, str | None]],
                 boundary: str | None = None):
        super().__init__()
        self.boundary = boundary or uuid.uuid4().hex
        self._segments: list[tuple[int, int, bytes | Path]] = []
        self._offset = 0
        for name, value, filename, ctype in fields:
            head = f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_q(name)}"'
            if filename is not None:
                head += f'; filename="{_q(filename)}"\r\nContent-Type: {ctype}'
            self._add((head + "\r\n\r\n").encode("utf-8"))
            self._add(value)
            self._add(b"\r\n")
        self._add(f"--{self.boundary}--\r\n".encode())
        self._pos = 0
        self._handle: tuple[Path, io.BufferedReader] | None = None

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _add(self, piece: bytes | Path) -> None:
        size = len(piece) if isinstance(piece, bytes) else piece.stat().st_size
        self._segments.append((self._offset, size, piece))
        self._offset += size

    def __len__(self) -> int:
        return self._offset

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._offset}[whence]
        self._pos = max(0, min(self._offset, base + offset))
        return self._pos

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._offset - self._pos
        out = bytearray()
        while size > 0 and self._pos < self._offset:
            start, length, piece = next(s for s in self._segments if s[0] + s[1] > self._pos)
            within = self._pos - start
            take = min(size, length - within)
            chunk = piece[within : within + take] if isinstance(piece, bytes) else (
                self._read_file(piece, within, take))
            if not chunk:
                raise OSError(f"{piece} changed while it was being sent")
            out += chunk
            self._pos += len(chunk)
            size -= len(chunk)
        return bytes(out)

    def _read_file(self, path: Path, at: int, size: int) -> bytes:
        if self._handle is None or self._handle[0] != path:
            self.close_file()
            self._handle = (path, open(path, "rb"))  # noqa: SIM115 - closed in close_file
        handle = self._handle[1]
        handle.seek(at)
        return handle.read(size)

    def close_file(self) -> None:
        if self._handle is not None:
            self._handle[1].close()
            self._handle = None

    def close(self) -> None:
        self.close_file()
        super().close()


def _q(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")
