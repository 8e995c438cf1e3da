"""Diagnoses of a body that was not what a response can send: a generator returned as a
value, a function passed where the iterator it returns was wanted."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations

ASYNC_GENERATOR_ENCODED = "'async_generator' object is not iterable"


def generator_as_json(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type == "ValueError" and ASYNC_GENERATOR_ENCODED in r.message:
            return [
                Diagnosis(
                    "generator_as_json",
                    f"The app raised ValueError{_at(r)}: FastAPI tried to encode the endpoint's "
                    "return value as JSON, and it was an async generator "
                    f'("{ASYNC_GENERATOR_ENCODED}").',
                    "a generator is a body to stream, not a value: return "
                    "`StreamingResponse(gen(...), media_type=...)`.",
                    "ch23_streaming_sse",
                )
            ]
    return []


NOT_CALLED = re.compile(r"'(function|method)' object is not (?:async )?iterable")


def function_not_called(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NOT_CALLED.search(r.message)
        if r.type == "TypeError" and match:
            return [
                Diagnosis(
                    "function_not_called",
                    f"The app raised TypeError{_at(r)}: {_said(r, 160)}. Something iterated over "
                    f"a {match.group(1)} itself instead of what calling it returns: probably a "
                    "missing `(...)`.",
                    "call it where its result is wanted: `StreamingResponse(gen(...))`, not "
                    "`StreamingResponse(gen)`; `d.items()`, not `d.items`.",
                    "ch23_streaming_sse",
                )
            ]
    return []


AWAITED_GENERATOR = "object async_generator can't be used in 'await' expression"


def awaited_async_generator(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type == "TypeError" and AWAITED_GENERATOR in r.message:
            return [
                Diagnosis(
                    "awaited_async_generator",
                    f"The app raised TypeError{_at(r)}: {_said(r, 160)}. Calling an async "
                    "generator function (one whose body has `yield`) runs none of it: it returns "
                    "an async generator at once, which is not awaited but iterated.",
                    "no `await` before it: `async for item in gen(...)`, or hand it to the "
                    "response as it is: `StreamingResponse(gen(...), media_type=...)`.",
                    "ch23_streaming_sse",
                )
            ]
    return []


GENERATOR_ENCODED = re.compile(r"'(async_generator|generator)' object has no attribute 'encode'")


def generator_as_content(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = GENERATOR_ENCODED.search(r.message)
        if r.type == "AttributeError" and match:
            return [
                Diagnosis(
                    "generator_as_content",
                    f"The app raised AttributeError{_at(r)}: {_said(r, 160)}. Something called "
                    f"`.encode()` on a {match.group(1).replace('_', ' ')}: probably a `Response` "
                    "(`PlainTextResponse`, `HTMLResponse`, ...) given it as its content, which "
                    "such a response encodes and sends as one string.",
                    "a generator is streamed by `StreamingResponse(gen(...), media_type=...)`; "
                    "the other responses take the whole body as one str or bytes.",
                    "ch23_streaming_sse",
                )
            ]
    return []
