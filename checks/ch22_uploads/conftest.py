"""Tools the chapter 22 checks share: a folder for uploads, a streamed multipart body that
counts what the app pulled, open file descriptors, and peak memory.

The body is sent as an async generator (no Content-Length, like a chunked upload) unless the
check asks for a Content-Length. `httpx.ASGITransport` hands the app one chunk each time the
app asks for more, so the count of bytes pulled is the count of bytes the app received.
"""

from __future__ import annotations

import hashlib
import os
import random
import tempfile
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpx import AsyncClient, Response

BOUNDARY = "fastlings-check-boundary"
CHUNK = 64 * 1024


def payload(size: int, seed: int = 22) -> bytes:
    """Bytes of every value, with a line that looks like multipart framing in the middle."""
    data = bytearray(random.Random(seed).randbytes(size))  # noqa: S311 - test data
    trap = b"\r\n--not-the-boundary\r\n\\ \x00"
    middle = size // 2
    data[middle : middle + len(trap)] = trap[: max(0, size - middle)]
    return bytes(data)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Sent:
    response: Response
    pulled: int
    """Bytes of the request body the app had asked for when it answered."""
    body_size: int


@dataclass
class Body:
    """A multipart body: its framing, and the file's bytes sliced into chunks on demand."""

    head: bytes
    data: bytes
    tail: bytes

    @property
    def size(self) -> int:
        return len(self.head) + len(self.data) + len(self.tail)

    def chunks(self) -> Iterator[bytes]:
        yield self.head
        for start in range(0, len(self.data), CHUNK):
            yield self.data[start : start + CHUNK]
        yield self.tail


def multipart(fields: dict[str, str], filename: str, content_type: str, data: bytes) -> Body:
    head = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"'
        f"\r\nContent-Type: {content_type}\r\n\r\n"
    )
    return Body(head.encode(), data, f"\r\n--{BOUNDARY}--\r\n".encode())


async def upload(
    client: AsyncClient,
    path: str,
    fields: dict[str, str],
    filename: str,
    content_type: str,
    data: bytes,
    *,
    content_length: bool = False,
) -> Sent:
    body = multipart(fields, filename, content_type, data)
    pulled = 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal pulled
        for part in body.chunks():
            pulled += len(part)
            yield part

    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if content_length:
        headers["Content-Length"] = str(body.size)
    response = await client.post(path, content=stream(), headers=headers)
    return Sent(response, pulled, body.size)


@pytest.fixture
def upload_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh folder for the app's uploads (DOCS_UPLOAD_DIR), removed after the check."""
    with tempfile.TemporaryDirectory(prefix="fastlings-uploads-") as folder:
        target = Path(folder) / "uploads"
        monkeypatch.setenv("DOCS_UPLOAD_DIR", str(target))
        yield target


def stored_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def open_files_under(folder: Path) -> list[str]:
    """Paths under `folder` that this process still has open (Linux: /proc/self/fd)."""
    found: list[str] = []
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return found
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(fd_dir / fd)
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found


@dataclass
class Peak:
    bytes: int = 0


@contextmanager
def peak_memory() -> Iterator[Peak]:
    """The most memory Python had allocated at once inside the block (tracemalloc)."""
    peak = Peak()
    tracemalloc.start()
    try:
        yield peak
    finally:
        peak.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
