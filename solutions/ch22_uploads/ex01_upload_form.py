"""Chapter 22, exercise 1: the reference solution.

The document's fields arrive as form fields next to the file: `Annotated[DocumentMeta,
Form()]` reads `title` and `public` from the multipart form and validates them with the model,
so the browser form, curl `-F` and httpx `data=` + `files=` all work, and OpenAPI describes one
multipart form.
"""

import uuid
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import anyio
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


# A multipart request has no JSON body: the model is filled from its form fields.
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
