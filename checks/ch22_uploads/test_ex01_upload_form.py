"""Checks for chapter 22, exercise 1: form fields next to an uploaded file.

The checks send real multipart forms (the framing a browser or `curl -F` sends), read the
stored file back from the folder DOCS_UPLOAD_DIR points at, and read the OpenAPI document.
"""

from pathlib import Path
from types import ModuleType

from checks.ch22_uploads.conftest import payload, sha256, stored_files, upload
from fastlings.testing import ClientFactory, Teach, find_operation, resolve_ref, route_path

TITLE = "Q3 report \\ final"
PDF = b"%PDF-1.7\n" + payload(20_000)


async def test_upload_with_form_fields(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    path = route_path(module.app, "post", "/documents")
    async with make_client(module.app) as client:
        sent = await upload(
            client, path, {"title": TITLE, "public": "true"}, "report.pdf", "application/pdf", PDF
        )
    response = sent.response
    assert response.status_code == 201, teach(
        f"POST {path} as a multipart form (fields title, public and a file) answered "
        f"{response.status_code} {response.text[:300]}.",
        "201: `title` and `public` are read from the form, e.g. `meta: Annotated[DocumentMeta, "
        "Form()]`, next to `file: UploadFile`",
    )
    body = response.json()
    expected = {"title": TITLE, "public": True, "filename": "report.pdf", "size": len(PDF)}
    got = {key: body.get(key) for key in expected}
    assert got == expected, teach(f"The 201 said {got}.", f"{expected}")
    files = stored_files(upload_dir)
    assert len(files) == 1 and sha256(files[0].read_bytes()) == sha256(PDF), teach(
        f"After one upload, DOCS_UPLOAD_DIR holds {len(files)} file(s), "
        + ("with other bytes than were sent." if files else "none."),
        "one file, byte for byte the upload",
    )


async def test_form_fields_are_validated(
    upload_dir: Path, module: ModuleType, make_client: ClientFactory, teach: Teach
) -> None:
    path = route_path(module.app, "post", "/documents")
    cases = {
        "a 101-character title": {"title": "x" * 101},
        "no title at all": {"public": "true"},
        "public=maybe": {"title": "ok", "public": "maybe"},
    }
    async with make_client(module.app) as client:
        for label, fields in cases.items():
            sent = await upload(client, path, fields, "a.pdf", "application/pdf", PDF)
            assert sent.response.status_code == 422, teach(
                f"POST {path} with {label} answered {sent.response.status_code} "
                f"{sent.response.text[:200]}.",
                "422: the form fields are validated by DocumentMeta (max_length=100, required "
                "title, a boolean public)",
            )
    assert stored_files(upload_dir) == [], teach(
        "A refused form still stored a file.", "nothing stored for a 422"
    )


async def test_openapi_describes_one_multipart_form(module: ModuleType, teach: Teach) -> None:
    openapi = module.app.openapi()
    found = find_operation(openapi, "post", "/documents")
    assert found is not None, teach("OpenAPI has no POST /documents.", "POST /documents")
    content = found[1].get("requestBody", {}).get("content", {})
    schema = content.get("multipart/form-data", {}).get("schema", {})
    _, body = resolve_ref(openapi, schema)
    properties = dict(body.get("properties", {}))
    for part in body.get("allOf", []):
        properties.update(resolve_ref(openapi, part)[1].get("properties", {}))
    assert {"title", "public", "file"} <= set(properties), teach(
        f"OpenAPI describes the upload as a multipart form with the fields {sorted(properties)}"
        ": a client is told to send the document's fields as one part "
        + ("named 'meta'." if "meta" in properties else "it cannot fill."),
        "the fields title, public and file side by side in one multipart/form-data body",
    )
