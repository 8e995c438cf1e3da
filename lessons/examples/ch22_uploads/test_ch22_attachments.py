"""Tests of the chapter 22 worked example: forms, intact files, 413 while arriving, 415."""

import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient

from lessons.examples.ch22_uploads import attachments


def nothing_stored(folder: Path) -> bool:
    return not folder.exists()


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "attachments"
    attachments.app.dependency_overrides[attachments.get_config] = lambda: (
        attachments.TicketSettings(storage=folder)
    )
    yield folder
    attachments.app.dependency_overrides.clear()


@pytest.fixture
async def client() -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=attachments.app)
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_attachment_is_stored_intact(client: AsyncClient, storage: Path) -> None:
    data = bytes(range(256)) * 1000  # every byte value, 256 kB
    response = await client.post(
        "/tickets/7/attachments",
        data={"note": "screenshot \\ login page", "urgent": "true"},
        files={"attachment": ("shot.png", data, "image/png")},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["urgent"] is True and body["bytes"] == len(data)
    stored = storage / "7" / body["stored_as"]
    assert hashlib.sha256(stored.read_bytes()).digest() == hashlib.sha256(data).digest()


async def test_form_fields_are_validated(client: AsyncClient, storage: Path) -> None:
    response = await client.post(
        "/tickets/7/attachments",
        data={"note": "x" * 201},
        files={"attachment": ("a.txt", b"hello", "text/plain")},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "note"]


async def test_oversized_body_is_refused_while_it_arrives(
    client: AsyncClient, storage: Path
) -> None:
    pulled = 0

    async def two_megabytes() -> AsyncIterator[bytes]:
        nonlocal pulled
        head = (
            b'--b\r\nContent-Disposition: form-data; name="attachment"; filename="a.txt"\r\n'
            b"Content-Type: text/plain\r\n\r\n"
        )
        for block in [head] + [b"x" * 65536] * 32 + [b"\r\n--b--\r\n"]:
            pulled += len(block)
            yield block

    response = await client.post(
        "/tickets/7/attachments",
        content=two_megabytes(),  # no Content-Length: the size is unknown in advance
        headers={"Content-Type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Content Too Large"}
    assert pulled < 2 * attachments.ATTACHMENT_LIMIT  # reading stopped at the limit
    assert nothing_stored(storage)  # the endpoint never ran


async def test_declared_length_over_the_limit_is_refused_unread(
    client: AsyncClient, storage: Path
) -> None:
    big = b"x" * (attachments.ATTACHMENT_LIMIT + 1)
    response = await client.post(
        "/tickets/7/attachments", files={"attachment": ("a.txt", big, "text/plain")}
    )
    assert response.status_code == 413
    assert response.text == "Content Too Large"  # Starlette's plain-text answer


async def test_unaccepted_type_gets_415(client: AsyncClient, storage: Path) -> None:
    response = await client.post(
        "/tickets/7/attachments", files={"attachment": ("run.sh", b"#!/bin/sh", "text/x-sh")}
    )
    assert response.status_code == 415
    assert nothing_stored(storage)
