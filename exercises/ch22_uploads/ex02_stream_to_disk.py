"""Chapter 22, exercise 2: stream the upload to disk.

The form is right (exercise 1). Storing it is not: the endpoint reads the whole upload into
one `bytes` object and writes it in one blocking call. A 50 MB upload costs 50 MB of memory
per request, and the write stops the event loop. Every `# TODO:` marks a place to change. Run
the checks with:

    pytest checks/ch22_uploads/test_ex02_stream_to_disk.py

The lesson: lessons/ch22_uploads.md
"""

import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Form, UploadFile, status
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

CHUNK = 64 * 1024


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


# TODO: `await upload.read()` puts the whole file in memory at once, and `write_bytes` blocks
# the event loop while it writes. Copy it in chunks of CHUNK bytes instead, without blocking
# the loop, and keep the size the app counted.
async def store(upload: UploadFile, folder: Path) -> tuple[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = uuid.uuid4().hex
    content = await upload.read()
    (folder / stored_name).write_bytes(content)
    return stored_name, len(content)


app = FastAPI(title="Fastlings documents")


@app.post("/documents", status_code=status.HTTP_201_CREATED)
async def upload_document(
    meta: Annotated[DocumentMeta, Form()], file: UploadFile, settings: SettingsDep
) -> DocumentRead:
    stored_name, size = await store(file, settings.upload_dir)
    return DocumentRead(
        id=stored_name,
        filename=file.filename or "",
        content_type=file.content_type or "",
        size=size,
        **meta.model_dump(),
    )
