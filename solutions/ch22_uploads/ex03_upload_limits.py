"""Chapter 22, exercise 3: the reference solution.

`max_body_size` on the route makes FastAPI (with Starlette's RequestBodyLimitMiddleware) count
the request body as it arrives and answer 413 as soon as it passes the limit, before the form
is parsed and before the endpoint runs: nothing of an oversized upload is stored, and no more
of it is read. A file of the wrong declared type gets 415 before anything is written.
"""

import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import Depends, FastAPI, Form, HTTPException, UploadFile, status
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHUNK = 64 * 1024
MAX_UPLOAD_BYTES = 1024 * 1024  # the whole request body, multipart framing included
ALLOWED_TYPES = {"application/pdf", "image/png", "image/jpeg"}


class Settings(BaseSettings):
    """Read from DOCS_UPLOAD_DIR (or its default)."""

    model_config = SettingsConfigDict(env_prefix="DOCS_")

    upload_dir: Path = Path("uploads")


@lru_cache
def get_settings() -> Settings:
    return Settings()


SettingsDep = Annotated[Settings, Depends(get_settings)]


class DocumentMeta(BaseModel):
    title: str = Field(min_length=1, max_length=100)
    public: bool = False


class DocumentRead(DocumentMeta):
    id: str
    filename: str
    content_type: str
    size: int


# One chunk in memory at a time; the file is closed when the `async with` block ends, before
# the response is built. The name on disk never comes from the client.
async def store(upload: UploadFile, folder: Path) -> tuple[str, int]:
    await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex
    size = 0
    async with await anyio.open_file(folder / stored_name, "wb") as out:
        while chunk := await upload.read(CHUNK):
            await out.write(chunk)
            size += len(chunk)
    return stored_name, size


app = FastAPI(title="Fastlings documents")


# The limit is enforced while the body arrives: an oversized request is answered 413 without
# being read to its end (with a Content-Length over the limit, without reading it at all).
@app.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    max_body_size=MAX_UPLOAD_BYTES,
    responses={
        status.HTTP_413_CONTENT_TOO_LARGE: {"description": "The upload is over 1 MiB"},
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: {"description": "Not a PDF, PNG or JPEG"},
    },
)
async def upload_document(
    meta: Annotated[DocumentMeta, Form()], file: UploadFile, settings: SettingsDep
) -> DocumentRead:
    # The type the client declared for the file part, checked before anything is written.
    if file.content_type not in ALLOWED_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail=f"Unsupported file type {file.content_type!r}: send a PDF, PNG or JPEG",
        )
    stored_name, size = await store(file, settings.upload_dir)
    return DocumentRead(
        id=stored_name,
        filename=file.filename or "",
        content_type=file.content_type or "",
        size=size,
        **meta.model_dump(),
    )
