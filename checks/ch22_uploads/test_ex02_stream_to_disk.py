"""Checks for chapter 22, exercise 2: the upload is copied to disk in chunks.

Peak memory is measured with `tracemalloc` while one 6 MiB upload goes through the app. The
multipart parser itself keeps up to 1 MiB of a file part in memory before it moves it to a
temporary file on disk, so a chunked copy peaks at about 1 MiB plus one chunk; reading the
upload whole adds the whole upload.
"""

from pathlib import Path
from types import ModuleType

from checks.ch22_uploads.conftest import (
    open_files_under,
    payload,
    peak_memory,
    sha256,
    stored_files,
    upload,
)
from fastlings.testing import ClientFactory, Teach, route_path

MIB = 1024 * 1024
FIELDS = {"title": "Scan \\ 2026", "public": "false"}
BIG = 6  # MiB: the parser's 1 MiB spool plus chunks of up to ~1.5 MiB stay under MAX_SHARE
MAX_SHARE = 0.5  # the peak may reach half the upload's size, not more


async def test_large_upload_is_stored_intact(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    data = payload(3 * MIB + 12_345)
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        sent = await upload(client, path, FIELDS, "scan.png", "image/png", data)
    assert sent.response.status_code == 201, teach(
        f"POST {path} with a {len(data)}-byte file answered {sent.response.status_code} "
        f"{sent.response.text[:200]}.",
        "201 with the stored document",
    )
    files = stored_files(upload_dir)
    size = sent.response.json().get("size")
    assert len(files) == 1 and sha256(files[0].read_bytes()) == sha256(data), teach(
        f"After one {len(data)}-byte upload, DOCS_UPLOAD_DIR holds "
        + (f"{len(files)} file(s)" if len(files) != 1 else f"{files[0].stat().st_size} bytes")
        + " that differ from what was sent.",
        "one file, byte for byte the upload (same SHA-256)",
    )
    assert size == len(data), teach(
        f"The 201 reported size={size!r} for a {len(data)}-byte file.", f"size={len(data)}"
    )


async def test_upload_is_copied_in_chunks(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    data = payload(BIG * MIB)
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        await upload(client, path, FIELDS, "warm.png", "image/png", b"warm-up")
        with peak_memory() as peak:
            sent = await upload(client, path, FIELDS, "big.png", "image/png", data)
    assert sent.response.status_code == 201, teach(
        f"POST {path} with a {BIG} MiB file answered {sent.response.status_code} "
        f"{sent.response.text[:200]}.",
        "201 with the stored document",
    )
    share = peak.bytes / len(data)
    assert share < MAX_SHARE, teach(
        f"While a {BIG} MiB upload was stored, Python's memory peaked at "
        f"{peak.bytes / MIB:.1f} MiB ({share:.0%} of the upload): the whole file was held in "
        "memory at once.",
        f"under {MAX_SHARE:.0%} of the upload: read it in chunks, `while chunk := await "
        "file.read(CHUNK):`, and write each chunk before reading the next",
    )


async def test_stored_file_is_closed(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        sent = await upload(client, path, FIELDS, "a.jpg", "image/jpeg", payload(100_000))
        still_open = open_files_under(upload_dir)
    assert sent.response.status_code == 201, teach(
        f"POST {path} answered {sent.response.status_code} {sent.response.text[:200]}.", "201"
    )
    assert not still_open, teach(
        f"After the response, the app still had {len(still_open)} file(s) in DOCS_UPLOAD_DIR "
        "open: the data may not all be on disk, and each upload keeps a file descriptor.",
        "the stored file is closed before the response: open it with `async with` (or "
        "`with`), so it is closed whatever happens",
    )
