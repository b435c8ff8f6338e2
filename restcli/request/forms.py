"""Form bodies: `--form` (application/x-www-form-urlencoded) and multipart/form-data.

Imported only for --form, --multipart or a file part (request.build_body). A multipart
body is a file-like object over its parts: requests streams it (its length is known, so
it goes with Content-Length), and the SigV4 signer hashes it in one pass and rewinds it.
"""

from __future__ import annotations

import mimetypes
import os
import uuid
from typing import Any
from urllib.parse import urlencode

from ..deadline import CHUNK
from ..errors import UsageError
from ..http import URLENCODED


def form_body(fields: list, multipart: bool, form: bool) -> tuple[Any, str]:
    for it in fields:
        if it.kind == "json":
            raise UsageError(
                f"{it.key}:=... is a JSON value: a form holds only text fields and files",
                hint="use name=value, or leave out --form/--multipart for a JSON body",
            )
        if it.path is not None:
            raise UsageError(f"nested key {it.key!r} needs a JSON body, not a form")
    files = [it for it in fields if it.kind == "file"]
    if files and not (form or multipart):
        raise UsageError(
            f"file part {files[0].key}@{files[0].value} needs --form or --multipart",
            hint="or embed the file's text as a JSON string with name=@FILE",
        )
    if not files and not multipart:
        body = urlencode([(it.key, it.value) for it in fields]).encode("utf-8")
        return body, URLENCODED
    body = MultipartBody(fields)
    return body, f"multipart/form-data; boundary={body.boundary}"


def _quote(name: str) -> str:
    # As browsers do (WHATWG HTML): the characters that would end the quoted string.
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


class MultipartBody:
    """multipart/form-data over text fields and files, read in chunks, rewindable."""

    def __init__(self, fields: list, boundary: str | None = None):
        self.boundary = boundary or uuid.uuid4().hex
        self.segments: list[bytes | tuple[str, int]] = []
        for it in fields:
            disposition = f'Content-Disposition: form-data; name="{_quote(it.key)}"'
            if it.kind == "file":
                path = os.path.expanduser(it.value)
                try:
                    size = os.stat(path).st_size
                    with open(path, "rb"):
                        pass
                except OSError as e:
                    raise UsageError(f"cannot read {path}: {e.strerror}") from None
                if not os.path.isfile(path):
                    raise UsageError(f"cannot read {path}: not a regular file")
                filename = os.path.basename(path)
                mime = it.mime or mimetypes.guess_type(filename)[0]
                head = f'--{self.boundary}\r\n{disposition}; filename="{_quote(filename)}"\r\n'
                if mime:
                    head += f"Content-Type: {mime}\r\n"
                self.segments += [(head + "\r\n").encode("utf-8"), (path, size), b"\r\n"]
            else:
                head = f"--{self.boundary}\r\n{disposition}\r\n\r\n"
                self.segments.append(head.encode("utf-8") + str(it.value).encode("utf-8") + b"\r\n")
        self.segments.append(f"--{self.boundary}--\r\n".encode())
        self.length = sum(len(s) if isinstance(s, bytes) else s[1] for s in self.segments)
        self.name = "multipart/form-data"
        self.seek(0)

    def __len__(self) -> int:
        return self.length

    def __iter__(self):
        while True:
            chunk = self.read(CHUNK)
            if not chunk:
                return
            yield chunk

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence != 0:
            offset = (self._pos if whence == 1 else self.length) + offset
        self._pos = offset
        self._segment, self._offset, self._file = 0, offset, None
        # Find the segment holding the offset.
        for i, seg in enumerate(self.segments):
            size = len(seg) if isinstance(seg, bytes) else seg[1]
            if self._offset < size:
                self._segment = i
                break
            self._offset -= size
        else:
            self._segment = len(self.segments)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        out = []
        want = self.length if size is None or size < 0 else size
        while want > 0 and self._segment < len(self.segments):
            seg = self.segments[self._segment]
            if isinstance(seg, bytes):
                piece = seg[self._offset : self._offset + want]
                seg_size = len(seg)
            else:
                path, seg_size = seg
                if self._file is None:
                    self._file = open(path, "rb")  # noqa: SIM115 - closed when read or closed
                    self._file.seek(self._offset)
                piece = self._file.read(min(want, seg_size - self._offset))
                if not piece and self._offset < seg_size:
                    raise UsageError(f"{path} changed while it was being sent")
            out.append(piece)
            self._offset += len(piece)
            self._pos += len(piece)
            want -= len(piece)
            if self._offset >= seg_size:
                if self._file is not None:
                    self._file.close()
                    self._file = None
                self._segment += 1
                self._offset = 0
        return b"".join(out)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
