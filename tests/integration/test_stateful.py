"""Model-based test: random sequences of every command, valid and invalid,
run through the CLI against a small model of the rules (step 3's confirm, back
and cancel, the selection frozen while step 2 waits, selection clear and the
quick grant included: docs/adr/0015).

After every step the answer (exit code, one-line refusal naming the rule),
the read models (``rights``, ``expiring``) and the audit trail must agree
with the model; a refused command records nothing.

Each example registers a fresh institution in one store per test, so the
PostgreSQL run needs one schema. CI runs a small, fixed budget
(``derandomize``); ``make fuzz`` sets ``GRANTBOOK_FUZZ_EXAMPLES`` for a
longer, random run.

Written to stay valid whatever extra rules arrive: every support-worker add
and revoke passes ``--reason``, both actors are ``--admin`` (head)
administrators, and every period is shorter than four years (all dates lie
in a 1,200-day window).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path

from click.testing import CliRunner
from conftest import IRIS, valid_rrn
from freezegun import freeze_time
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from grantbook.adapters.store import StoreLocation
from grantbook.application import GrantBook
from grantbook.cli.main import cli

ADMINS = ("jan", "mia")
OUTSIDER = "piet"
ACTORS = (*ADMINS, OUTSIDER)
CONTEXTS = ("Beheerder", "Operator", "Gebruiker")
POOL = tuple(f"{90000 + i}" for i in range(1, 31))
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WINDOW_FIRST = date(2026, 5, 14)
WINDOW_LAST = WINDOW_FIRST + timedelta(days=1200)  # any period in it is < 4 years
RRNS = tuple(valid_rrn("850730", serial) for serial in range(10, 16))

FUZZ = int(os.environ.get("GRANTBOOK_FUZZ_EXAMPLES", "0"))
BUDGET = settings(
    max_examples=FUZZ or 8,
    stateful_step_count=50 if FUZZ else 25,
    derandomize=not FUZZ,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

days = st.integers(0, 1200).map(lambda n: WINDOW_FIRST + timedelta(days=n))


def typed(day: date, dmy: bool) -> str:
    return day.strftime("%d/%m/%Y") if dmy else day.isoformat()


@dataclass
class ModelGrant:
    grant_id: str
    person_id: str
    context: str
    begin: date
    end: date
    revoked_on: date | None = None

    @property
    def last_day(self) -> date | None:
        last = self.end
        if self.revoked_on is not None:
            last = min(last, self.revoked_on - timedelta(days=1))
        return last if last >= self.begin else None

    def held_on(self, day: date) -> bool:
        last = self.last_day
        return last is not None and self.begin <= day <= last

    def overlaps(self, begin: date, end: date) -> bool:
        last = self.last_day
        return last is not None and self.begin <= end and begin <= last


class Refused(Exception):
    def __init__(self, rule: str) -> None:
        self.rule = rule


class GrantBookMachine(RuleBasedStateMachine):
    store_url: str = ""
    workdir: Path = Path(".")
    numbers = count(100000)

    def __init__(self) -> None:
        super().__init__()
        self.runner = CliRunner()
        self.freezer = freeze_time(START, tz_offset=0)
        self.frozen = self.freezer.start()
        self.now = START
        self.number = f"{next(self.numbers):06d}"
        self.is_sqlite = self.store_url.startswith("sqlite:")
        key = self.workdir / ("store.db.key" if self.is_sqlite else "store.key")
        self.env = {"GRANTBOOK_STORE": None, "GRANTBOOK_ACTOR": None, "GRANTBOOK_KEY_FILE": None}
        if not self.is_sqlite:
            self.env["GRANTBOOK_KEY_FILE"] = str(key)
        # the model
        self.persons: dict[str, dict[str, object]] = {}  # id -> {"active": bool, "sw": bool}
        self.selections: dict[str, list[str]] = {a: [] for a in ADMINS}
        self.pending: dict[str, tuple[str, date, date] | None] = {a: None for a in ADMINS}
        self.grants: list[ModelGrant] = []
        self.rrns: set[str] = set()
        self.events = 0
        self.support_workers: list[str] = []

    def teardown(self) -> None:
        self.freezer.stop()

    @property
    def today(self) -> date:
        return self.now.date()  # 09:00 UTC is the same day in Brussels

    # -- running commands ---------------------------------------------------

    def store_events(self) -> int:
        from grantbook.errors import StoreError

        try:
            app = GrantBook.open(StoreLocation.parse(self.store_url), create=False)
        except StoreError:
            return 0
        app = app or GrantBook.open(StoreLocation.parse(self.store_url), create=False)
        try:
            return app.recorder.max_notification_id() or 0
        finally:
            app.close()

    def run(self, *args: str, actor: str = "jan") -> tuple[int, str, str]:
        result = self.runner.invoke(
            cli, ["--store", self.store_url, "--as", actor, *args], env=self.env, catch_exceptions=True
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args, result.stdout, result.stderr, repr(result.exception),
        )
        assert "Traceback" not in result.stdout + result.stderr, (args, result.stderr)
        return result.exit_code, result.stdout, result.stderr

    def expect(self, expected: Refused | int, *args: str, actor: str = "jan") -> str:
        """Run a command the model predicted: ``Refused(rule)`` or the number of new events."""
        before = self.store_events()
        code, out, err = self.run(*args, actor=actor)
        after = self.store_events()
        if isinstance(expected, Refused):
            assert code == 1, (args, expected.rule, out, err)
            lines = err.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: "), (args, err)
            assert expected.rule in lines[0], (args, expected.rule, lines[0])
            assert after == before, (args, "a refused command recorded events")
            return ""
        assert code == 0, (args, out, err)
        assert after - before == expected, (args, after - before, expected)
        self.events += expected
        return out

    def check(self, actor: str) -> None:
        if actor not in ADMINS:
            raise Refused("not-an-administrator")

    def selectable(self, pid: str) -> None:
        person = self.persons.get(pid)
        if person is None:
            raise Refused("unknown-person")
        if not person["active"]:
            raise Refused("inactive-person")

    def predict(self, fn) -> Refused | object:  # noqa: ANN001
        try:
            return fn()
        except Refused as refused:
            return refused

    # -- commands -----------------------------------------------------------

    @initialize()
    def register(self) -> None:
        self.expect(1, "institution", "register", self.number, "--name", "School", "--admin", "jan", "--admin", "mia")
        self.roster_import(list(POOL[:12]), {POOL[11]}, "jan", ",")

    @rule()
    def register_again(self) -> None:
        self.expect(Refused("already-registered"), "institution", "register", self.number, "--name", "X", "--admin", "jan")

    @rule(command=st.sampled_from(["search", "selection", "rights", "audit", "confirm", "back", "cancel"]))
    def unregistered_institution(self, command: str) -> None:
        self.expect(Refused("not-registered"), command, "999999")

    @rule(ids=st.lists(st.sampled_from(POOL), min_size=1, max_size=30, unique=True),
          inactive=st.sets(st.sampled_from(POOL), max_size=5), actor=st.sampled_from(ACTORS), sep=st.sampled_from([",", ";"]))
    def roster_import(self, ids: list[str], inactive: set[str], actor: str, sep: str) -> None:
        header = "person_id,first_name,last_name,category,status,begin_date,end_date".replace(",", sep)
        rows = [sep.join((p, f"F{p}", f"L{p}", "Medewerker", "Inactief" if p in inactive else "Actief", "01/09/2015", ""))
                for p in ids]
        path = self.workdir / f"roster-{self.number}.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")

        def outcome() -> int:
            self.check(actor)
            return 1
        expected = self.predict(outcome)
        out = self.expect(expected, "roster", "import", self.number, str(path), actor=actor)
        if not isinstance(expected, Refused):
            was_active = {pid for pid, person in self.persons.items() if person["active"]}
            for pid, person in self.persons.items():
                if not person["sw"] and pid not in ids:
                    person["active"] = False
            for pid in ids:
                self.persons[pid] = {"active": pid not in inactive, "sw": False}
            now_active = {pid for pid, person in self.persons.items() if person["active"]}
            reported = {kind: [line.split(" ")[1] for line in out.splitlines() if line.startswith(kind + ": ")]
                        for kind in ("joined", "left")}  # the import's report (domain/roster_changes.py)
            assert reported == {"joined": sorted(now_active - was_active), "left": sorted(was_active - now_active)}

    @rule(actor=st.sampled_from(ACTORS))
    def search(self, actor: str) -> None:
        def outcome() -> int:
            self.check(actor)
            return 1
        expected = self.predict(outcome)
        out = self.expect(expected, "search", self.number, "--format", "json", actor=actor)
        if out:
            assert sorted(r["person_id"] for r in json.loads(out)) == sorted(self.persons)

    @rule(actor=st.sampled_from(ACTORS), data=st.data())
    def select(self, actor: str, data: st.DataObject) -> None:
        active = [p for p, person in self.persons.items() if person["active"]]
        choices = st.sampled_from(list(POOL) + self.support_workers)
        if active and data.draw(st.booleans()):  # mostly a valid pick
            choices = st.sampled_from(active)
        wanted = data.draw(st.lists(choices, min_size=1, max_size=4))
        self.select_these(actor, wanted)

    def selection_frozen(self, actor: str) -> None:
        """While step 2 waits, the selection cannot change (docs/adr/0015)."""
        if self.pending[actor] is not None:
            raise Refused("assignment-pending")

    def select_these(self, actor: str, wanted: list[str]) -> None:

        def outcome() -> int:
            self.check(actor)
            self.selection_frozen(actor)
            current = self.selections[actor]
            for pid in wanted:
                self.selectable(pid)
                if pid in current:
                    raise Refused("already-selected")
            if len(set(wanted)) < len(wanted):
                raise Refused("already-selected")
            if len(current) + len(wanted) > 25:
                raise Refused("selection-limit")
            return len(wanted)
        expected = self.predict(outcome)
        self.expect(expected, "select", self.number, *wanted, actor=actor)
        if not isinstance(expected, Refused):
            self.selections[actor] += wanted

    @rule(actor=st.sampled_from(ACTORS), data=st.data())
    def deselect(self, actor: str, data: st.DataObject) -> None:
        current = self.selections.get(actor, [])
        wanted = data.draw(st.lists(st.sampled_from(list(POOL) + current), min_size=1, max_size=3))

        def outcome() -> int:
            self.check(actor)
            self.selection_frozen(actor)
            unique = list(dict.fromkeys(wanted))
            if any(pid not in current for pid in unique):
                raise Refused("not-selected")
            return len(unique)
        expected = self.predict(outcome)
        self.expect(expected, "deselect", self.number, *wanted, actor=actor)
        if not isinstance(expected, Refused):
            self.selections[actor] = [p for p in current if p not in wanted]

    @rule(actor=st.sampled_from(ACTORS))
    def selection(self, actor: str) -> None:
        expected = self.predict(lambda: (self.check(actor), 0)[1])
        out = self.expect(expected, "selection", self.number, "--format", "json", actor=actor)
        if out:
            assert [r["person_id"] for r in json.loads(out)] == self.selections[actor]

    @rule(actor=st.sampled_from(ACTORS), right=st.sampled_from([IRIS, IRIS, "Bogus recht"]),
          context=st.sampled_from([*CONTEXTS, "Gast"]), begin=days, end=days, dmy=st.booleans())
    def assign_rule(self, actor: str, right: str, context: str, begin: date, end: date, dmy: bool) -> None:
        self.assign(actor, right, context, begin, end, dmy)

    def assign(self, actor: str, right: str, context: str, begin: date, end: date, dmy: bool) -> None:
        def outcome() -> int:
            self.check(actor)
            if not self.selections[actor]:
                raise Refused("empty-selection")
            if right != IRIS:
                raise Refused("unknown-right")
            if context not in CONTEXTS:
                raise Refused("unknown-context")
            if begin > end:
                raise Refused("period")
            return 1
        expected = self.predict(outcome)
        self.expect(expected, "assign", self.number, "--right", right, "--context", context,
                    "--begin", typed(begin, dmy), "--end", typed(end, not dmy), actor=actor)
        if not isinstance(expected, Refused):
            self.pending[actor] = (context, begin, end)

    @rule(actor=st.sampled_from(ACTORS))
    def confirm_rule(self, actor: str) -> None:
        self.confirm(actor)

    def confirm(self, actor: str) -> None:
        def outcome() -> int:
            self.check(actor)
            if self.pending[actor] is None:
                raise Refused("no-pending-assignment")
            if not self.selections[actor]:
                raise Refused("empty-selection")
            context, begin, end = self.pending[actor]
            for pid in self.selections[actor]:
                self.selectable(pid)
                if any(g.person_id == pid and g.context == context and g.overlaps(begin, end) for g in self.grants):
                    raise Refused("overlapping-grant")
            return 1
        expected = self.predict(outcome)
        self.expect(expected, "confirm", self.number, actor=actor)
        if not isinstance(expected, Refused):
            context, begin, end = self.pending[actor]
            for pid in self.selections[actor]:
                grant_id = f"{self.number}-{len(self.grants) + 1}"
                self.grants.append(ModelGrant(grant_id, pid, context, begin, end))
            self.selections[actor] = []
            self.pending[actor] = None

    @rule(actor=st.sampled_from(ADMINS), data=st.data(), context=st.sampled_from(CONTEXTS), begin=days,
          length=st.integers(0, 400))
    def whole_workflow(self, actor: str, data: st.DataObject, context: str, begin: date, length: int) -> None:
        """select, assign, confirm in a row: most of the time it grants."""
        active = [p for p, person in self.persons.items() if person["active"] and p not in self.selections[actor]]
        if not active:
            return
        wanted = data.draw(st.lists(st.sampled_from(active), min_size=1, max_size=3, unique=True))
        self.select_these(actor, wanted)
        end = min(begin + timedelta(days=length), WINDOW_LAST)
        self.assign(actor, IRIS, context, begin, end, dmy=False)
        self.confirm(actor)

    @rule(actor=st.sampled_from(ACTORS))
    def back(self, actor: str) -> None:
        """Terug: step 2 dropped, the selection kept."""
        def outcome() -> int:
            self.check(actor)
            if self.pending[actor] is None:
                raise Refused("no-pending-assignment")
            return 1
        expected = self.predict(outcome)
        self.expect(expected, "back", self.number, actor=actor)
        if not isinstance(expected, Refused):
            self.pending[actor] = None

    @rule(actor=st.sampled_from(ACTORS))
    def cancel(self, actor: str) -> None:
        """Annuleer: step 2 dropped and the selection emptied (one event for each that was there)."""
        def outcome() -> int:
            self.check(actor)
            if self.pending[actor] is None:
                raise Refused("no-pending-assignment")
            return 1 + bool(self.selections[actor])
        expected = self.predict(outcome)
        self.expect(expected, "cancel", self.number, actor=actor)
        if not isinstance(expected, Refused):
            self.pending[actor] = None
            self.selections[actor] = []

    @rule(actor=st.sampled_from(ACTORS))
    def selection_clear(self, actor: str) -> None:
        """Like cancel, but nothing to clear is no refusal (and records nothing)."""
        def outcome() -> int:
            self.check(actor)
            return (self.pending[actor] is not None) + bool(self.selections[actor])
        expected = self.predict(outcome)
        self.expect(expected, "selection", "clear", self.number, actor=actor)
        if not isinstance(expected, Refused):
            self.pending[actor] = None
            self.selections[actor] = []

    @rule(actor=st.sampled_from(ACTORS), data=st.data(), context=st.sampled_from([*CONTEXTS, "Gast"]), begin=days,
          end=days)
    def quick_grant(self, actor: str, data: st.DataObject, context: str, begin: date, end: date) -> None:
        """Snel recht toekennen: the rules of assign and confirm for one person; one event; the
        selection and step 2 stay."""
        active = [p for p, person in self.persons.items() if person["active"]]
        pid = data.draw(st.sampled_from(active) if active and data.draw(st.booleans()) else st.sampled_from(POOL))

        def outcome() -> int:
            self.check(actor)
            if context not in CONTEXTS:
                raise Refused("unknown-context")
            if begin > end:
                raise Refused("period")
            self.selectable(pid)
            if any(g.person_id == pid and g.context == context and g.overlaps(begin, end) for g in self.grants):
                raise Refused("overlapping-grant")
            return 1
        expected = self.predict(outcome)
        self.expect(expected, "grant", self.number, pid, "--right", "iris", "--context", context.lower(),
                    "--begin", begin.isoformat(), "--end", end.isoformat(), actor=actor)
        if not isinstance(expected, Refused):
            self.grants.append(ModelGrant(f"{self.number}-{len(self.grants) + 1}", pid, context, begin, end))

    def _acting_on_live(self, actor: str, pid: str, context: str | None) -> list[ModelGrant]:
        """What extend and revoke check first: the actor may act, and the person holds a live grant."""
        self.check(actor)
        live = self._live(pid, context)
        if not live:
            raise Refused("no-active-grant")
        return live

    def _live(self, pid: str, context: str | None) -> list[ModelGrant]:
        return [g for g in self.grants if g.person_id == pid and context in (None, g.context)
                and g.revoked_on is None and g.end >= self.today]

    @rule(actor=st.sampled_from(ACTORS), data=st.data(), new_end=days, dmy=st.booleans(),
          context=st.sampled_from([None, *CONTEXTS]))
    def extend(self, actor: str, data: st.DataObject, new_end: date, dmy: bool, context: str | None) -> None:
        pid = data.draw(st.sampled_from([g.person_id for g in self.grants] or list(POOL)))

        def outcome() -> int:
            live = self._acting_on_live(actor, pid, context)
            if len({g.context for g in live}) > 1:
                raise Refused("ambiguous-grant")
            grant = max(live, key=lambda g: g.end)
            if new_end <= grant.end:
                raise Refused("end-date-not-later")
            for other in self.grants:
                if (other is not grant and other.person_id == pid and other.context == grant.context
                        and other.overlaps(grant.end, new_end)):
                    raise Refused("overlapping-grant")
            if not self.persons.get(pid, {"active": True})["active"]:
                raise Refused("inactive-person")  # a leaver's right is not extended (docs/adr/0016)
            return 1
        expected = self.predict(outcome)
        args = ["extend", self.number, pid, "--right", IRIS, "--end", typed(new_end, dmy)]
        if context:
            args += ["--context", context]
        self.expect(expected, *args, actor=actor)
        if not isinstance(expected, Refused):
            max(self._live(pid, context), key=lambda g: g.end).end = new_end

    @rule(actor=st.sampled_from(ACTORS), data=st.data(), context=st.sampled_from([None, *CONTEXTS]))
    def revoke(self, actor: str, data: st.DataObject, context: str | None) -> None:
        pid = data.draw(st.sampled_from([g.person_id for g in self.grants] or list(POOL)))

        def outcome() -> int:
            return len(self._acting_on_live(actor, pid, context))
        expected = self.predict(outcome)
        args = ["revoke", self.number, pid, "--right", IRIS, "--reason", "left the school"]
        if context:
            args += ["--context", context]
        self.expect(expected, *args, actor=actor)
        if not isinstance(expected, Refused):
            for grant in self._live(pid, context):
                grant.revoked_on = self.today

    @rule(actor=st.sampled_from(ACTORS), rrn=st.sampled_from([*RRNS, "85073003329", "12345"]),
          first=st.sampled_from(["An", " "]))
    def support_worker_add(self, actor: str, rrn: str, first: str) -> None:
        def outcome() -> int:
            if rrn not in RRNS:
                raise Refused("national-number")
            self.check(actor)
            if not first.strip():  # checked before the key is touched
                raise Refused("person-name")
            if rrn in self.rrns:
                raise Refused("duplicate-support-worker")
            return 1
        expected = self.predict(outcome)
        out = self.expect(expected, "support-worker", "add", self.number, "--rrn", rrn, "--first-name", first,
                          "--last-name", "Peeters", "--reason", "speech therapist", actor=actor)
        if not isinstance(expected, Refused):
            pid = out.strip().splitlines()[-1]
            assert pid.startswith("OND-")
            self.rrns.add(rrn)
            self.support_workers.append(pid)
            self.persons[pid] = {"active": True, "sw": True}

    @precondition(lambda self: self.today < WINDOW_LAST - timedelta(days=200))
    @rule(n=st.integers(1, 120))
    def time_passes(self, n: int) -> None:
        self.frozen.tick(timedelta(days=n))
        self.now += timedelta(days=n)

    # -- read models --------------------------------------------------------

    @rule(day=days, dmy=st.booleans())
    def rights_on(self, day: date, dmy: bool) -> None:
        self.assert_rights(day, "--on", typed(day, dmy))

    @rule(day=days, within=st.integers(0, 400))
    def expiring(self, day: date, within: int) -> None:
        out = self.expect(0, "expiring", "--institution", self.number, "--on", day.isoformat(),
                          "--within", str(within), "--format", "json")
        got = sorted((r["person_id"], r["context"], r["begin"], r["end"], r["days_left"]) for r in json.loads(out))
        want = sorted(
            (g.person_id, g.context, g.begin.isoformat(), g.end.isoformat(), (g.end - day).days)
            for g in self.grants
            if day <= g.end <= day + timedelta(days=within) and not (g.revoked_on is not None and g.revoked_on <= day)
        )
        assert got == want, (got, want)

    def assert_rights(self, day: date, *args: str) -> None:
        out = self.expect(0, "rights", self.number, *args, "--format", "json")
        got = sorted((r["person_id"], r["context"], r["begin"], r["end"]) for r in json.loads(out))
        want = sorted((g.person_id, g.context, g.begin.isoformat(), g.end.isoformat())
                      for g in self.grants if g.held_on(day))
        assert got == want, (day, got, want)

    @invariant()
    def read_models_agree(self) -> None:
        if self.events == 0:
            return
        self.assert_rights(self.today)
        out = self.expect(0, "audit", self.number, "--format", "json")
        rows = json.loads(out)
        assert len(rows) == self.events, (len(rows), self.events)
        assert rows[0]["event"] == "InstitutionRegistered"
        assert [r["position"] for r in rows] == sorted(r["position"] for r in rows)


def test_random_command_sequences_agree_with_the_model(store_url: str, tmp_path: Path) -> None:
    machine = type("Machine", (GrantBookMachine,), {"store_url": store_url, "workdir": tmp_path})
    budget = BUDGET
    if not FUZZ and not store_url.startswith("sqlite:"):
        budget = settings(BUDGET, max_examples=1, stateful_step_count=30)  # the server store is slower per command
    run_state_machine_as_test(machine, settings=budget)
