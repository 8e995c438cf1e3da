"""Worked example for lessons/ch10_middleware_cors.md § 10.4: CORS from an allow-list.

A notes API used from two browser front-ends with the user's cookie. Only those two origins,
matched exactly, get `Access-Control-Allow-Origin`; every other origin, a sibling subdomain
included, gets none, so the browser hides the answer from that page.
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

NOTES_FRONT_ENDS = [
    "https://notes.example.org",  # scheme + host, exactly as the browser's Origin header
    "https://editor.example.org:8443",  # a port is part of the origin
]


def allow_front_ends(app: FastAPI) -> None:
    app.add_middleware(
        CORSMiddleware,
        allow_origins=NOTES_FRONT_ENDS,
        allow_methods=["GET", "PUT"],
        allow_headers=["Content-Type"],
        allow_credentials=True,
        expose_headers=["X-Trace-Token"],  # response headers the page's script may read
    )


app = FastAPI(title="Notes")
allow_front_ends(app)


@app.get("/notes")
async def list_notes() -> list[str]:
    return ["buy milk"]


@app.put("/notes/{note_id}")
async def replace_note(note_id: int) -> dict[str, int]:
    return {"id": note_id}
