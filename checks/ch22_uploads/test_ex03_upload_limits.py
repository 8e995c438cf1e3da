"""Checks for chapter 22, exercise 3: oversized uploads refused early, wrong types refused.

The 5 MiB upload is streamed without a Content-Length (like a chunked upload), so the app
cannot know its size in advance: the check counts how many bytes the app pulled before it
answered. A second one declares its Content-Length up front; it can be refused unread.
"""

from pathlib import Path
from types import ModuleType

from checks.ch22_uploads.conftest import Sent, payload, sha256, stored_files, upload
from fastlings.testing import ClientFactory, Teach, route_path

MIB = 1024 * 1024
LIMIT = MIB  # the exercise's MAX_UPLOAD_BYTES
FIELDS = {"title": "Scan \\ 2026"}
READ_AT_MOST = 2  # the app may pull up to twice the limit before answering 413


def refused_early(sent: Sent, how: str, path: str, teach: Teach) -> None:
    response = sent.response
    assert response.status_code == 413, teach(
        f"POST {path} with a {sent.body_size / MIB:.0f} MiB upload {how} answered "
        f"{response.status_code} {response.text[:200]}.",
        "413 Content Too Large: declare the limit where the body is read, "
        "`@app.post(..., max_body_size=MAX_UPLOAD_BYTES)` (or on the FastAPI app / router)",
    )
    assert sent.pulled <= READ_AT_MOST * LIMIT, teach(
        f"The 413 for a {sent.body_size / MIB:.0f} MiB upload {how} came after the app had "
        f"received {sent.pulled / MIB:.1f} MiB of it: the whole request was read (and parsed "
        "into a temporary file) before the size was checked.",
        f"the body is refused while it arrives, after at most {READ_AT_MOST} MiB: "
        "`max_body_size=MAX_UPLOAD_BYTES` on the route counts the bytes as they come in",
    )


async def test_file_under_the_limit_is_accepted(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    data = payload(LIMIT - 4096)  # just under: the form's framing takes a few hundred bytes
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        sent = await upload(client, path, FIELDS, "scan.pdf", "application/pdf", data)
    assert sent.response.status_code == 201, teach(
        f"POST {path} with a PDF of {len(data)} bytes (the whole request "
        f"{sent.body_size} bytes, under the 1 MiB limit) answered "
        f"{sent.response.status_code} {sent.response.text[:200]}.",
        "201: the limit is MAX_UPLOAD_BYTES for the whole request body",
    )
    files = stored_files(upload_dir)
    assert len(files) == 1 and sha256(files[0].read_bytes()) == sha256(data), teach(
        f"After one accepted upload, DOCS_UPLOAD_DIR holds {len(files)} file(s), not the upload.",
        "one file, byte for byte the upload",
    )


async def test_oversized_upload_is_refused_while_it_arrives(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    data = payload(5 * MIB)
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        chunked = await upload(client, path, FIELDS, "big.pdf", "application/pdf", data)
        refused_early(chunked, "sent without a Content-Length", path, teach)
        declared = await upload(
            client, path, FIELDS, "big.pdf", "application/pdf", data, content_length=True
        )
        refused_early(declared, "with its Content-Length declared", path, teach)
    left = stored_files(upload_dir)
    assert not left, teach(
        f"After two refused uploads, DOCS_UPLOAD_DIR holds {len(left)} file(s) "
        f"({', '.join(str(f.stat().st_size) for f in left)} bytes): parts of uploads that "
        "were refused.",
        "nothing stored for a refused upload",
    )


async def test_wrong_file_type_gets_415(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        for filename, content_type in (("page.html", "text/html"), ("x.pdf", "application/x-pdf")):
            sent = await upload(client, path, FIELDS, filename, content_type, b"<html></html>")
            assert sent.response.status_code == 415, teach(
                f"POST {path} with a file declared as {content_type!r} answered "
                f"{sent.response.status_code} {sent.response.text[:200]}.",
                "415 Unsupported Media Type for a file whose declared type is not in "
                "ALLOWED_TYPES: check `file.content_type` before storing anything",
            )
    left = stored_files(upload_dir)
    assert not left, teach(
        f"After two refused file types, DOCS_UPLOAD_DIR holds {len(left)} file(s).",
        "nothing stored: the type is checked before the file is written",
    )
