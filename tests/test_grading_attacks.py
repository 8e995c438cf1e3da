"""Every attack class of issue 11, and our own, against `fastlings class grade` in its sandbox.

One class is graded once (module fixture) through the real command, as root when the tests
run as root: an honest learner (the solution), an untouched starter, and one attacker per file
in `grading_attacks/` (each a prelude on top of the starter, run when a check imports it), plus
a symlinked submission folder and a hard-linked exercise file. Every attack test asserts:
the attacker earns no more than the starter; the honest learner keeps full marks; the grader
exits 0 and writes all three outputs; no file outside the attacker's own copy was created,
changed or quoted in the outputs (checksums before and after, a mode-600 canary secret, a host
Unix socket that must see no connection).
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from fastlings.grading import report
from fastlings.grading.models import ClassGrade

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or shutil.which("bwrap") is None,
        reason="the grading sandbox needs Linux and bubblewrap (apt-get install bubblewrap)",
    ),
]

HERE = Path(__file__).parent
ATTACKS = HERE / "grading_attacks"
EXERCISE = Path("exercises/ch01_ping/ex01_ping.py")
# Issue 11's attack classes, each with the attacker(s) that test it.
ISSUE_CLASSES = {
    "other learners' submission folders": ["rewrite_submissions"],
    "a concurrently graded working copy": ["rewrite_concurrent"],
    "a module of the grader": ["overwrite_grader"],
    "the instructor's checks on disk": ["rewrite_submissions"],
    "a .pth file in the grader's environment": ["pth_file"],
    "a symlink in the out folder": ["out_symlink"],
    "/etc/shadow and a mode-600 file in a failure message": ["read_secrets"],
    "a Unix socket of a host service": ["unix_socket"],
    "filling the output file system": ["fill_disk"],
    "signals, rt_sigqueueinfo included": ["signals"],
    "a peer's memory and pipe": ["dump_peer"],
    "the grader's command line through /proc": ["proc_cmdline"],
    "Rich markup in a reason": ["rich_markup"],
    "a CR and a formula in a folder name": ["csv_injection"],
    "terminal escape sequences": ["terminal_escape"],
    "timers disabled and a loop": ["timers"],
    "a symlinked submission folder": ["symlink_folder", "hard_link"],
    "key and channel through frames and gc": ["forge_frames", "forge_gc"],
    "swapped __code__ of checks and pytest": ["code_swap"],
    "the worker running as __main__": ["patch_main"],
    "a faked time.perf_counter": ["fake_clock"],
}
FOLDER_NAMES = {  # attackers whose folder name is itself the attack
    "rich_markup": "rich_markup[bold red]x[link=evil][blink]",
    "csv_injection": 'csv_injection\r=HYPERLINK("evil","x")',
    "terminal_escape": "terminal_escape\x1b]2;owned\x07\x1b[2J",
}
PRELUDES = sorted(p.stem for p in ATTACKS.glob("*.prelude"))
ATTACKERS = sorted({*PRELUDES, "csv_injection", "symlink_folder", "hard_link"})
SKIPPED = {"symlink_folder"}


def _tree(root: Path, skip: set[Path]) -> dict[str, str]:
    digests: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if any(path == s or s in path.parents for s in skip) or "__pycache__" in path.parts:
            continue
        rel = str(path.relative_to(root))
        if path.is_symlink():
            digests[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            digests[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            digests[rel] = "dir"
    return digests


class HostSocket:
    """A Unix socket server (a path and an abstract name) that counts its connections."""

    def __init__(self, path: Path) -> None:
        self.abstract = f"fastlings-attack-{secrets.token_hex(4)}"
        self.connections = 0
        self.servers = []
        for address in (str(path), "\0" + self.abstract):
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(address)
            server.listen()
            server.settimeout(0.2)
            self.servers.append(server)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            for server in self.servers:
                with contextlib.suppress(OSError):
                    server.accept()[0].close()
                    self.connections += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        for server in self.servers:
            server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("attacks")
    course = base / "course"
    shutil.copytree(HERE / "fixture_course", course)
    canary = base / "instructor-secret.txt"
    secret = "CANARY-" + secrets.token_hex(16)
    canary.write_text(secret)
    canary.chmod(0o600)
    host = HostSocket(base / "host.sock")
    subs = base / "submissions"
    starter = (course / EXERCISE).read_text()
    solution = (course / "solutions/ch01_ping/ex01_ping.py").read_text()
    for name, text in (("honest", solution), ("starter", starter)):
        (subs / name / EXERCISE).parent.mkdir(parents=True)
        (subs / name / EXERCISE).write_text(text)
    replacements = {"{CANARY}": str(canary), "{SOCKET}": str(base / "host.sock"),
                    "{ABSTRACT}": host.abstract, "{BASE}": str(base)}  # fmt: skip
    for attacker in ATTACKERS:
        folder = subs / FOLDER_NAMES.get(attacker, attacker)
        if attacker == "symlink_folder":
            folder.symlink_to(subs / "honest", target_is_directory=True)
            continue
        (folder / EXERCISE).parent.mkdir(parents=True)
        if attacker == "hard_link":
            os.link(course / "solutions/ch01_ping/ex01_ping.py", folder / EXERCISE)
            continue
        prelude = (ATTACKS / f"{attacker}.prelude").read_text() if attacker in PRELUDES else ""
        for key, value in replacements.items():
            prelude = prelude.replace(key, value)
        (folder / EXERCISE).write_text(prelude + "\n" + starter)
    tooling = Path(report.__file__).resolve().parents[1]
    site = Path(os.__file__).parent
    watched = {"base": (base, {base / "out", base / "host.sock"}), "tooling": (tooling, set())}
    before = {k: _tree(root, skip) for k, (root, skip) in watched.items()}
    site_before = sorted(os.listdir(sys.prefix + "/lib"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}
    env["PYTHONPATH"] = str(tooling.parent)
    done = subprocess.run(
        [sys.executable, "-c", "from fastlings.cli import main; main()", "class", "grade",
         str(subs), "--jobs", "2", "--no-reuse", "--check-timeout", "10",
         "--exercise-timeout", "20",
         "--learner-timeout", "12", "--out", str(base / "out")],
        cwd=course, env=env, capture_output=True, text=True, timeout=280, check=False,
    )  # fmt: skip
    host.close()
    after = {k: _tree(root, skip) for k, (root, skip) in watched.items()}
    outputs = {n: (base / "out" / n) for n in report.OUTPUTS.values()}
    texts = {n: p.read_text(errors="replace") if p.is_file() else "" for n, p in outputs.items()}
    payload = json.loads(texts["grades.json"]) if texts["grades.json"] else {}
    return {
        "base": base, "done": done, "before": before, "after": after, "outputs": outputs,
        "texts": texts, "payload": payload, "secret": secret, "host": host, "site": site,
        "site_before": site_before, "site_after": sorted(os.listdir(sys.prefix + "/lib")),
    }  # fmt: skip


def _learners(graded: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {lg["learner"]: lg for lg in graded["payload"].get("learners", [])}


def _common(graded: dict[str, Any], attacker: str) -> dict[str, Any] | None:
    """The assertions every attack test makes; the attacker's grade (None if skipped)."""
    done = graded["done"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for name, path in graded["outputs"].items():
        assert path.is_file() and not path.is_symlink(), name
        assert graded["texts"][name].strip(), f"{name} is empty"
    learners = _learners(graded)
    assert learners["honest"]["points_earned"] == learners["honest"]["points_possible"] == 10
    assert graded["before"] == graded["after"], "a file outside the sandbox changed"
    assert graded["site_before"] == graded["site_after"]
    assert graded["host"].connections == 0, "a host Unix socket was reached"
    everything = "".join(graded["texts"].values()) + done.stdout + done.stderr
    assert graded["secret"] not in everything
    outputs = "".join(graded["texts"].values())
    for folder in ("submissions", "out", "course"):  # what the grader's command line names
        assert str(graded["base"] / folder) not in outputs, f"the host path of {folder} leaked"
    with contextlib.suppress(OSError):
        shadow = Path("/etc/shadow").read_text().splitlines()[0]
        assert shadow not in everything
    assert not Path("/tmp/pwned").exists()  # noqa: S108 - what the attacks try to create
    folder = FOLDER_NAMES.get(attacker, attacker)
    if attacker in SKIPPED:
        assert folder not in learners
        return None
    grade = learners[folder]
    assert grade["points_earned"] <= learners["starter"]["points_earned"] == 0
    return grade


@pytest.mark.parametrize("attack_class", sorted(ISSUE_CLASSES))
def test_every_attack_class_of_the_issue_is_defeated(
    graded: dict[str, Any], attack_class: str
) -> None:
    for attacker in ISSUE_CLASSES[attack_class]:
        _common(graded, attacker)


@pytest.mark.parametrize("attacker", [a for a in PRELUDES if a.startswith("own_")])
def test_our_own_attacks_are_defeated(graded: dict[str, Any], attacker: str) -> None:
    grade = _common(graded, attacker)
    assert grade is not None


@pytest.mark.parametrize(
    ("attacker", "phrase"),
    [
        ("forge_frames", "stack frame"), ("forge_gc", "gc.get_objects"),
        ("code_swap", "__code__"), ("patch_main", "__main__"), ("fake_clock", "time.perf_counter"),
        ("signals", "No module named '_ctypes'"), ("dump_peer", "/proc/"),
        ("hard_link", "hard links"),
        ("own_tb_frame", "tb_frame"), ("own_inspect_stack", "stack frame"),
        ("own_signal_partial", "signal handler"), ("own_audithook", "sys.addaudithook"),
        ("own_thread_trace", "sys.settrace"), ("own_spoof_compile", "claims to be"),
        ("own_proc_self_mem", "/proc/self/mem"), ("own_unsigned_line", "unsigned"),
        ("own_guess_channel", "unsigned"), ("own_fork_namespace", "new process"),
        ("timers", "budget of 12s"), ("own_exec_python", "unsigned"),
        ("own_imp_ctypes", "_ctypes"),
    ],
)  # fmt: skip
def test_the_reason_names_what_was_refused(
    graded: dict[str, Any], attacker: str, phrase: str
) -> None:
    grade = _common(graded, attacker)
    assert grade is not None
    assert phrase in json.dumps(grade), json.dumps(grade)[:1500]


def test_a_symlinked_submission_folder_is_skipped_with_the_reason(graded: dict[str, Any]) -> None:
    _common(graded, "symlink_folder")
    skipped = graded["payload"]["skipped"]
    assert [s["folder"] for s in skipped] == ["symlink_folder"]
    assert (
        "symbolic link" in skipped[0]["reason"]
        and "symbolic link" in graded["texts"]["report.html"]
    )


def test_csv_quotes_every_field_and_neutralises_formulas(graded: dict[str, Any]) -> None:
    _common(graded, "csv_injection")
    rows = list(csv.reader(io.StringIO(graded["texts"]["grades.csv"])))
    assert len(rows) == 1 + len(_learners(graded))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert all(line.startswith('"') for line in graded["texts"]["grades.csv"].splitlines())
    names = {row[0] for row in rows}
    assert 'csv_injection =HYPERLINK("evil","x")' in names


def test_no_raw_escape_reaches_the_terminal(graded: dict[str, Any]) -> None:
    _common(graded, "terminal_escape")
    done = graded["done"]
    assert "\x1b" not in done.stdout + done.stderr and "\u202e" not in done.stdout + done.stderr
    assert "\\x1b" in done.stdout + done.stderr  # shown, escaped


def test_the_report_states_the_sandbox(graded: dict[str, Any]) -> None:
    assert "bubblewrap" in graded["payload"]["isolation"]
    assert "bubblewrap" in graded["texts"]["report.html"]


# -- the parts, alone -----------------------------------------------------------------------
def _sample() -> ClassGrade:
    return ClassGrade(course="c", exercises=[], learners=[], points_possible=0)


def test_a_planted_link_in_the_out_folder_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "grades.json").symlink_to(target)
    report.write_outputs(_sample(), out)
    assert target.read_text() == "keep me"
    assert not (out / "grades.json").is_symlink() and (out / "grades.json").is_file()


def test_a_full_disk_keeps_the_previous_outputs_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    report.write_outputs(_sample(), out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_write = os.write

    def full(fd: int, data: Any) -> int:
        if len(data) > 0 and fd > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(report.os, "write", full)
    with pytest.raises(report.OutputError, match="No space left"):
        report.write_outputs(_sample(), out)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp file left


def test_the_seccomp_filter_limits_every_signal_syscall_to_the_process_itself() -> None:
    """rt_sigqueueinfo, rt_tgsigqueueinfo, tgkill, tkill and kill aimed at this test's process,
    from a child that installed the filter: each answers EPERM, and we are still alive."""
    import platform

    if platform.machine() != "x86_64":
        pytest.skip("the syscall numbers below are x86-64's")
    script = f"""
import ctypes, os
from fastlings.grading import confine
assert confine.forbid_new_processes()
libc = ctypes.CDLL(None, use_errno=True)
info = ctypes.create_string_buffer(128)
target = {os.getpid()}
results = []
for number, args in ((62, (target, 0)), (129, (target, 0, info)), (297, (target, target, 0, info)),
                     (234, (target, target, 0)), (200, (target, 0)), (62, (-1, 0))):
    libc.syscall(number, *args)
    results.append(ctypes.get_errno())
own = libc.syscall(62, os.getpid(), 0)
print(results, own)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(Path(report.__file__).resolve().parents[2])},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("]")[0] == "[1, 1, 1, 1, 1, 1", done.stdout  # EPERM each
    assert done.stdout.strip().endswith(" 0")  # signal 0 to itself is allowed


def _descendants(root: int) -> list[int]:
    """The processes below `root` (by parent pid), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if entry.isdigit():
                stat = Path(f"/proc/{entry}/stat").read_text()
                parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _is_sandbox(pid: int) -> bool:
    with contextlib.suppress(OSError):
        return b"fastlings.grading.child" in Path(f"/proc/{pid}/cmdline").read_bytes()
    return False


def test_killing_the_grader_leaves_no_sandbox_and_nothing_in_tmp(tmp_path: Path) -> None:
    """A learner loops forever; the grader is killed (SIGKILL) while it runs: its sandbox dies
    with it (`--die-with-parent`), and no working copy or scratch is left in /tmp or /dev/shm
    (they lived on the sandbox's own tmpfs)."""
    import signal
    import time

    course = tmp_path / "course"
    shutil.copytree(HERE / "fixture_course", course)
    learner = tmp_path / "submissions" / "looper" / EXERCISE
    learner.parent.mkdir(parents=True)
    learner.write_text("while True:\n    pass\n" + (course / EXERCISE).read_text())

    host_tmp = tmp_path / "host-tmp"  # the grader's TMPDIR: anything it leaves shows here
    host_tmp.mkdir()

    def sandbox_users(folder: str) -> set[str]:
        names = set()
        for item in os.scandir(folder):
            with contextlib.suppress(OSError):
                if item.stat(follow_symlinks=False).st_uid == 65534:
                    names.add(item.name)
        return names

    shm_before, tmp_before = sandbox_users("/dev/shm"), sandbox_users("/tmp")  # noqa: S108
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}
    env["PYTHONPATH"] = str(Path(report.__file__).resolve().parents[2])
    env["TMPDIR"] = str(host_tmp)
    grader = subprocess.Popen(
        [sys.executable, "-c", "from fastlings.cli import main; main()", "class", "grade",
         str(tmp_path / "submissions"), "--no-reuse", "--out", str(tmp_path / "out")],
        cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    mine: list[int] = []
    while time.monotonic() < deadline and not mine:  # the looper's sandbox
        time.sleep(0.5)
        mine = [p for p in _descendants(grader.pid) if _is_sandbox(p)]
    assert mine, "no sandbox started"
    time.sleep(6)  # past the collection: the looper's sandbox runs
    below = _descendants(grader.pid)
    assert any(_is_sandbox(p) for p in below), "the looper's sandbox is not running"
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    time.sleep(2)
    alive = [p for p in below if Path(f"/proc/{p}").exists()]
    assert not alive, f"processes of the grader outlived it: {alive}"
    assert list(host_tmp.iterdir()) == [], "the grader left files in its TMPDIR"
    assert sandbox_users("/dev/shm") <= shm_before  # noqa: S108 - nothing of the sandbox user
    assert sandbox_users("/tmp") <= tmp_before  # noqa: S108


def test_python_under_tmp_is_still_visible_in_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout (and its virtual environment) under /tmp: the sandbox's private /tmp must
    not hide the Python folders bound into it."""
    from fastlings.grading import sandbox
    from fastlings.grading.models import Limits
    from fastlings.scratch import temporary

    with temporary("sandboxtest", Path("/tmp")) as folder:  # noqa: S108 - the case under test
        folder.chmod(0o755)  # as a virtual environment's folders are
        (folder / "marker.txt").write_text("visible", encoding="utf-8")
        folders = sandbox._python_folders()
        monkeypatch.setattr(sandbox, "_python_folders", lambda: [*folders, str(folder)])
        command = [
            sys.executable,
            "-P",
            "-c",
            f"print(open({str(folder / 'marker.txt')!r}).read())",
        ]
        line = sandbox.bwrap_command(
            Limits(), shared_network=False, command=command, seccomp_fd=None
        )
        done = subprocess.run(line, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "visible"), done.stderr


def test_without_bubblewrap_grading_refuses_unless_told_it_is_unsafe(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(HERE / "fixture_course", course)
    learner = tmp_path / "submissions" / "honest" / EXERCISE
    learner.parent.mkdir(parents=True)
    shutil.copyfile(course / "solutions/ch01_ping/ex01_ping.py", learner)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FASTLINGS_")}
    env["PYTHONPATH"] = str(Path(report.__file__).resolve().parents[2])
    env["PATH"] = str(tmp_path / "nothing-here")  # no bwrap, setpriv or unshare on it
    command = [sys.executable, "-c", "from fastlings.cli import main; main()", "class", "grade",
               str(tmp_path / "submissions"), "--out", str(tmp_path / "out")]  # fmt: skip
    refused = subprocess.run(
        command, cwd=course, env=env, capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2
    assert "refusing to grade" in refused.stderr and "apt-get install bubblewrap" in refused.stderr
    assert not (tmp_path / "out" / "grades.json").exists()
    unsafe = subprocess.run(
        [*command, "--unsafe-no-sandbox"], cwd=course, env=env, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert unsafe.returncode == 0, unsafe.stderr
    assert "--unsafe-no-sandbox" in unsafe.stderr
    payload = json.loads((tmp_path / "out" / "grades.json").read_text())
    assert payload["isolation"].startswith("NO SANDBOX (--unsafe-no-sandbox)")
    assert payload["learners"][0]["points_earned"] == 10
    assert "NO SANDBOX" in (tmp_path / "out" / "report.html").read_text()
