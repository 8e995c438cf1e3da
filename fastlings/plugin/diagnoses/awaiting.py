"""Diagnoses of async code that awaits the wrong thing: a plain value awaited, a coroutine used
unawaited, a function's result handed to a worker thread, a sync-only API on an AsyncSession."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations

NOT_AWAITABLE = re.compile(r"object (\w+) can't be used in 'await' expression")


def awaited_plain_value(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NOT_AWAITABLE.search(r.message)
        # an awaited async generator is streams.awaited_async_generator
        if r.type == "TypeError" and match and match.group(1) != "async_generator":
            return [
                Diagnosis(
                    "awaited_plain_value",
                    f"The app raised TypeError{_at(r)}: {_said(r, 160)}. What was awaited there "
                    f"is a {match.group(1)}, not a coroutine: the function called is a "
                    "synchronous one, which had already run to the end (in the event loop's "
                    "thread) before `await` got its result.",
                    "no `await` on a synchronous call (`db.add(...)`, `response.json()`); for a "
                    "wait, its async form (`await asyncio.sleep(...)`, an `AsyncSession` from "
                    "the async sessionmaker); for a blocking call you cannot replace, a worker "
                    "thread: `await asyncio.to_thread(func, *args)`.",
                    "ch08_blocking_calls",
                )
            ]
    return []


CORO_ATTRIBUTE = re.compile(r"'coroutine' object has no attribute '(\w+)'")


def coroutine_attribute(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = CORO_ATTRIBUTE.search(r.message)
        if r.type == "AttributeError" and match:
            return [
                Diagnosis(
                    "coroutine_attribute",
                    f"The app raised AttributeError{_at(r)}: `.{match.group(1)}` was read from a "
                    "coroutine object, so the async call that made it was never awaited. "
                    "(`await` applies to the whole expression after it: `await a().b()` "
                    "awaits `b()`, not `a()`.)",
                    "await the call first, then use what it returns: `response = await "
                    "call_next(request)`, `result = await db.execute(...)` then "
                    "`result.scalars()`, or `(await db.execute(...)).scalars()`.",
                    "ch05_async_sessions",
                )
            ]
    return []


def coroutine_in_model(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        fields = [e for e in r.errors if e.get("input_type") == "coroutine"]
        if fields:
            names = ", ".join(
                f"`{'.'.join(str(p) for p in e['loc'] if p != 'response') or 'response'}`"
                for e in fields
            )
            return [
                Diagnosis(
                    "coroutine_in_model",
                    f"The app raised {r.type}{_at(r)}: Pydantic was given a coroutine object "
                    f"for {names}, so an async call (an `async def` function, "
                    "`asyncio.to_thread(...)`, `run_in_threadpool(...)`) was never awaited "
                    "and its result never computed.",
                    "`await` the call and use what it returns: `text = await "
                    "asyncio.to_thread(func, *args)`.",
                    "ch08_blocking_calls",
                )
            ]
    return []


NOT_CALLABLE = re.compile(r"'(\w+)' object is not callable")
THREAD_CALL = re.compile(
    r"\b(to_thread|run_in_threadpool|run_sync|run_in_executor)\((?:None,\s*)?([\w.]+)\("
)


def thread_given_result(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        match = NOT_CALLABLE.search(r.message)
        call = THREAD_CALL.search(r.line or "")
        if r.type == "TypeError" and match and call:
            helper, function = call.groups()
            return [
                Diagnosis(
                    "thread_given_result",
                    f"The app raised TypeError{_at(r)}: {_said(r, 120)}. `{helper}` was given "
                    f"the result of `{function}(...)`, a {match.group(1)}, instead of the "
                    f"function: `{function}` ran right there, in the calling thread (the event "
                    "loop's, inside `async def`), and the worker thread was then asked to call "
                    "its result.",
                    f"pass the function and its arguments separately: `await "
                    f"asyncio.to_thread({function}, arg1, arg2)`.",
                    "ch08_blocking_calls",
                )
            ]
    return []


def legacy_query(obs: Observations) -> list[Diagnosis]:
    for r in obs.raised:
        if r.type == "AttributeError" and "'AsyncSession' object has no attribute 'query'" in (
            r.message
        ):
            return [
                Diagnosis(
                    "legacy_query",
                    f"The app raised AttributeError{_at(r)}: an `AsyncSession` has no "
                    "`query()`. `session.query(...)` is SQLAlchemy's legacy Query API, which "
                    "only a synchronous `Session` offers.",
                    "a `select()` statement, awaited: `(await db.scalars(select(User)"
                    ".order_by(User.id))).all()`, or `await db.execute(select(...))`.",
                    "ch08_blocking_calls",
                )
            ]
    return []


AWAITING_RULES = (  # coroutine_attribute runs through calls.coroutine_attribute
    awaited_plain_value,
    coroutine_in_model,
    thread_given_result,
    legacy_query,
)
