"""Diagnoses of calls gone wrong: a function's result passed where the function was wanted, and
an attribute read from a coroutine before `await` ran."""

from __future__ import annotations

import re

from fastlings.plugin.diagnoses.base import Diagnosis, _at, _said
from fastlings.plugin.observe import Observations, Raised

# `name(` followed by an argument that is itself a call: `add_task(send(x))`.
CALLED_FIRST = re.compile(r"([\w.]+)\(\s*([\w.]+)\(")
COROUTINE_ATTRIBUTE = re.compile(r"'coroutine' object has no attribute '(\w+)'")


def not_callable(r: Raised) -> Diagnosis:
    """`TypeError: the first argument must be callable`, from the call the learner's line shows
    (`BackgroundTasks.add_task`, `run_in_threadpool`, anyio's `to_thread.run_sync`)."""
    said = f"The app raised TypeError{_at(r)}: {_said(r, 160)}."
    written = CALLED_FIRST.search(r.line or "")
    if r.line is None or (written and written.group(1).rsplit(".", 1)[-1] == "add_task"):
        # Outside the learner's code: a background task that ran after the response.
        job = written.group(2) if written else "send"
        return Diagnosis(
            "task_not_callable",
            f"{said} `add_task` was given something that is not a function; probably the job "
            f"was called (`add_task({job}(...))`), which hands over its coroutine instead.",
            "pass the function and its arguments separately: "
            f"`background_tasks.add_task({job}, arg1, arg2)`.",
            "ch21_background_work",
        )
    if written is None:
        return Diagnosis(
            "not_callable",
            f"{said} A function was wanted, and something else was given.",
            "pass the function and its arguments separately: `call(function, arg1, arg2)`.",
        )
    outer, inner = written.group(1), written.group(2)
    return Diagnosis(
        "not_callable",
        f"{said} `{outer}` was given the result of `{inner}(...)`, not the function: the call "
        "ran right there, and its result is not callable.",
        f"pass the function and its arguments separately: `{outer}({inner}, arg1, arg2)`.",
    )


def coroutine_attribute(obs: Observations) -> list[Diagnosis]:
    """An attribute read from a coroutine: `await a().b` on the learner's line (the await
    came too late), else a call never awaited at all (`awaiting.coroutine_attribute`)."""
    from fastlings.plugin.diagnoses.awaiting import coroutine_attribute as never_awaited

    for r in obs.raised:
        match = COROUTINE_ATTRIBUTE.search(r.message)
        if r.type == "AttributeError" and match:
            attribute = match.group(1)
            written = re.search(rf"await\s+([\w.]+\(.*\))\.{attribute}(\(\))?", r.line or "")
            if not written:
                continue
            call, called = written.group(1), written.group(2) or ""
            return [
                Diagnosis(
                    "coroutine_attribute",
                    f"The app raised AttributeError{_at(r)}: {_said(r, 160)}. `.{attribute}` was "
                    "read from a coroutine: `await` applies to the whole expression on its "
                    f"right, so `.{attribute}` ran before the call was awaited.",
                    f"parenthesise the awaited call: `(await {call}).{attribute}{called}`.",
                    "ch05_async_sessions",
                )
            ]
    return never_awaited(obs)
