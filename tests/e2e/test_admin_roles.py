"""Who may grant: head administrators, local administrators, the catalogue's
rules (who may grant a right, for how long) and reasons."""

from __future__ import annotations

from conftest import IRIS, NUMBER, RRN_1985, Driver, grant

SW = ("support-worker", "add", NUMBER, "--rrn", RRN_1985, "--first-name", "A", "--last-name", "B")


def test_registered_admins_are_heads_and_appoint_local_administrators(school: Driver) -> None:
    out = school.ok("admin", "add", NUMBER, "piet").stdout
    assert "heads: jan, mia; administrators: piet" in out
    school.ok("select", NUMBER, "90001", actor="piet")
    # IRIS may be granted by a head only: refused at assign ...
    school.refused("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-11-30",
                   "--end", "2027-08-31", actor="piet", rule="not-a-head-administrator", contains="piet")
    # ... and a local administrator may not appoint or remove anyone.
    school.refused("admin", "add", NUMBER, "eve", actor="piet", rule="not-a-head-administrator", contains="piet")
    school.refused("admin", "remove", NUMBER, "mia", actor="piet", rule="not-a-head-administrator")
    school.refused("admin", "add", NUMBER, "eve", actor="eve", rule="not-an-administrator")
    school.ok("admin", "add", NUMBER, "piet", "--head")
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-11-30",
              "--end", "2027-08-31", actor="piet")
    school.ok("confirm", NUMBER, actor="piet")
    audit = [e for e in school.json("audit", NUMBER) if e["event"].startswith("Administrator")]
    assert [(e["event"], e["actor"], e["details"]) for e in audit] == [
        ("AdministratorAppointed", "jan", {"person_id": "piet", "head": False}),
        ("AdministratorAppointed", "jan", {"person_id": "piet", "head": True}),
    ]
    school.refused("admin", "add", NUMBER, "piet", "--head", rule="already-administrator", contains="piet")


def test_confirm_rechecks_the_head_role(school: Driver) -> None:
    school.ok("select", NUMBER, "90001", actor="mia")
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "2026-11-30",
              "--end", "2027-08-31", actor="mia")
    school.ok("admin", "add", NUMBER, "mia")  # mia is now an ordinary administrator
    school.refused("confirm", NUMBER, actor="mia", rule="not-a-head-administrator", contains="mia")
    grant(school, "90002")
    school.refused("extend", NUMBER, "90002", "--right", IRIS, "--end", "2027-12-31", actor="mia",
                   rule="not-a-head-administrator")


def test_removed_person_can_no_longer_act_and_last_head_stays(school: Driver) -> None:
    school.ok("admin", "remove", NUMBER, "mia")
    school.refused("search", NUMBER, actor="mia", rule="not-an-administrator", contains="mia")
    school.refused("admin", "remove", NUMBER, "jan", rule="last-head-administrator", contains="jan")
    school.refused("admin", "add", NUMBER, "jan", rule="last-head-administrator")
    school.refused("admin", "remove", NUMBER, "nobody", rule="not-an-administrator", contains="nobody")
    assert school.json("audit", NUMBER)[-1]["details"] == {"person_id": "mia"}


def test_maximum_validity_of_four_years(school: Driver) -> None:
    school.ok("select", NUMBER, "90001")
    school.refused("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "26/08/2020",
                   "--end", "27/08/2024", rule="maximum-validity", contains="4 years")
    # The seed's period: the same calendar day four years later is allowed.
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "26/08/2020",
              "--end", "26/08/2024")
    school.ok("back", NUMBER)
    # 29 February: four years later is 29 February again (leap year) ...
    school.ok("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "29/02/2028",
              "--end", "29/02/2032")
    school.ok("back", NUMBER)
    school.refused("assign", NUMBER, "--right", IRIS, "--context", "Gebruiker", "--begin", "29/02/2028",
                   "--end", "01/03/2032", rule="maximum-validity", contains="2032-02-29")
    grant(school, "90002", begin="2026-11-30", end="2027-08-31")
    school.refused("extend", NUMBER, "90002", "--right", IRIS, "--end", "2030-12-01",
                   rule="maximum-validity", contains="2030-11-30")
    school.ok("extend", NUMBER, "90002", "--right", IRIS, "--end", "2030-11-30")


def test_add_years_on_29_february_without_a_leap_year() -> None:
    from datetime import date

    from grantbook.domain.catalogue import add_years

    assert add_years(date(2096, 2, 29), 4) == date(2100, 2, 28)
    assert add_years(date(2020, 8, 26), 4) == date(2024, 8, 26)


def test_reason_is_required_and_shown_in_the_audit_trail(school: Driver) -> None:
    bare = [a for a in SW if a not in ("--reason", "needs access")]
    school.refused(*bare, rule="reason-required")
    school.refused(*bare, "--reason", "   ", rule="reason-required")
    assert not school.key_path.exists(), "a refused command must not create a key"
    worker = school.ok(*bare, "--reason", "ondersteuner van 5B").stdout.strip()
    grant(school, worker)
    school.refused("revoke", NUMBER, worker, "--right", IRIS, rule="reason-required")
    school.refused("revoke", NUMBER, worker, "--right", IRIS, "--reason", "", rule="reason-required")
    school.ok("revoke", NUMBER, worker, "--right", IRIS, "--reason", "leaves at Christmas")
    details = {e["event"]: e["details"] for e in school.json("audit", NUMBER)}
    assert details["SupportWorkerAdded"]["reason"] == "ondersteuner van 5B"
    assert details["RightRevoked"]["reason"] == "leaves at Christmas"
    assert "previous_hash" not in details["RightRevoked"]
