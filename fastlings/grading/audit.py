"""The child's audit hook (`sys.addaudithook`): installed before any learner code, never removed.

It holds, in its closure only, the result channel's sender and the integrity snapshot. Results
leave only through the event `fastlings.grading` raised by the child's plugin, and only when it
comes from the main thread with every frame on the stack (pluggy's excepted) running code pytest
uses to report a check (a call scheduled by learner code is refused); for the node pytest runs,
in order, once per phase, matching its report; and, per checks file, after the integrity check.
While learner code is on the stack, the hook refuses (and reports as `tampered`): gc's object
walks, handing frames to learner code or to helpers that return them (`inspect`,
`traceback.walk_*`, pytest's `_code`), replacing the code or defaults of a function it did not
define, code claiming a trusted file name, and Python signal handlers. After the snapshot it
refuses `ctypes`, trace and profile functions, other hooks and `/proc/*/mem`; a refusal raises
and is sent at once."""

from __future__ import annotations

import _thread
import builtins as _b
import functools
import signal
import sys
from collections.abc import Callable
from types import CodeType, FrameType, FunctionType, MethodType
from typing import Any

from fastlings.run.record import NODEID, OUTCOME, PHASE

EVENT = "fastlings.grading"
FRAME_EVENTS = frozenset({"sys._getframe", "sys._current_frames", "sys._current_exceptions"})
FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
CODE_ATTRS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
ALWAYS = frozenset({"sys.settrace", "sys.setprofile", "sys.addaudithook"})
GC = frozenset({"gc.get_objects", "gc.get_referrers", "gc.get_referents"})
SPOOF = frozenset({"compile", "exec", "code.__new__", "function.__new__"})
WATCHED = FRAME_EVENTS | ALWAYS | GC | SPOOF | {EVENT, "fastlings.signal", "object.__setattr__"}
# stdlib and pytest helpers that return frames to their caller (unless one of their own frames
# consumes the frames and returns text)
LEAKERS = ("/inspect.py", "/traceback.py", "/_pytest/_code/code.py", "/asyncio/base_tasks.py",
           "/bdb.py", "/pdb.py")  # fmt: skip
CONSUMERS = frozenset({"_extract_from_extended_frame_gen", "extract_stack", "format_exc",
                       "print_exc", "format_exception", "print_exception"})  # fmt: skip
MEMORY_FILES = ("/mem", "/pagemap", "/kcore", "/kmem", "/syscall")


class Refused(RuntimeError):
    """Raised in learner code for an operation grading forbids."""


def install(
    send: Callable[..., None],
    *,
    trusted_roots: tuple[str, ...],
    report_codes: set[CodeType],
    chain_codes: set[CodeType],
    pluggy_root: str,
    snapshot: Callable[[Any], Any],
) -> None:
    """Install the hook. `send` is the channel's end; `report_codes` the plugin's emitting
    functions; `chain_codes` every other code object allowed on the stack of a report;
    `snapshot(config)` builds the integrity object when collection ends."""
    # bound here: learner code replacing `builtins.isinstance` does not change what the hook sees
    isinstance, type, id, callable = _b.isinstance, _b.type, _b.id, _b.callable
    get_ident, main_ident = _thread.get_ident, _thread.get_ident()
    getframe = sys._getframe
    busy: set[int] = set()
    cache: dict[str, bool] = {}
    report_ids = {id(c) for c in report_codes}
    chain_ids = {id(c) for c in chain_codes} | {id(f.f_code) for f in _stack(getframe(1))}
    state: dict[str, Any] = {"armed": False, "integrity": None, "order": [], "at": 0,
                             "phases": set(), "records": 0, "pending": [],
                             "tampered": None}  # fmt: skip

    def trusted(code: CodeType) -> bool:
        name = code.co_filename
        known = cache.get(name)
        if known is None:
            known = cache[name] = name.startswith("<frozen ") or name.startswith(trusted_roots)
        return known

    def tamper(reason: str) -> None:
        if state["tampered"] is None:
            state["tampered"] = reason
            send("tampered", reason=reason)
        raise Refused(f"refused while grading: {reason}")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "object.__getattr__":
            if args[1] not in FRAME_ATTRS:
                if args[1] in CODE_ATTRS and id(args[0]) in guards:
                    tamper(f"learner code read the {args[1]} of the signal guard")
                return
        elif event == "open":
            path = args[0]
            if state["armed"] and isinstance(path, (str, bytes)):
                text = path.decode(errors="replace") if isinstance(path, bytes) else path
                if text.startswith(("/proc/", "/dev/")) and text.endswith(MEMORY_FILES):
                    tamper(f"opened {text}")
            return
        elif event.startswith("ctypes."):
            if state["armed"]:
                tamper(f"used ctypes ({event})")
            return
        elif event not in WATCHED:
            return
        ident = get_ident()
        if ident in busy:
            return  # the hook's own work
        busy.add(ident)
        try:
            check(event, args, getframe(1), ident)
        finally:
            busy.discard(ident)

    def check(event: str, args: tuple[Any, ...], caller: FrameType, ident: int) -> None:
        if event == "fastlings.signal":
            handler: Any = args[0]
            if state["armed"] and callable(handler) and handler is not signal.default_int_handler:
                partial = isinstance(handler, functools.partial)
                function: Any = getattr(handler, "func", None) if partial else handler
                function = function.__func__ if isinstance(function, MethodType) else function
                if not isinstance(function, FunctionType) or not trusted(function.__code__):
                    tamper("learner code installed a signal handler")
            return
        if event == EVENT:
            if caller.f_code is None or id(caller.f_code) not in report_ids:
                tamper("the result event was raised by other code")
            deliver(args, caller, ident)
            return
        if not state["armed"]:
            return
        if event in ALWAYS:
            tamper(f"{event} was called")
        if event == "object.__setattr__":
            target = args[0]
            swap = args[1] in CODE_ATTRS and type(target) is FunctionType
            if swap and trusted(target.__code__) and learner_on_stack(caller):
                tamper(f"the {args[1]} of {target.__qualname__} was replaced")
            return
        if event in SPOOF:
            if not trusted(caller.f_code):
                spoof(event, args)
            return
        if event in GC:
            if learner_on_stack(caller):
                tamper(f"{event} was called by learner code")
            return
        code = caller.f_code  # a frame is being handed out
        if trusted(code) and not code.co_filename.endswith(LEAKERS):
            back = caller.f_back
            if event != "sys._getframe" or back is None or trusted(back.f_code):
                return  # trusted code asked, for itself
        frames = _stack(caller)
        untrusted = [i for i, f in enumerate(frames) if not trusted(f.f_code)]
        if untrusted:
            frame_access(event, args, frames, untrusted)

    def learner_on_stack(frame: FrameType | None) -> bool:
        while frame is not None:
            if not trusted(frame.f_code):
                return True
            frame = frame.f_back
        return False

    def frame_access(
        event: str, args: tuple[Any, ...], frames: list[FrameType], bad: list[int]
    ) -> None:
        index = 0
        while index < len(frames) and frames[index].f_code.co_filename.endswith(LEAKERS):
            if frames[index].f_code.co_name in CONSUMERS:
                return  # turned into text before it returns
            index += 1
        what = event if event != "object.__getattr__" else f"reading {args[1]}"
        if index == len(frames) or not trusted(frames[index].f_code):
            tamper(f"learner code asked for a stack frame ({what})")
        if event == "sys._getframe" and index + 1 in bad:
            zone = frames[: bad[-1] + 1]
            if not any(f is args[0] for f in zone):
                tamper("learner code asked for a frame of the grading machinery")

    def spoof(event: str, args: tuple[Any, ...]) -> None:
        """Learner code compiling or executing code that claims a trusted file name."""
        if event == "compile":
            name = args[1]
        elif event == "function.__new__" or event == "exec":
            code = args[0]
            name = code.co_filename if isinstance(code, CodeType) else ""
        else:
            name = args[1]
        if isinstance(name, bytes):
            name = name.decode(errors="replace")
        if isinstance(name, str) and name.startswith(trusted_roots):
            tamper(f"learner code made code that claims to be {name}")

    def deliver(args: tuple[Any, ...], caller: FrameType, ident: int) -> None:
        kind, payload = args[0], args[1]
        if state["tampered"] is not None:
            raise Refused("the run is already marked as tampered")
        if not state["armed"]:  # no learner code has run yet
            if kind == "collected":
                state["integrity"] = snapshot(payload["config"])
                state["order"] = list(payload["nodeids"])
                state["armed"] = True
                send("collected", nodeids=state["order"])
            elif kind == "tampered":
                state["tampered"] = str(payload)
                send("tampered", reason=str(payload))
            elif kind == "early":
                state["records"] += 1
                send("record", record=payload)
            elif kind == "sandbox":
                send("sandbox", description=str(payload))
            return
        if ident != main_ident:
            tamper("a result was reported from another thread")
        for frame in _stack(caller.f_back):
            code = frame.f_code
            if code.co_filename.startswith(pluggy_root) or id(code) in chain_ids:
                continue
            if code.co_filename.startswith("<frozen runpy"):
                continue
            tamper(f"a result was reported from {code.co_filename}:{code.co_name}")
        if kind == "report":
            report(payload)
        elif kind == "finish":
            if not payload.get("collect_only") and state["at"] < len(state["order"]):
                tamper("the run finished before every check reported")
            flush()
            send("finish", exitstatus=int(payload["exitstatus"]), records=state["records"])

    def flush() -> None:
        """Send the records held back, once the machinery is found intact: after each checks
        file (an exercise) and at the end; a run that breaks loses only the unsent exercise."""
        broken = state["integrity"].broken()
        if broken:
            tamper(broken)
        for record in state["pending"]:
            state["records"] += 1
            send("record", record=record)
        state["pending"] = []

    def report(payload: dict[str, Any]) -> None:
        nodeid, when, outcome = payload[NODEID], payload["when"], payload[OUTCOME]
        order, at = state["order"], state["at"]
        if at >= len(order):
            tamper(f"a report for {nodeid} arrived after the last check")
        if nodeid != order[at]:
            if when == "setup" and at + 1 < len(order) and order[at + 1] == nodeid:
                if "teardown" not in state["phases"]:
                    tamper(f"{order[at]} was left before its teardown")
                state["at"] = at = at + 1
                state["phases"] = set()
            else:
                tamper(f"a report for {nodeid} arrived out of order")
        if when in state["phases"]:
            tamper(f"a second {when} report for {nodeid}")
        state["phases"].add(when)
        records = payload["records"]
        if len(records) > 1:
            tamper("several records were made for one report")
        for record in records:
            if type(record) is not dict or record.get(NODEID) != nodeid:
                tamper("a record does not match its report")
            if record.get(PHASE) != when or (when == "call" and record.get(OUTCOME) != outcome):
                tamper("a record does not match its report")
            state["pending"].append(record)
        if when == "teardown":
            last = at == len(order) - 1
            if last or order[at + 1].split("::")[0] != nodeid.split("::")[0]:
                flush()
            if last:
                state["at"] = len(order)

    guards: set[int] = set()
    sys.addaudithook(hook)
    guards.add(id(_guard_signals()))


def _stack(frame: FrameType | None) -> list[FrameType]:
    frames: list[FrameType] = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


def _guard_signals() -> Callable[..., Any]:
    """A Python signal handler receives the interrupted frame, with no audit event: the guard
    raises `fastlings.signal` first, and the hook refuses, once the snapshot is taken, any
    handler but the tooling's own functions (and SIG_DFL, SIG_IGN). The real function is kept
    as a default argument, which the hook does not let learner code read."""
    import _signal  # type: ignore[import-not-found]

    def guarded(
        signalnum: int, handler: Any, _signal_: Any = _signal.signal, _audit: Any = sys.audit
    ) -> Any:
        _audit("fastlings.signal", handler)
        return _signal_(signalnum, handler)

    _signal.signal = guarded  # `signal.signal` calls it
    return guarded
