"""Access reviews on the aggregate in memory (issue 24, docs/adr/0025): every rule, the three
policies for undecided items, grants that ended meanwhile, recurrence, and that closing revokes
nothing outside the review's items."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from story import IRIS, NUMBER, at, entry, granted, refused, school, staff

from grantbook.adapters.persistence import CanonicalJSONTranscoder, PydanticMapper
from grantbook.domain import Act, Institution, rules
from grantbook.domain.events import ReviewClosed, ReviewDecisionRecorded, ReviewStarted, RightsRevoked
from grantbook.domain.review_notices import review_notices_due
from grantbook.domain.review_report import review_rows, review_summary
from grantbook.domain.review_state import add_months
from grantbook.domain.snapshot import InstitutionSnapshot
from grantbook.domain.tasks import review_tasks

DUE = date(2026, 12, 20)


def on(day: date, actor: str = "jan", hour: int = 9) -> Act:
    return Act(actor, datetime(day.year, day.month, day.day, hour, tzinfo=UTC))


@pytest.fixture
def linde() -> Institution:
    """School 034793 (heads jan and mia, administrator piet) with IRIS for 90001-90004 and for jan
    himself (on the roster as a teacher too), granted on 30/11/2026 until 31/08/2027."""
    institution = school()
    institution.import_roster(at(3), [*staff(30), entry("80001", "Old", "Timer", "Inactief"), entry("jan", "Jan", "Peeters")])
    granted(institution, "90001", "90002", "90003", "90004", "jan", begin=date(2026, 11, 30))
    institution.collect_events()
    return institution


def outcomes(institution: Institution, review_id: str = "R1") -> dict[str, str]:
    review = institution.state.reviews[review_id]
    return {gid: o.outcome for gid, o in review.outcomes.items()}


# -- starting ---------------------------------------------------------------------------------------


def test_the_items_are_the_grants_in_scope_current_or_future_on_the_start_day_frozen_then(linde: Institution) -> None:
    granted(linde, "90005", begin=date(2027, 1, 1), end=date(2027, 6, 30))  # future: in it
    granted(linde, "90006", begin=date(2026, 11, 1), end=date(2026, 11, 29))  # ended: not in it
    linde.void(at(20), "034793-4", "wrong person")  # voided: never held, not in it
    review = linde.start_review(at(21), "Kwartaal", DUE, right="iris")
    assert review.review_id == "R1" and review.reviewers == ["jan", "mia", "piet"] and review.default_reviewers
    assert [i.grant_id for i in review.items] == ["034793-1", "034793-2", "034793-3", "034793-6", "034793-5"]
    granted(linde, "90007", begin=date(2026, 12, 1))  # granted after the start: not in it
    assert "034793-8" not in {i.grant_id for i in linde.state.reviews["R1"].items}
    [started] = [e for e in linde.collect_events() if isinstance(e, ReviewStarted)]
    assert len(started.items) == 5 and started.start == date(2026, 11, 30)


def test_a_review_of_one_right_and_context_leaves_the_others_out() -> None:
    institution = school()
    granted(institution, "90001", "90002")
    granted(institution, "90003", context="Operator")
    review = institution.start_review(at(7), "Operators", DUE, right="iris", context="operator")
    assert [i.grant_id for i in review.items] == ["034793-3"] and review.context == "Operator"
    every = institution.start_review(at(8), "Alles", DUE)
    assert len(every.items) == 3 and every.right is None and every.review_id == "R2"


def test_only_heads_start_and_reviewers_must_be_administrators(linde: Institution) -> None:
    refused(linde, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: linde.start_review(at(20, "piet"), "K", DUE))
    refused(linde, rules.NOT_AN_ADMINISTRATOR, lambda: linde.start_review(at(20, "90001"), "K", DUE))
    refused(linde, rules.REVIEWER_NOT_ADMINISTRATOR, lambda: linde.start_review(at(20), "K", DUE, reviewers=["piet", "90002"]))
    review = linde.start_review(at(20), "K", DUE, reviewers=["piet", "piet", "mia"])
    assert review.reviewers == ["piet", "mia"] and not review.default_reviewers


def test_the_settings_are_checked(linde: Institution) -> None:
    refused(linde, rules.REVIEW_NAME, lambda: linde.start_review(at(20), "  ", DUE))
    refused(linde, rules.REVIEW_DUE, lambda: linde.start_review(at(20), "K", date(2026, 11, 29)))
    refused(linde, rules.REVIEW_DUE, lambda: linde.start_review(at(20), "K", date(2027, 2, 28), every=3))
    refused(linde, rules.REVIEW_SETTING, lambda: linde.start_review(at(20), "K", DUE, if_undecided="maybe"))
    refused(linde, rules.REVIEW_SETTING, lambda: linde.start_review(at(20), "K", DUE, every=4))
    refused(linde, rules.EMPTY_REVIEW, lambda: linde.start_review(at(20), "K", DUE, right="iris", context="Beheerder"))
    refused(linde, rules.USAGE, lambda: linde.start_review(at(20), "K", DUE, context="Gebruiker"))
    assert linde.start_review(at(20), "K", date(2027, 2, 27), every=3).due == date(2027, 2, 27)


# -- deciding ---------------------------------------------------------------------------------------


def test_nobody_decides_on_their_own_right_and_several_items_are_all_or_nothing(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE)
    refused(linde, rules.OWN_RIGHT, lambda: linde.decide_review(at(21), "R1", ["034793-5"], "keep"))
    refusal = refused(linde, rules.OWN_RIGHT, lambda: linde.decide_review(at(21), "R1", ["034793-1", "034793-5"], "keep"))
    assert "034793-5" in refusal.message and "1 of 2" in refusal.message
    linde.decide_review(at(22, "mia"), "R1", ["034793-5", "034793-1"], "keep")
    assert set(linde.state.reviews["R1"].decisions) == {"034793-1", "034793-5"}


def test_only_the_reviewers_decide_on_items_of_the_review(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE, reviewers=["mia"])
    refused(linde, rules.NOT_A_REVIEWER, lambda: linde.decide_review(at(21, "piet"), "R1", ["034793-1"], "keep"))
    refused(linde, rules.NOT_AN_ADMINISTRATOR, lambda: linde.decide_review(at(21, "90001"), "R1", ["034793-2"], "keep"))
    refused(linde, rules.NOT_IN_REVIEW, lambda: linde.decide_review(at(21, "mia"), "R1", ["034793-99"], "keep"))
    refused(linde, rules.UNKNOWN_REVIEW, lambda: linde.decide_review(at(21, "mia"), "R7", ["034793-1"], "keep"))
    refused(linde, rules.REVIEW_SETTING, lambda: linde.decide_review(at(21, "mia"), "R1", ["034793-1"], "maybe"))
    linde.remove_administrator(at(22), "mia")
    refused(linde, rules.NOT_AN_ADMINISTRATOR, lambda: linde.decide_review(at(23, "mia"), "R1", ["034793-1"], "keep"))


def test_keep_needs_a_justification_when_the_review_says_so_and_the_last_decision_counts(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE, justify=True)
    refused(linde, rules.JUSTIFICATION_REQUIRED, lambda: linde.decide_review(at(21, "piet"), "r1", ["034793-1"], "keep", " "))
    linde.decide_review(at(21, "piet"), "r1", ["034793-1"], "revoke")  # revoke needs none
    linde.decide_review(at(22, "mia"), "R1", ["034793-1"], "keep", "teaches  the class")
    decision = linde.state.reviews["R1"].decisions["034793-1"]
    assert (decision.decision, decision.reviewer, decision.reason) == ("keep", "mia", "teaches the class")
    recorded = [e for e in linde.collect_events() if isinstance(e, ReviewDecisionRecorded)]
    assert [(e.actor, e.decision) for e in recorded] == [("piet", "revoke"), ("mia", "keep")]  # both stay


def test_a_closed_review_changes_no_more_and_only_heads_close(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE)
    refused(linde, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: linde.close_review(at(21, "piet"), "R1"))
    linde.close_review(at(22, "mia"), "R1")
    refused(linde, rules.REVIEW_CLOSED, lambda: linde.decide_review(at(23, "piet"), "R1", ["034793-1"], "revoke"))
    refused(linde, rules.REVIEW_CLOSED, lambda: linde.close_review(at(23), "R1"))
    assert linde.state.reviews["R1"].closed_by == "mia"


# -- closing ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("keep", {"034793-2": "kept", "034793-3": "kept", "034793-4": "kept"}),
        ("revoke", {"034793-2": "revoked", "034793-3": "revoked", "034793-4": "revoked"}),
        ("recommendation", {"034793-2": "kept", "034793-3": "revoked", "034793-4": "revoked"}),
    ],
)
def test_undecided_items_follow_the_review_s_policy(linde: Institution, policy: str, expected: dict[str, str]) -> None:
    """90003 becomes Inactief, 90004 leaves the roster: the recommendation is revoke for both."""
    linde.start_review(at(20), "Kwartaal", DUE, if_undecided=policy)
    linde.decide_review(at(21, "mia"), "R1", ["034793-1"], "revoke", "left")
    linde.decide_review(at(21, "mia"), "R1", ["034793-5"], "keep")
    roster = [e for e in staff(30) if e.person_id not in {"90003", "90004"}]
    linde.import_roster(at(22), [*roster, entry("90003", "First3", "Last3", "Inactief"), entry("jan", "Jan", "Peeters")])
    rows = {r["grant_id"]: r["recommendation"] for r in review_rows(linde.state, linde.state.reviews["R1"])}
    assert rows == {"034793-1": "keep", "034793-2": "keep", "034793-3": "revoke", "034793-4": "revoke", "034793-5": "keep"}
    linde.collect_events()
    linde.close_review(on(date(2026, 12, 10)), "R1")
    assert outcomes(linde) == {"034793-1": "revoked", "034793-5": "kept", **expected}
    events = linde.collect_events()
    assert isinstance(events[0], ReviewClosed) and all(isinstance(e, RightsRevoked) for e in events[1:])
    revoked = {g.grant_id for e in events[1:] for g in e.grants}
    assert revoked == {gid for gid, outcome in outcomes(linde).items() if outcome == "revoked"}
    for event in events[1:]:
        assert (event.reason, event.revoked_on) == ("Toegangsreview Kwartaal", date(2026, 12, 10))
    for gid in revoked:
        assert linde.state.grants[gid].last_day == date(2026, 12, 9)


def test_an_item_whose_grant_ended_meanwhile_is_reported_and_left_alone(linde: Institution) -> None:
    granted(linde, "90009", begin=date(2026, 11, 30), end=date(2026, 12, 5))
    linde.start_review(at(20), "K", DUE, if_undecided="revoke")
    linde.void(at(21), "034793-1", "wrong person")
    linde.revoke_grant(at(22), "034793-2", "left", first_day=date(2026, 12, 1))
    linde.revoke_grant(at(23), "034793-3", "leaves", first_day=date(2027, 1, 1))  # planned: still held
    linde.collect_events()
    linde.close_review(on(date(2026, 12, 10)), "R1")
    review = linde.state.reviews["R1"]
    notes = {gid: (o.outcome, o.note) for gid, o in review.outcomes.items()}
    assert notes["034793-1"] == ("already-ended", "voided")
    assert notes["034793-2"] == ("already-ended", "revoked from 2026-12-01")
    assert notes["034793-6"] == ("already-ended", "ended on 2026-12-05")
    assert notes["034793-3"] == ("revoked", None)  # moved earlier
    assert linde.state.grants["034793-2"].revoke_reason == "left"  # left alone
    assert linde.state.grants["034793-3"].revoked_on == date(2026, 12, 10)
    revoked = {g.grant_id for e in linde.collect_events() if isinstance(e, RightsRevoked) for g in e.grants}
    assert revoked == {"034793-3", "034793-4", "034793-5"}


# -- the scheduled run and recurrence --------------------------------------------------------------


def test_the_run_closes_past_due_and_starts_the_next_review_of_a_series_once(linde: Institution) -> None:
    linde.start_review(at(20), "Kwartaal", date(2026, 12, 31), right="iris", every=3, if_undecided="revoke",
                       reviewers=["mia"], justify=True)
    linde.decide_review(at(21, "mia"), "R1", ["034793-1", "034793-2", "034793-3", "034793-4", "034793-5"], "keep", "ok")
    linde.decide_review(at(21, "mia"), "R1", ["034793-4"], "revoke")
    assert linde.run_reviews(on(date(2026, 12, 31), "notifier"), date(2026, 12, 31)) == linde.run_reviews(
        on(date(2026, 12, 31), "notifier"), date(2026, 12, 31)
    )  # on the due date: nothing
    refused(linde, rules.REVIEW_NOT_DUE, lambda: linde.close_due_review(on(date(2026, 12, 31)), "R1", date(2026, 12, 31)))
    done = linde.run_reviews(on(date(2027, 1, 1), "notifier"), date(2027, 1, 1))
    assert [r.review_id for r in done.closed] == ["R1"] and done.started == []
    review = linde.state.reviews["R1"]
    assert review.closed_by == "notifier" and review.scheduled and review.closed_on == date(2027, 1, 1)
    assert outcomes(linde)["034793-4"] == "revoked" and outcomes(linde)["034793-1"] == "kept"
    granted(linde, "90010", begin=date(2027, 1, 2))  # granted later: in the next review
    refused(linde, rules.REVIEW_NOT_DUE, lambda: linde.start_next_review(on(date(2027, 2, 27)), "R1", date(2027, 2, 27)))
    assert linde.run_reviews(on(date(2027, 2, 27), "notifier"), date(2027, 2, 27)).started == []
    done = linde.run_reviews(on(date(2027, 2, 28), "notifier"), date(2027, 2, 28))
    [nxt] = done.started
    assert (nxt.review_id, nxt.name, nxt.follows, nxt.series) == ("R2", "Kwartaal", "R1", "R1")
    assert (nxt.start, nxt.due, nxt.every, nxt.if_undecided, nxt.justify, nxt.reviewers) == (
        date(2027, 2, 28), date(2027, 3, 31), 3, "revoke", True, ["mia"]
    )
    assert "034793-4" not in {i.grant_id for i in nxt.items} and "034793-6" in {i.grant_id for i in nxt.items}
    assert linde.state.reviews["R1"].followed_by == "R2"
    assert linde.run_reviews(on(date(2027, 3, 1), "notifier"), date(2027, 3, 1)).started == []  # never two
    refused(linde, rules.REVIEW_NOT_DUE, lambda: linde.start_next_review(on(date(2027, 3, 1)), "R1", date(2027, 3, 1)))
    done = linde.run_reviews(on(date(2027, 6, 1), "notifier"), date(2027, 6, 1))  # R2 past due, R3's day has come
    assert [r.review_id for r in done.closed] == ["R2"] and [r.review_id for r in done.started] == ["R3"]
    r3 = linde.state.reviews["R3"]
    assert (r3.start, r3.due, r3.follows, r3.series) == (date(2027, 5, 28), date(2027, 6, 28), "R2", "R1")


def test_a_run_that_comes_late_gives_the_reviewers_the_whole_length(linde: Institution) -> None:
    linde.start_review(at(20), "Half", date(2026, 12, 14), every=6)
    linde.run_reviews(on(date(2026, 12, 15)), date(2026, 12, 15))
    [late] = linde.run_reviews(on(date(2027, 7, 10)), date(2027, 7, 10)).started
    assert (late.start, late.due) == (date(2027, 5, 30), date(2027, 7, 24))  # 14 days from the run


def test_the_run_never_closes_from_a_day_before_today(linde: Institution) -> None:
    linde.start_review(at(20), "K", date(2026, 12, 1))
    refused(linde, rules.REVOKE_DATE, lambda: linde.run_reviews(on(date(2026, 12, 5)), date(2026, 12, 2)))


def test_months_are_added_to_the_last_day_of_shorter_months() -> None:
    assert add_months(date(2027, 1, 31), 3) == date(2027, 4, 30)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2027, 12, 15), 12) == date(2028, 12, 15)


# -- tasks, notices, the list, snapshots ---------------------------------------------------------------


def test_a_reviewer_s_task_counts_what_is_left_for_them(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE, reviewers=["jan", "piet"])
    linde.decide_review(at(21, "piet"), "R1", ["034793-1", "034793-2"], "keep")
    [task] = review_tasks(linde.state, "jan")
    assert (task.kind, task.review_id, task.selected, task.due) == ("review", "R1", 3 - 1, DUE)  # his own left out
    assert review_tasks(linde.state, "piet")[0].selected == 3
    assert review_tasks(linde.state, "mia") == []
    assert review_summary(linde.state.reviews["R1"]) == {
        "id": "R1", "name": "K", "status": "open", "due": "2026-12-20", "items": 5, "decided": 2
    }
    linde.close_review(at(22), "R1")
    assert review_tasks(linde.state, "jan") == []


def test_reviewers_are_told_at_the_start_and_7_and_1_days_before_the_due_date_once(linde: Institution) -> None:
    linde.record_email(at(20), "jan", "jan@delinde.example")
    linde.record_email(at(20, "piet"), "piet", "piet@delinde.example")
    linde.start_review(at(21), "K", DUE, reviewers=["jan", "piet", "mia"])

    def due(day: date) -> list[tuple[str, int | None]]:
        return [(n.person_id, n.threshold) for n in review_notices_due(linde.state, day)]

    def send(day: date) -> None:
        for notice in review_notices_due(linde.state, day):
            assert linde.record_review_notice(on(day), notice, day)

    assert due(date(2026, 11, 30)) == [("jan", None), ("piet", None)]  # mia has no address
    assert linde.reviewers_without_address(date(2026, 11, 30)) == ["mia"]
    send(date(2026, 11, 30))
    assert due(date(2026, 12, 1)) == [] and due(date(2026, 12, 12)) == []
    assert due(date(2026, 12, 13)) == [("jan", 7), ("piet", 7)]
    send(date(2026, 12, 13))
    assert due(date(2026, 12, 18)) == []
    assert due(date(2026, 12, 19)) == [("jan", 1), ("piet", 1)]
    send(date(2026, 12, 19))
    assert due(date(2026, 12, 20)) == [] and due(date(2026, 12, 21)) == []


def test_a_reviewer_appointed_late_gets_the_nearest_notice_only(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE)
    linde.record_email(at(21), "mia", "mia@delinde.example")
    [notice] = review_notices_due(linde.state, date(2026, 12, 15))
    assert (notice.person_id, notice.threshold, notice.days_left, notice.left, notice.items) == ("mia", 7, 5, 5, 5)


def test_a_snapshot_keeps_the_reviews(linde: Institution) -> None:
    mapper = PydanticMapper(transcoder=CanonicalJSONTranscoder())
    linde.start_review(at(20), "K", DUE)
    linde.decide_review(at(21, "mia"), "R1", ["034793-1"], "revoke", "left")
    linde.close_review(at(22), "R1")
    loaded = mapper.to_domain_event(mapper.to_stored_event(InstitutionSnapshot.take(linde))).mutate(None)
    assert loaded.state == linde.state and loaded.state.reviews["R1"].outcomes["034793-1"].outcome == "revoked"


def test_a_state_written_before_reviews_still_validates(linde: Institution) -> None:
    dumped = linde.state.model_dump(mode="json")
    del dumped["reviews"]
    assert type(linde.state).model_validate(dumped).reviews == {}


# -- closing never revokes a grant outside the review's items ------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    holders=st.lists(st.sampled_from(["90001", "90002", "90003", "90004", "90005", "80001"]), min_size=1, max_size=5),
    later=st.lists(st.sampled_from(["90006", "90007", "90008"]), max_size=3, unique=True),
    decisions=st.lists(st.tuples(st.integers(0, 9), st.sampled_from(["keep", "revoke"])), max_size=8),
    policy=st.sampled_from(["keep", "revoke", "recommendation"]),
    context=st.sampled_from([None, "Gebruiker"]),
)
def test_closing_never_revokes_a_grant_outside_the_review_s_items(
    holders: list[str], later: list[str], decisions: list[tuple[int, str]], policy: str, context: str | None
) -> None:
    institution = school()
    active = sorted({h for h in holders if h != "80001"})
    if not active:
        return
    granted(institution, *active)
    granted(institution, "90020", context="Operator")
    institution.start_review(at(20), "K", DUE, right=IRIS, context=context, if_undecided=policy)
    items = [i.grant_id for i in institution.state.reviews["R1"].items]
    for pid in later:
        granted(institution, pid, begin=date(2026, 12, 2))
    for index, decision in decisions:
        institution.decide_review(at(21, "piet"), "R1", [items[index % len(items)]], decision)
    before = {gid: (g.revoked_on, g.revoke_reason) for gid, g in institution.state.grants.items()}
    institution.close_review(at(22), "R1")
    for gid, grant in institution.state.grants.items():
        if gid not in items:
            assert (grant.revoked_on, grant.revoke_reason) == before[gid]
    assert NUMBER == institution.state.number


def test_closing_as_the_last_ends_the_series_and_a_preview_records_nothing(linde: Institution) -> None:
    linde.start_review(at(20), "K", DUE, every=3, if_undecided="revoke")
    linde.decide_review(at(21, "mia"), "R1", ["034793-1"], "keep")
    refused(linde, rules.NOT_A_HEAD_ADMINISTRATOR, lambda: linde.close_preview(at(22, "piet"), "R1"))
    before = (linde.version, len(linde.pending_events))
    preview = {i.grant_id: i.outcome for i in linde.close_preview(at(22), "R1")}
    assert (linde.version, len(linde.pending_events)) == before
    assert preview == {"034793-1": "kept", "034793-2": "revoked", "034793-3": "revoked", "034793-4": "revoked",
                       "034793-5": "revoked"}
    linde.close_review(at(22), "R1", ends_series=True)
    assert outcomes(linde) == preview
    assert linde.run_reviews(on(date(2027, 3, 1)), date(2027, 3, 1)).started == []
    refused(linde, rules.REVIEW_NOT_DUE, lambda: linde.start_next_review(on(date(2027, 3, 1)), "R1", date(2027, 3, 1)))
