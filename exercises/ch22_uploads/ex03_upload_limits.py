"""Chapter 22, exercise 3: refuse oversized uploads early, and the wrong kinds at all.

Uploads are streamed to disk (exercise 2), and the endpoint counts the bytes and answers 413
past 1 MiB. But by the time the endpoint runs, the server has already received the whole
request and parsed it into a temporary file: a 5 GB upload is read to its end before it is
refused, and the part written so far stays on disk. Any file type is accepted. Every `# TODO:`
marks a place to change. Run the checks with:

    pytest checks/ch22_uploads/test_ex03_upload_limits.py

The lesson: lessons/ch22_uploads.md
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
        # TODO: this size check is too late: the whole request body has been received before
        # the endpoint runs, and it leaves a partial file behind. Have the body refused with
        # 413 while it arrives, before the form is parsed.
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "Upload too large")
            await out.write(chunk)
    return stored_name, size


app = FastAPI(title="Fastlings documents")


# TODO: declare the body limit (MAX_UPLOAD_BYTES) where FastAPI enforces it while the body
# arrives.
@app.post("/documents", status_code=status.HTTP_201_CREATED)
async def upload_document(
    meta: Annotated[DocumentMeta, Form()], file: UploadFile, settings: SettingsDep
) -> DocumentRead:
    # TODO: any file type is stored. Refuse a file part whose declared type is not in
    # ALLOWED_TYPES with 415 Unsupported Media Type, before anything is written.
    stored_name, size = await store(file, settings.upload_dir)
    return DocumentRead(
        id=stored_name,
        filename=file.filename or "",
        content_type=file.content_type or "",
        size=size,
        **meta.model_dump(),
    )
