"""What ``pip install .`` installs (not only the editable install the suite runs from): every folder
of Python code under the package's folders is a package pyproject.toml lists, and every file the
code reads at run time is package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_folder_of_code_is_a_listed_package() -> None:
    settings = _settings()
    listed = set(settings["packages"])
    found = set()
    for name, folder in settings["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            found.add(".".join([name, *relative.parts]))
    assert found <= listed, f"not installed by pip install .: {sorted(found - listed)}"
    assert "grantbook.projections.views" in found and "grantbook.web.api" in found


def test_the_files_read_at_run_time_are_package_data() -> None:
    data = _settings()["package-data"]
    assert "catalogue.json" in data["grantbook.domain"]
    web = data["grantbook.web"]
    assert "templates/*.html" in web and "static/*" in web
    assert any((ROOT / "web" / "templates").glob("*.html")) and any((ROOT / "web" / "static").iterdir())
