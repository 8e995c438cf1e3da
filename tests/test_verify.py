"""The verify gate on the fixture course: it passes when all is well and names each breach."""

from pathlib import Path

import pytest

from fastlings.dev.verify import Report, verify

STARTER = Path("exercises/ch01_ping/ex01_ping.py")


def run(root: Path, *, notebooks: bool = False) -> tuple[Report, str]:
    lines: list[str] = []
    report = verify(root, lint=False, notebooks=notebooks, echo=lines.append)
    return report, "\n".join(lines)


def test_a_sound_course_passes_with_one_line_per_exercise(tiny_course: Path) -> None:
    report, out = run(tiny_course)
    assert report.breaches == [], out
    assert "✓ ch01_ping/ex01_ping" in out
    assert "starter fails 1/1 declared checks by assertion; solution passes 2/2" in out
    assert out.rstrip().endswith("verify: OK")


def test_a_starter_that_errors_instead_of_failing_is_a_breach(tiny_course: Path) -> None:
    starter = tiny_course / STARTER
    starter.write_text(starter.read_text().replace("app = FastAPI()", "app = FastAPI(\n"))
    report, out = run(tiny_course)
    assert any(
        "errors instead of failing by assertion (import, setup)" in b for b in report.breaches
    ), out
    assert "SyntaxError" in out


def test_a_missing_solution_is_named(tiny_course: Path) -> None:
    (tiny_course / "solutions/ch01_ping/ex01_ping.py").unlink()
    report, out = run(tiny_course)
    assert any(
        "solution solutions/ch01_ping/ex01_ping.py is missing" in b for b in report.breaches
    ), out
    assert any("on the solution" in b for b in report.breaches), out


def test_a_manifest_typo_names_the_entry_and_the_missing_files(tiny_course: Path) -> None:
    manifest = tiny_course / "course.toml"
    manifest.write_text(manifest.read_text().replace('id = "ex01_ping"', 'id = "ex01_pign"'))
    report, out = run(tiny_course)
    assert any(
        b.startswith("ch01_ping/ex01_pign: starter exercises/ch01_ping/ex01_pign.py is missing")
        for b in report.breaches
    ), out
    assert any("stray starter exercises/ch01_ping/ex01_ping.py" in b for b in report.breaches), out


def test_an_invalid_manifest_is_reported_not_raised(tiny_course: Path) -> None:
    manifest = tiny_course / "course.toml"
    manifest.write_text(manifest.read_text().replace('"Look at the status code.", ', ""))
    report, out = run(tiny_course)
    assert report.breaches and "hints" in report.breaches[0], out


def test_a_check_that_passes_on_the_starter_cannot_be_declared_failing(tiny_course: Path) -> None:
    manifest = tiny_course / "course.toml"
    manifest.write_text(
        manifest.read_text().replace(
            'failing_checks = ["test_ping_answers_pong"]',
            'failing_checks = ["test_ping_answers_pong", "test_ping_is_get"]',
        )
    )
    report, out = run(tiny_course)
    assert any("on the starter, test_ping_is_get does not fail" in b for b in report.breaches), out


def test_an_undeclared_failing_check_is_a_breach(tiny_course: Path) -> None:
    manifest = tiny_course / "course.toml"
    manifest.write_text(
        manifest.read_text().replace('"test_ping_answers_pong"', '"test_ping_is_get"')
    )
    report, out = run(tiny_course)
    assert any("test_ping_answers_pong fails but is not declared" in b for b in report.breaches), (
        out
    )


def test_a_change_without_a_todo_marker_is_a_breach(tiny_course: Path) -> None:
    starter = tiny_course / STARTER
    starter.write_text(starter.read_text().replace("    # TODO: answer pong\n", ""))
    report, out = run(tiny_course)
    assert any("has no '# TODO:' marker" in b for b in report.breaches), out


def test_a_stale_lesson_snippet_is_a_breach(tiny_course: Path) -> None:
    solution = tiny_course / "solutions/ch01_ping/ex01_ping.py"
    solution.write_text(solution.read_text().replace('{"pong": True}', '{"pong": 1 == 1}'))
    report, out = run(tiny_course)
    assert any("snippet no longer matches" in b for b in report.breaches), out


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("exercises/ch01_ping", "extra.py"),
        ("checks/ch01_ping", "test_extra.py"),
        ("lessons", "x.md"),
    ],
)
def test_stray_files_are_breaches(tiny_course: Path, folder: str, name: str) -> None:
    (tiny_course / folder / name).write_text("")
    report, out = run(tiny_course)
    assert any(f"{folder}/{name}: no course.toml entry uses it" in b for b in report.breaches), out


def test_notebooks_are_validated(tiny_course: Path) -> None:
    notebook = tiny_course / "notebooks/ch01_ping.ipynb"
    notebook.write_text(notebook.read_text().replace('"pong\\n"', '"ping\\n"'))
    report, out = run(tiny_course, notebooks=True)
    assert any(b.startswith("nbval:") for b in report.breaches), out


def test_a_notebook_that_leaves_a_folder_in_tmp_is_a_breach(tiny_course: Path) -> None:
    notebook = tiny_course / "notebooks/ch01_ping.ipynb"
    notebook.write_text(
        notebook.read_text().replace(
            '"print(\\"pong\\")"',
            '"import tempfile; tempfile.mkdtemp(); print(\\"pong\\")"',
        )
    )
    assert "mkdtemp" in notebook.read_text()
    report, out = run(tiny_course, notebooks=True)
    assert any(
        b.startswith("nbval:") and "left 1 item(s) in the temporary folder" in b
        for b in report.breaches
    ), out


def test_a_bare_assert_on_the_starter_is_a_breach(tiny_course: Path) -> None:
    checks = tiny_course / "checks/ch01_ping/test_ex01_ping.py"
    checks.write_text(
        checks.read_text().replace(
            """    assert response.json() == {"pong": True}, teach(
        f"GET /ping answered {response.json()}", "{'pong': True}"
    )""",
            """    assert response.json() == {"pong": True}""",
        )
    )
    report, out = run(tiny_course)
    assert any("fails with a bare assert" in b for b in report.breaches), out


def test_chapter_limits_the_checks_and_names_an_unknown_chapter(tiny_course: Path) -> None:
    lines: list[str] = []
    report = verify(
        tiny_course, lint=False, notebooks=False, chapters=("ch01_ping",), echo=lines.append
    )
    assert report.breaches == [] and "✓ ch01_ping/ex01_ping" in "\n".join(lines)
    lines.clear()
    report = verify(
        tiny_course, lint=False, notebooks=False, chapters=("ch99_nope",), echo=lines.append
    )
    out = "\n".join(lines)
    assert "ch01_ping/ex01_ping" not in out
    assert any("no such chapter: ch99_nope" in b for b in report.breaches), out
