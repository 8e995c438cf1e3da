"""Worked example for chapter 22: attachments on support tickets.

A form with a note and a file; the file is streamed to disk in blocks; the router refuses
bodies over 512 KiB while they arrive, and the endpoint refuses file types it does not accept.
"""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, UploadFile, status
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BLOCK_SIZE = 256 * 1024
ATTACHMENT_LIMIT = 512 * 1024  # bytes of request body, multipart framing included
ACCEPTED = {"text/plain", "image/png"}


class TicketSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETS_")

    storage: Path = Path("attachments")


@lru_cache
def get_config() -> TicketSettings:
    return TicketSettings()


class AttachmentForm(BaseModel):
    note: str = Field(default="", max_length=200)
    urgent: bool = False


class AttachmentOut(AttachmentForm):
    ticket_id: int
    stored_as: str
    bytes: int


async def save(incoming: UploadFile, folder: Path) -> tuple[str, int]:
    """Copy the upload block by block; only one block is in memory at a time."""
    await anyio.Path(folder).mkdir(parents=True, exist_ok=True)
    stored_as = secrets.token_hex(8)  # never a name the client chose
    written = 0
    async with await anyio.open_file(folder / stored_as, "wb") as target:
        while block := await incoming.read(BLOCK_SIZE):
            await target.write(block)  # in a worker thread: the event loop keeps serving
            written += len(block)
    return stored_as, written


# Every route of this router counts its request bodies as they arrive.
tickets = APIRouter(prefix="/tickets", tags=["tickets"], max_body_size=ATTACHMENT_LIMIT)


@tickets.post("/{ticket_id}/attachments", status_code=status.HTTP_201_CREATED)
async def attach(
    ticket_id: int,
    form: Annotated[AttachmentForm, Form()],
    attachment: UploadFile,
    config: Annotated[TicketSettings, Depends(get_config)],
) -> AttachmentOut:
    if attachment.content_type not in ACCEPTED:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"{attachment.content_type} is not accepted"
        )
    stored_as, written = await save(attachment, config.storage / str(ticket_id))
    return AttachmentOut(
        ticket_id=ticket_id, stored_as=stored_as, bytes=written, **form.model_dump()
    )


app = FastAPI(title="Support tickets")
app.include_router(tickets)
