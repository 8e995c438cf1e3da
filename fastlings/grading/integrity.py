"""A snapshot of the machinery that produces results, and the test that it is unchanged.

Taken by the child's audit hook when collection ends, before any learner code is imported (the
`module` fixture imports it inside a check), and compared before every record is sent. What is
watched: the modules that run checks and report results (pytest, pluggy, pytest-timeout,
pytest-asyncio, the course plugin, the grading child itself under the name it really runs as,
`__main__`, `time`, `json`, `builtins`, httpx's transport) and every checks module and conftest
of the working copy. For each of their functions and classes (and the functions of those
classes): the object itself, its code object, its defaults and keyword defaults, and the
contents of its closure cells, all compared by identity; plus pytest's hooks and plugins, and
the course plugin's result collector.
"""

from __future__ import annotations

import operator
import sys
from types import FunctionType, ModuleType
from typing import Any

WATCHED_MODULES = (
    "builtins", "time", "socket", "json", "json.decoder", "json.encoder", "__main__",
    "pytest", "_pytest.runner", "_pytest.reports", "_pytest.python", "_pytest.fixtures",
    "_pytest.outcomes", "_pytest.main", "_pytest.nodes", "_pytest.skipping", "_pytest.terminal",
    "_pytest.capture", "_pytest.assertion", "_pytest.assertion.rewrite", "_pytest.assertion.util",
    "_pytest.config", "_pytest.python_api", "_pytest.raises", "_pytest.warnings",
    "pluggy", "pluggy._hooks", "pluggy._callers", "pluggy._manager", "pytest_timeout",
    "pytest_asyncio.plugin", "httpx", "httpx._models",
    "httpx._client", "httpx._transports.asgi",
)  # fmt: skip
# Module attributes pytest itself swaps around each check.
VOLATILE = {"_pytest.assertion.util": frozenset({"_reprcompare", "_assertion_pass", "_config"})}
_DESCRIPTORS = (FunctionType, property, classmethod, staticmethod, type)


def _functions(value: Any) -> list[FunctionType]:
    if isinstance(value, FunctionType):
        return [value]
    if isinstance(value, (staticmethod, classmethod)):
        inner = value.__func__
        return [inner] if isinstance(inner, FunctionType) else []
    if isinstance(value, property):
        return [f for f in (value.fget, value.fset, value.fdel) if isinstance(f, FunctionType)]
    return []


def _fingerprint(function: FunctionType) -> tuple[Any, ...]:
    cells = tuple(_cell(c) for c in (function.__closure__ or ()))  # the contents, by identity
    return (function.__code__, function.__defaults__, function.__kwdefaults__, cells)


def _cell(cell: Any) -> object:
    try:
        return cell.cell_contents
    except ValueError:  # an empty cell
        return None


def _watched_attrs(namespace: dict[str, Any], skip: frozenset[str]) -> dict[str, Any]:
    return {
        name: value
        for name, value in namespace.items()
        if name not in skip and (isinstance(value, _DESCRIPTORS) or callable(value))
    }


class Integrity:
    """Compared by identity, so that nothing is called on objects learner code may control."""

    def __init__(self, config: Any, extra_modules: list[str]) -> None:
        self.config = config
        own = [name for name in sys.modules if name == "fastlings" or name.startswith("fastlings.")]
        self.names = [*WATCHED_MODULES, *own, *extra_modules]
        self.modules: dict[str, ModuleType] = {}
        self.namespaces: list[tuple[str, Any, dict[str, Any], frozenset[str], int]] = []
        self.functions: list[tuple[str, FunctionType, tuple[Any, ...]]] = []
        self.hooks: dict[str, list[tuple[object, object]]] = {}
        self.plugins: list[object] = []
        # A watched attribute now holding a function of the course's checks is the checks' own
        # monkeypatch (chapter 20 wraps httpx.AsyncClient.__init__), not tampering.
        self.checks_roots: tuple[str, ...] = ()

    def take(self) -> None:
        for name in self.names:
            module = sys.modules.get(name)
            if module is None:
                continue
            self.modules[name] = module
            skip = VOLATILE.get(name, frozenset())
            self._namespace(name, module, vars(module), skip)
            for attr, value in list(vars(module).items()):
                if isinstance(value, type) and value.__module__ == getattr(module, "__name__", ""):
                    self._namespace(f"{name}.{attr}", value, dict(vars(value)), frozenset())
        self.hooks = self._hooks()
        self.plugins = list(self.config.pluginmanager.get_plugins())
        self.collector = self.config.pluginmanager.get_plugin("fastlings-results")
        self.collector_type = type(self.collector)
        self.collector_state = dict(vars(self.collector)) if self.collector is not None else {}

    def _namespace(
        self, where: str, container: Any, ns: dict[str, Any], skip: frozenset[str]
    ) -> None:
        attrs = _watched_attrs(ns, skip)
        self.namespaces.append((where, container, attrs, skip, len(ns)))
        for attr, value in attrs.items():
            for function in _functions(value):
                self.functions.append((f"{where}.{attr}", function, _fingerprint(function)))

    def _checks_own(self, value: object) -> bool:
        code = getattr(value, "__code__", None) if isinstance(value, FunctionType) else None
        return code is not None and code.co_filename.startswith(self.checks_roots or ("\0",))

    def _hooks(self) -> dict[str, list[tuple[object, object]]]:
        hooks: dict[str, list[tuple[object, object]]] = {}
        for name, caller in vars(self.config.pluginmanager.hook).items():
            get = getattr(caller, "get_hookimpls", None)
            if get is not None:
                hooks[name] = [(impl.plugin, impl.function) for impl in get()]
        return hooks

    def broken(self) -> str | None:
        """What was replaced, or None when the machinery is intact."""
        if sys.gettrace() is not None or sys.getprofile() is not None:
            return "a trace or profile function was installed (sys.settrace/setprofile)"
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                return f"sys.modules[{name!r}] was replaced"
        for where, container, attrs, skip, size in self.namespaces:
            namespace = vars(container)
            for attr, value in attrs.items():
                now = namespace.get(attr)
                if now is not value and not self._checks_own(now):
                    return f"{where}.{attr} was replaced"
            if isinstance(container, type) and len(namespace) != size:
                added = {
                    a
                    for a, v in _watched_attrs(dict(namespace), skip).items()
                    if a not in attrs and not self._checks_own(v)
                }
                if added:
                    return f"{where} gained {', '.join(sorted(added))}"
        same = operator.is_
        for where, function, before in self.functions:  # identity only: no __eq__ is called
            after = _fingerprint(function)
            if not (
                after[0] is before[0]
                and after[1] is before[1]
                and after[2] is before[2]
                and len(after[3]) == len(before[3])
                and all(map(same, after[3], before[3]))
            ):
                parts = zip(("code", "defaults", "keyword defaults"), before, after, strict=False)
                label = next((name for name, x, y in parts if x is not y), "closure")
                return f"the {label} of {where} was replaced"
        return self._plugins_broken()

    def _plugins_broken(self) -> str | None:
        if self.collector is not None:
            state = vars(self.collector)
            if set(state) != set(self.collector_state) or any(
                state[k] is not v for k, v in self.collector_state.items()
            ):
                return "the result collector's state was replaced"
            if (
                type(state.get("results")) is not list
                or type(self.collector) is not self.collector_type
            ):
                return "the result collector was replaced"
        if {id(p) for p in self.config.pluginmanager.get_plugins()} != {
            id(p) for p in self.plugins
        }:
            return "a pytest plugin was registered or removed during the checks"
        hooks = self._hooks()
        for name, impls in self.hooks.items():
            now_impls = hooks.get(name, [])
            if len(now_impls) != len(impls) or any(
                a[0] is not b[0] or a[1] is not b[1] for a, b in zip(now_impls, impls, strict=True)
            ):
                return f"the pytest hook {name} was changed"
        return None
