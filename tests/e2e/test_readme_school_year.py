"""The README's walk-through "A school year in grantbook", run as written: each step on the day its
comment names (the clock pinned, as in every e2e test), every command exiting 0, in a fresh folder.

The section is read from README.md, so the README cannot drift from what grantbook does. Only the
shell a reader needs there is understood (anything else fails the test, on purpose): ``# YYYY-MM-DD``
comments, ``export``, ``cat > FILE <<'TAG'`` here-documents, ``grep -v 'RE' IN > OUT``,
``NAME=$(grantbook ...)``, and ``grantbook ...`` with an optional ``< FILE``; lines may continue
with a backslash.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from freezegun import freeze_time

from grantbook.cli.main import cli

README = Path(__file__).parents[2] / "README.md"
SECTION = "## A school year in grantbook"


def walk_through() -> list[str]:
    """The section's indented code, as shell lines (continuations joined)."""
    text = README.read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    code = [line[4:] for line in section.splitlines() if line.startswith("    ") or not line.strip()]
    joined = "\n".join(code).replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip()]


class Shell:
    """Runs the walk-through's lines in-process against a store in ``folder``."""

    def __init__(self, folder: Path, clock) -> None:  # type: ignore[no-untyped-def]
        self.folder, self.clock = folder, clock
        self.env: dict[str, str | None] = {"GRANTBOOK_KEY_FILE": None}
        self.outputs: list[tuple[list[str], str]] = []

    def expand(self, text: str) -> str:
        return re.sub(r"\$(\w+)", lambda m: str(self.env.get(m.group(1)) or ""), text)

    def grantbook(self, words: list[str], stdin: str | None = None) -> str:
        result = CliRunner().invoke(cli, words, env=self.env, input=stdin, catch_exceptions=False)
        assert result.exit_code == 0, (words, result.stdout, result.stderr)
        self.outputs.append((words, result.stdout))
        return result.stdout

    def run(self, lines: list[str]) -> None:
        lines = list(lines)
        while lines:
            line = lines.pop(0)
            if day := re.match(r"# (\d{4}-\d{2}-\d{2})\b", line):
                self.clock.move_to(f"{day.group(1)} 09:00:00")
            elif line.startswith("#"):
                continue
            elif here := re.fullmatch(r"cat > (\S+) <<'(\w+)'", line):
                body = []
                while (next_line := lines.pop(0)) != here.group(2):
                    body.append(next_line)
                (self.folder / here.group(1)).write_text("\n".join(body) + "\n", encoding="utf-8")
            elif grep := re.fullmatch(r"grep -v '([^']*)' (\S+) > (\S+)", line):
                kept = [
                    x
                    for x in (self.folder / grep.group(2)).read_text().splitlines(keepends=True)
                    if not re.search(grep.group(1), x)
                ]
                (self.folder / grep.group(3)).write_text("".join(kept), encoding="utf-8")
            elif line.startswith("export "):
                for pair in shlex.split(line)[1:]:
                    name, _, value = pair.partition("=")
                    self.env[name] = value
            elif captured := re.fullmatch(r"(\w+)=\$\((grantbook .*)\)", line):
                self.env[captured.group(1)] = self.command(captured.group(2)).strip()
            else:
                assert line.startswith("grantbook "), (
                    f"the README walk-through uses shell the test does not know: {line}"
                )
                self.command(line)

    def command(self, line: str) -> str:
        words = shlex.split(self.expand(line))
        stdin = None
        if "<" in words:
            at = words.index("<")
            stdin = (self.folder / words[at + 1]).read_text(encoding="utf-8")
            words = words[:at] + words[at + 2 :]
        return self.grantbook(words[1:], stdin)


def test_the_readme_school_year_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with freeze_time("2026-08-28 09:00:00", tz_offset=0) as clock:
        shell = Shell(tmp_path, clock)
        shell.run(walk_through())
        rollover = next(out for words, out in shell.outputs if "--ending" in words)
        assert rollover.splitlines()[0] == "extended 2 grants to 2028-08-31:"
        assert "left alone: 90003 (Chris Engels): not Actief" in rollover.splitlines()
        worker = shell.env["WORKER"]
        assert worker and worker.startswith("OND-")
        final = shell.grantbook(["rights", "034793", "--all", "--on", "01/09/2027", "--format", "json"])
    statuses = {row["person_id"]: (row["status"], row["end"]) for row in json.loads(final)}
    assert statuses == {
        "90001": ("current", "2028-08-31"),
        worker: ("current", "2028-08-31"),
        "90002": ("revoked", "2027-08-31"),
        "90003": ("revoked", "2027-08-31"),
    }
