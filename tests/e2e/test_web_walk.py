"""Issue 20's acceptance walk: every page a school secretary uses, on the demo school of ``make web``
(``grantbook demo --serve``, a real server on a real store), in real Chromium at 1,280 and at 390
pixels wide. On each page: no sideways scroll, no English words, no rule code, every date dd/mm/jjjj,
no serious or critical axe-core violation; on phones, tap targets of at least 44 pixels; at 1,280,
every row's actions on the rights table visible without scrolling sideways.

The walk does not stop at the first problem: it collects every problem, each naming the page, the
width and the offending text, and fails once at the end with the whole list. A step it cannot take
(a button gone, a page that answers 500) is a problem too, and the walk goes on with the next page.

With ``GRANTBOOK_SCREENSHOTS=1`` it also saves the main pages as docs/screenshots/<page>-<width>.png
(the README links them): ``GRANTBOOK_SCREENSHOTS=1 python -m pytest tests/e2e/test_web_walk.py``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import ARTIFACTS, SERIOUS
from playwright.sync_api import Browser, Page
from test_end_to_end import grantbook_command

import grantbook.domain.rules as rules
from grantbook.cli.demo import DEMO_RRN, NUMBER, STAFF
from grantbook.domain import EVENT_CLASSES

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)
PHONE = 640  # at most this wide: the phone layout (web/static/style.css)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# The walk's page name -> the screenshot's name in docs/screenshots (the main pages only).
MAIN_PAGES = {
    "start": "start",
    "toekennen-selectie": "toekennen",
    "stap-2": "stap-2",
    "stap-3": "stap-3",
    "rechten": "rechten",
    "vervallende-rechten": "vervallende-rechten",
    "audit": "audit",
    "stap-2-foute-datum": "weigering",
}
DOC_SHOT_HEIGHT = 1600  # a README screenshot shows the top of a long page
OTHER_RRN = "01.01.01-123.01"  # valid check digits (born in 2001), not a real person's; not in the demo

# English a person must not meet on a page (whole words, any case).
ENGLISH = (
    "person",
    "persons",
    "grant",
    "grants",
    "granted",
    "right",
    "rights",
    "details",
    "error",
    "errors",
    "reason",
    "rule",
    "none",
    "true",
    "false",
    "null",
    "undefined",
    "expiring",
    "expired",
    "revoked",
    "voided",
    "pending",
    "selection",
    "selected",
    "step",
    "confirm",
    "confirmed",
    "cancel",
    "submit",
    "search",
    "warning",
    "leaver",
    "leavers",
    "worker",
    "institution",
    "until",
    "days left",
    "not found",
    "forbidden",
    "internal server error",
    "field required",
    "value error",
    "missing",
    "invalid",
)
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.IGNORECASE)
CODES = sorted(
    {v for k, v in vars(rules).items() if k.isupper() and isinstance(v, str)}, key=len, reverse=True
)
HYPHENATED_CODE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(c) for c in CODES if "-" in c) + r")(?![\w-])"
)
SINGLE_CODE_RE = re.compile(r"\((" + "|".join(re.escape(c) for c in CODES if "-" not in c) + r")\)")
EVENT_NAME_RE = re.compile(r"\b(" + "|".join(sorted(EVENT_CLASSES, key=len, reverse=True)) + r")\b")
TECHNICAL_RE = re.compile(
    r"\bOND-[0-9a-f]{8,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b|\b[0-9a-f]{16,}\b"
)
ISO_DATE_RE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SLASH_DATE_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")

NAMES = {pid: f"{first} {last}" for pid, first, last, *_ in STAFF}
THREE = ("90005", "90006", "90007")  # Nathalie Wuyts, Pieter De Smet, Hanne Goossens: no right yet
HOLDS_IRIS = "90002"  # Koen Maes: IRIS until 20 days from today
REVOKE = "90003"  # Sofie Jacobs
QUICK = "90008"  # Wout Vermeulen: granted through Snel recht toekennen, then declared void
CANCELLED = "90009"  # Fien Willems: chosen, then Annuleer at Stap 3
OVERLAP_QUICK = "90001"  # Els Peeters: IRIS until the end of the school year


def brussels_today() -> date:
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def end_of_school_year(today: date) -> date:
    return date(today.year if today.month < 9 else today.year + 1, 8, 31)


def snippet(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 30) : end + 30].replace("\n", " ⏎ ") + "…"


# -- one helper per assertion: each returns the problems it finds on the page as it stands -------------


def sideways_scroll(page: Page) -> list[str]:
    found = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const scroll = document.documentElement.scrollWidth;
            if (scroll <= width) return null;
            const wide = [...document.body.querySelectorAll('*')].filter(e => {
                const r = e.getBoundingClientRect();
                return r.width > 0 && r.right > width + 1;
            });
            const deepest = wide.filter(e => !wide.some(o => o !== e && e.contains(o)));
            return {width, scroll, culprits: deepest.slice(0, 5).map(e =>
                `<${e.tagName.toLowerCase()}${e.className ? ' class="' + e.className + '"' : ''}> `
                + `(right edge ${Math.round(e.getBoundingClientRect().right)}px) `
                + JSON.stringify((e.innerText || e.value || '').slice(0, 60)))};
        }"""
    )
    inner = page.evaluate(
        """() => window.innerWidth > 640 ? [] : [...document.querySelectorAll('main *')].filter(e => {
                const style = getComputedStyle(e);
                return ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
            }).slice(0, 3).map(e =>
                `<${e.tagName.toLowerCase()} class="${e.className}"> scrolls sideways inside: `
                                   + `${e.scrollWidth}px in ${e.clientWidth}px`)"""
    )
    if not found:
        return list(inner)
    return list(inner) + [
        f"scrolls sideways: {found['scroll']}px wide in a {found['width']}px window; too wide: "
        + "; ".join(found["culprits"])
    ]


def visible_text(page: Page) -> str:
    """What a person reads or hears: the page's text, its title, and the names and hints screen
    readers announce (aria-label, title, placeholder, alt)."""
    return page.evaluate(  # type: ignore[no-any-return]
        """() => [document.title, document.body.innerText,
                  ...[...document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')].map(e =>
                      ['aria-label', 'title', 'placeholder', 'alt']
                          .map(a => e.getAttribute(a) || '').join(' '))
                 ].join(String.fromCharCode(10))"""
    )


def english_words(text: str) -> list[str]:
    problems = [
        f"English word {m.group(0)!r}: {snippet(text, m.start(), m.end())}" for m in ENGLISH_RE.finditer(text)
    ]
    problems += [
        f"event name {m.group(0)!r}: {snippet(text, m.start(), m.end())}"
        for m in EVENT_NAME_RE.finditer(text)
    ]
    return problems


def technical_ids(text: str) -> list[str]:
    """Hashes, UUIDs and the internal ids of support workers (OND-...) are for the log, not for a person."""
    return [
        f"technical id {m.group(0)!r}: {snippet(text, m.start(), m.end())}"
        for m in TECHNICAL_RE.finditer(text)
    ]


def rule_codes(text: str) -> list[str]:
    found = list(HYPHENATED_CODE_RE.finditer(text)) + list(SINGLE_CODE_RE.finditer(text))
    return [f"rule code {m.group(1)!r}: {snippet(text, m.start(), m.end())}" for m in found]


def dates(page: Page, text: str) -> list[str]:
    problems = [
        f"ISO date {m.group(0)!r}: {snippet(text, m.start(), m.end())}" for m in ISO_DATE_RE.finditer(text)
    ]
    problems += [
        f"date not dd/mm/jjjj {m.group(0)!r}: {snippet(text, m.start(), m.end())}"
        for m in SLASH_DATE_RE.finditer(text)
        if len(m.group(1)) != 2 or len(m.group(2)) != 2
    ]
    values = page.evaluate(
        """() => [...document.querySelectorAll(  // a refused field keeps what was typed: not the page's date
                  'input:not([type=hidden]):not([type=checkbox]):not([aria-invalid=true])')]
                  .map(i => [i.name, i.type, i.value])"""
    )
    for name, kind, value in values:
        if kind != "date" and (
            ISO_DATE_RE.search(value)
            or (SLASH_DATE_RE.search(value) and not re.fullmatch(r"\d{2}/\d{2}/\d{4}", value.strip()))
        ):
            problems.append(f"field {name!r} holds a date not as dd/mm/jjjj: {value!r}")
    return problems


_axe = Axe()


def accessibility(page: Page) -> list[str]:
    results = _axe.run(page)
    return [
        f"axe {v['impact']} {v['id']}: {v['help']} " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def tap_targets(page: Page) -> list[str]:
    """On phones: every visible button and checkbox at least 44px tall (and 44px wide for checkboxes
    and the small + and – buttons)."""
    small = page.evaluate(
        """() => [...document.querySelectorAll(
                'main button, main input[type=submit], main a.button, main input[type=checkbox], '
                + 'header button')]
            .filter(e => { const r = e.getBoundingClientRect(); return r.width > 2 && r.height > 2; })
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.height < 44 || (e.type === 'checkbox' && r.width < 44); })
            .map(e => { const r = e.getBoundingClientRect();
                        const name = JSON.stringify(
                            e.innerText || e.getAttribute('aria-label') || e.id || '');
                        const size = `${Math.round(r.width)}x${Math.round(r.height)}px`;
                        return `${e.tagName.toLowerCase()} ${name} ${size}`;
                      })"""
    )
    return [f"tap target smaller than 44px: {s}" for s in small[:8]]


def rights_actions_in_view(page: Page) -> list[str]:
    """At desktop width: the actions of every row of the rights table without scrolling sideways."""
    found = page.evaluate(
        """() => {
            const width = window.innerWidth;
            const out = [];
            for (const box of document.querySelectorAll('.table-scroll')) {
                if (box.scrollWidth > box.clientWidth + 1)
                    out.push('the table scrolls sideways inside its box: '
                             + `${box.scrollWidth}px in ${box.clientWidth}px`);
            }
            const links = [...document.querySelectorAll('main table a')].filter(a =>
                /^(Verleng|Trek in|Ongeldig)/.test(a.innerText.trim()));
            if (!links.length) out.push('no Verleng, Trek in or Ongeldig verklaren link in the table');
            for (const a of links) {
                const r = a.getBoundingClientRect();
                if (r.right > width || r.left < 0)
                    out.push(`${JSON.stringify(a.innerText.trim())} at `
                             + `${Math.round(r.left)}-${Math.round(r.right)}px, window ${width}px`);
            }
            return out.slice(0, 5);
        }"""
    )
    return [f"rights actions: {f}" for f in found]


@dataclass
class Walk:
    page: Page
    width: int
    base: str
    login: str  # the sign-in link's path and query (/login?token=...)
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    links: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (first URL seen, on which page)
    status: int = 200
    save_screenshots: bool = False

    def report(self, name: str, problem: str) -> None:
        self.problems.append(f"[{name} @ {self.width}px] {problem}")

    def check(
        self, name: str, *, refusal: bool = False, rights: bool = False, expect: str | None = None
    ) -> None:
        """Every assertion on the page as it stands, collected under ``name``."""
        page = self.page
        self.visited.append(name)
        self.urls.append(page.url)
        folder = ARTIFACTS / "walk"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-{self.width}.png"), full_page=True)
        if self.save_screenshots and name in MAIN_PAGES:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            height = min(page.evaluate("() => document.documentElement.scrollHeight"), DOC_SHOT_HEIGHT)
            page.screenshot(
                path=str(SCREENSHOTS / f"{MAIN_PAGES[name]}-{self.width}.png"),
                full_page=True,
                clip={"x": 0, "y": 0, "width": self.width, "height": height},
            )
        for href in page.locator("a[href]:not([download])").evaluate_all("links => links.map(a => a.href)"):
            path = href.split("#")[0]
            if path.startswith(self.base) and not re.search(
                r"\.(csv|xlsx)(\?|$)|/(login|afmelden|oidc)", path
            ):
                self.links.setdefault(
                    path.removeprefix(self.base).split("?")[0], (path.removeprefix(self.base), name)
                )
        if self.status >= 500:
            self.report(name, f"the page answered {self.status} ({page.url})")
        text = visible_text(page)
        if expect is not None and expect not in text:
            self.report(name, f"expected the text {expect!r}, not on the page ({page.url})")
        if refusal and page.locator('[role="alert"]').count() == 0:
            self.report(
                name, f"expected a refusal (role=alert), none shown ({page.url}, status {self.status})"
            )
        found = (
            sideways_scroll(page)
            + english_words(text)
            + rule_codes(text)
            + technical_ids(text)
            + dates(page, text)
        )
        found += accessibility(page)
        if self.width <= PHONE:
            found += tap_targets(page)
        if rights and self.width > PHONE:
            found += rights_actions_in_view(page)
        for problem in found:
            self.report(name, problem)

    def step(self, name: str, action: Callable[[], None]) -> bool:
        """Runs one step of the walk; a step that cannot be taken is a problem, and the walk goes on."""
        try:
            action()
            return True
        except Exception as error:  # noqa: BLE001 - every failure is reported with the page it hit
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            self.report(name, "could not walk this step: " + " | ".join(lines[:3])[:400])
            return False

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        self.status = response.status if response else 0

    def submit(self, button: str | re.Pattern[str], exact: bool = True) -> None:
        """Clicks a button (by its accessible name) and waits for the page it leads to."""
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("button", name=button, exact=exact).first.click()
        response = navigation.value
        self.status = response.status if response else 0

    def follow(self, link: str | re.Pattern[str]) -> None:
        with self.page.expect_navigation() as navigation:
            self.page.get_by_role("link", name=link).first.click()
        response = navigation.value
        self.status = response.status if response else 0

    def fill(self, name: str, value: str) -> None:
        self.page.locator(f'[name="{name}"]:visible').first.fill(value)


# -- the server: the demo school of `make web` ----------------------------------------------------------


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """``grantbook demo --serve`` on a fresh store: (base URL, sign-in link)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRANTBOOK_")}
    env["PYTHONUNBUFFERED"] = "1"
    env["GRANTBOOK_KEY_FILE"] = str(tmp_path / "demo.key")
    process = subprocess.Popen(
        [
            *grantbook_command(),
            "--store",
            f"sqlite:///{tmp_path / 'demo.db'}",
            "demo",
            "--serve",
            "--port",
            "0",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    printed: list[str] = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line)
            if line.startswith("open http://127.0.0.1:"):
                break
        link = printed[-1].split(" ", 1)[1].strip() if printed else ""
        assert link.startswith("http://127.0.0.1:"), "".join(printed)
        yield link.split("/login")[0], link
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
        # What the server said (a 500's traceback, with its request id), for whoever reads the failures.
        (ARTIFACTS / "walk").mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "walk" / "server.log").write_text("".join(printed) + (rest or ""), encoding="utf-8")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_at_phone_and_desktop_width(
    demo_server: tuple[str, str], browser: Browser, width: int
) -> None:
    base, link = demo_server
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > PHONE else 844}, locale="nl-BE"
    )
    context.set_default_timeout(8_000)
    page = context.new_page()
    walk = Walk(
        page,
        width,
        base,
        link.removeprefix(base),
        save_screenshots=bool(os.environ.get("GRANTBOOK_SCREENSHOTS")),
    )
    try:
        walk_every_page(walk)
    finally:
        context.close()
    assert len(walk.visited) >= 30, walk.visited
    assert not walk.problems, f"{len(walk.problems)} problems at {width}px:\n" + "\n".join(walk.problems)


def walk_every_page(walk: Walk) -> None:  # noqa: PLR0915 - one walk, page after page
    page = walk.page
    today = brussels_today()
    year_end = end_of_school_year(today)
    n = f"/instellingen/{NUMBER}"

    # Sign in, the start page, Mijn taken, the institution's own page.
    assert walk.step("start", lambda: walk.go(walk.login)), walk.problems
    walk.check("start", expect="Rechten beheren")
    if walk.step("mijn-taken", lambda: walk.go("/taken")):
        walk.check("mijn-taken", expect="Mijn taken")
    if walk.step("instelling", lambda: walk.go(n)):
        walk.check("instelling")

    # Vervallende rechten as the demo school starts: three rights end within 30 days.
    if walk.step("vervallende-rechten", lambda: walk.go("/vervallend")):
        walk.check("vervallende-rechten", expect="Koen")

    # Every task's link on Mijn taken leads to a page that does the task (no refusal, no error).
    def task_links() -> None:
        walk.go("/taken")
        links = page.locator("main table a").evaluate_all(
            "links => links.map(a => [a.innerText.replace(/\\s+/g, ' ').trim(), a.getAttribute('href')])"
        )
        if not links:
            walk.report("mijn-taken", "no task links in the table")
        for i, (text, href) in enumerate(links, 1):
            name = f"taak-{i}"
            walk.go(href)
            if walk.status >= 400 or page.locator('[role="alert"]').count():
                walk.report(
                    name,
                    f"the task's link {text!r} ({href}) answered {walk.status}"
                    + (
                        " with a refusal: " + page.locator('[role="alert"]').first.inner_text()[:200]
                        if page.locator('[role="alert"]').count()
                        else ""
                    ),
                )
            walk.check(name)

    walk.step("mijn-taken-links", task_links)

    # Toekennen meerdere personen: search, the list, three colleagues, Stap 2 (refused, then right),
    # Stap 3, Bevestig.
    def search() -> None:
        walk.go("/toekennen")
        walk.check("toekennen-zoeken")
        walk.fill("instellingsnummer", NUMBER)
        walk.submit("Zoek")

    if walk.step("toekennen-zoeken", search):
        walk.check("toekennen-lijst", expect="Nathalie Wuyts")

    def pick_three() -> None:
        if page.locator(f"#vink-{THREE[0]}").count():
            for pid in THREE:
                page.locator(f"#vink-{pid}").check()
            walk.submit("Voeg toe aan selectie")
        else:
            for pid in THREE:
                walk.submit(f"Selecteer {NAMES[pid]}")

    if walk.step("toekennen-selectie", pick_three):
        walk.check("toekennen-selectie", expect="3 van 25")

    def bad_date() -> None:
        walk.follow("Ken gebruikersrecht toe")
        walk.check("stap-2")
        walk.fill("begindatum", dmy(today))
        walk.fill("einddatum", "31/02/" + str(year_end.year))
        walk.submit("Verder")

    if walk.step("stap-2-foute-datum", bad_date):
        walk.check("stap-2-foute-datum", refusal=True)

    def period(begin: date, end: date) -> Callable[[], None]:
        def run() -> None:
            walk.fill("begindatum", dmy(begin))
            walk.fill("einddatum", dmy(end))
            walk.submit("Verder")

        return run

    if walk.step("stap-2-einde-voor-begin", period(today, today - timedelta(days=1))):
        walk.check("stap-2-einde-voor-begin", refusal=True)
    if walk.step("stap-2-te-lang", period(today, today + timedelta(days=5 * 366))):
        walk.check("stap-2-te-lang", refusal=True)
    if walk.step("stap-3", period(today, year_end)):
        walk.check("stap-3", expect="Bevestig")
    if walk.step("stap-3-terug", lambda: walk.submit("Terug")):
        walk.check("stap-3-terug", expect=NAMES[THREE[0]])
        if page.locator('[name="einddatum"]').count() and page.locator(
            '[name="einddatum"]'
        ).first.input_value() != dmy(year_end):
            walk.report("stap-3-terug", "Terug from Stap 3 lost the end date typed at Stap 2")
    walk.step("stap-3-opnieuw", period(today, year_end))

    def waiting_list() -> None:
        walk.go(f"{n}/toekennen")
        walk.check("toekennen-wacht", expect="Toekenning wacht op bevestiging")
        walk.follow("Naar stap 3")

    walk.step("toekennen-wacht", waiting_list)
    if walk.step("bevestigd", lambda: walk.submit("Bevestig")):
        walk.check("bevestigd", expect=NAMES[THREE[0]])

    # An overlap at Stap 2: Koen Maes holds IRIS already.
    def overlap() -> None:
        walk.go(f"{n}/toekennen")
        if page.locator(f"#vink-{HOLDS_IRIS}").count():
            page.locator(f"#vink-{HOLDS_IRIS}").check()
            walk.submit("Voeg toe aan selectie")
        else:
            walk.submit(f"Selecteer {NAMES[HOLDS_IRIS]}")
        walk.follow("Ken gebruikersrecht toe")
        walk.fill("begindatum", dmy(today))
        walk.fill("einddatum", dmy(year_end))
        walk.submit("Verder")

    if walk.step("stap-2-overlap", overlap):
        walk.check("stap-2-overlap", refusal=True, expect=NAMES[HOLDS_IRIS])

    if walk.step(
        "stap-2-haal-uit-selectie", lambda: walk.submit(re.compile("^Haal .* uit de selectie$"), exact=False)
    ):
        walk.check("stap-2-haal-uit-selectie")

    def clear() -> None:
        walk.go(f"{n}/toekennen")
        if page.get_by_role("button", name="Selectie leegmaken").count():
            walk.submit("Selectie leegmaken")

    walk.step("selectie-leegmaken", clear)

    # Annuleer at Stap 3 (Fien Willems), the period chosen with "Tot het einde van het schooljaar".
    def school_year() -> None:
        walk.go(f"{n}/toekennen")
        if page.locator(f"#vink-{CANCELLED}").count():
            page.locator(f"#vink-{CANCELLED}").check()
            walk.submit("Voeg toe aan selectie")
        else:
            walk.submit(f"Selecteer {NAMES[CANCELLED]}")
        walk.follow("Ken gebruikersrecht toe")
        walk.fill("begindatum", dmy(today))
        walk.submit(re.compile("^Tot het einde van het schooljaar"), exact=False)

    if walk.step("stap-3-schooljaar", school_year):  # the button goes on to Stap 3 at once
        walk.check("stap-3-schooljaar", expect=dmy(year_end))

    def cancel() -> None:
        if page.get_by_role("button", name="Verder", exact=True).count():
            walk.submit("Verder")
        walk.submit("Annuleer")

    if walk.step("geannuleerd", cancel):
        walk.check("geannuleerd")

    # Snel recht toekennen: an overlap (Els Peeters), then Wout Vermeulen.
    def quick(person: str) -> Callable[[], None]:
        def run() -> None:
            walk.go(f"{n}/snel-toekennen")
            if person == OVERLAP_QUICK:
                walk.check("snel-toekennen")
            page.locator('select[name="persoon"]').select_option(person)
            recht = page.locator('select[name="recht"]')
            if recht.count():
                recht.select_option(label="IRIS-Platform (Leerlingenpaspoort) Gebruiker")
            context = page.locator('select[name="context"]')
            if context.count():
                context.select_option("Gebruiker")
            walk.fill("begindatum", dmy(today))
            walk.fill("einddatum", dmy(year_end))
            walk.submit("Ken toe")

        return run

    if walk.step("snel-toekennen-overlap", quick(OVERLAP_QUICK)):
        walk.check("snel-toekennen-overlap", refusal=True)
    if walk.step("snel-toegekend", quick(QUICK)):
        walk.check("snel-toegekend", expect=NAMES[QUICK])

    # Voeg gebruiker toe: without a reason (refused), then with one.
    def support_worker(reason: str) -> Callable[[], None]:
        def run() -> None:
            if not reason:
                walk.go(f"{n}/gebruiker-toevoegen")
                walk.check("voeg-gebruiker-toe")
            walk.fill("rijksregisternummer", OTHER_RRN)
            walk.fill("voornaam", "Jana")
            walk.fill("achternaam", "Van Damme")
            walk.fill("reden", reason)
            walk.submit("Voeg gebruiker toe")

        return run

    if walk.step("voeg-gebruiker-toe-zonder-reden", support_worker("")):
        walk.check("voeg-gebruiker-toe-zonder-reden", refusal=True)

    def wrong_number(number: str) -> Callable[[], None]:
        def run() -> None:
            walk.fill("rijksregisternummer", number)
            walk.fill("voornaam", "Jana")
            walk.fill("achternaam", "Van Damme")
            walk.fill("reden", "ondersteuner voor een leerling")
            walk.submit("Voeg gebruiker toe")

        return run

    if walk.step("voeg-gebruiker-toe-fout-nummer", wrong_number("01.01.01-123.02")):
        walk.check("voeg-gebruiker-toe-fout-nummer", refusal=True)
    if walk.step("voeg-gebruiker-toe-dubbel", wrong_number(DEMO_RRN)):
        walk.check("voeg-gebruiker-toe-dubbel", refusal=True)
    if walk.step("gebruiker-toegevoegd", support_worker("ondersteuner voor een leerling")):
        walk.check("gebruiker-toegevoegd", expect="Jana Van Damme")

    # Rechten, and Alle toekenningen.
    if walk.step("rechten", lambda: walk.go(f"{n}/rechten")):
        walk.check("rechten", rights=True, expect="Rechten")
    if walk.step("alle-toekenningen", lambda: walk.go(f"{n}/rechten?alle=1")):
        walk.check("alle-toekenningen", rights=True)

    def rights_on(field_name: str, value: str) -> Callable[[], None]:
        def run() -> None:
            walk.go(f"{n}/rechten")
            walk.fill(field_name, value)
            walk.submit("Toon")

        return run

    if walk.step("rechten-op-datum", rights_on("op", dmy(today + timedelta(days=60)))):
        walk.check("rechten-op-datum", rights=True)
    if walk.step("rechten-geregistreerd-op", rights_on("geregistreerd_op", dmy(today))):
        walk.check("rechten-geregistreerd-op")
    if walk.step("rechten-foute-datum", rights_on("op", "31/04/2027")):
        walk.check("rechten-foute-datum", refusal=True)

    def one_grant() -> None:
        walk.go(f"{n}/rechten")
        walk.follow(NAMES[HOLDS_IRIS])

    if walk.step("toekenning", one_grant):
        walk.check("toekenning", expect=NAMES[HOLDS_IRIS])

    # Verleng: a date that is no date (refused), then the end of the school year.
    def extend(value: str, first: bool) -> Callable[[], None]:
        def run() -> None:
            if first:
                walk.go(f"{n}/rechten")
                walk.follow(re.compile(rf"^Verleng.*{NAMES[HOLDS_IRIS]}"))
                walk.check("verleng")
            walk.fill("einddatum", value)
            walk.submit("Verleng")

        return run

    if walk.step("verleng-foute-datum", extend("32/13/2027", True)):
        walk.check("verleng-foute-datum", refusal=True)
    if walk.step("verlengd", extend(dmy(year_end), False)):
        walk.check("verlengd")

    # Trek in: without a reason, then with one.
    def revoke(reason: str, first: bool) -> Callable[[], None]:
        def run() -> None:
            if first:
                walk.go(f"{n}/rechten")
                walk.follow(re.compile(rf"^Trek in.*{NAMES[REVOKE]}"))
                walk.check("trek-in")
            walk.fill("reden", reason)
            walk.submit("Trek in")

        return run

    if walk.step("trek-in-zonder-reden", revoke("", True)):
        walk.check("trek-in-zonder-reden", refusal=True)
    if walk.step("ingetrokken", revoke("heeft de school verlaten", False)):
        walk.check("ingetrokken")

    # Ongeldig verklaren: the quick grant to Wout Vermeulen, without a reason, then with one.
    def void(reason: str, first: bool) -> Callable[[], None]:
        def run() -> None:
            if first:
                walk.go(f"{n}/rechten?alle=1")
                walk.follow(re.compile(rf"^Ongeldig verklaren.*{NAMES[QUICK]}"))
                walk.check("ongeldig-verklaren")
            walk.fill("reden", reason)
            walk.submit("Verklaar ongeldig")

        return run

    if walk.step("ongeldig-zonder-reden", void("", True)):
        walk.check("ongeldig-zonder-reden", refusal=True)
    if walk.step("ongeldig-verklaard", void("toegekend aan de verkeerde persoon", False)):
        walk.check("ongeldig-verklaard")

    # Wijzigen meerdere personen: nothing ticked (refused), Verleng de geselecteerde, Trek de
    # geselecteerde in.
    def many_nothing() -> None:
        walk.go(f"{n}/rechten/meerdere")
        walk.check("meerdere")
        walk.submit("Verleng de geselecteerde")

    if walk.step("meerdere-niets-gekozen", many_nothing):
        walk.check("meerdere-niets-gekozen", refusal=True)

    def many(button: str, page_name: str, count: int) -> Callable[[], None]:
        def run() -> None:
            walk.go(f"{n}/rechten/meerdere")
            boxes = page.locator('input[type="checkbox"][name="toekenning"]')
            for i in range(count):
                boxes.nth(i).check()
            walk.submit(button)
            walk.check(page_name)

        return run

    def many_extend_done() -> None:
        walk.fill("einddatum", dmy(year_end + timedelta(days=365)))
        walk.submit("Verleng")

    if walk.step("meerdere-verleng", many("Verleng de geselecteerde", "meerdere-verleng", 2)):
        if walk.step("meerdere-verlengd", many_extend_done):
            walk.check("meerdere-verlengd")

    def many_revoke_done() -> None:
        walk.fill("reden", "einde van de opdracht")
        walk.submit("Trek in")

    if walk.step("meerdere-trek-in", many("Trek de geselecteerde in", "meerdere-trek-in", 1)):
        if walk.step("meerdere-ingetrokken", many_revoke_done):
            walk.check("meerdere-ingetrokken")

    # Nieuw schooljaar: every right that ends on the last day of this school year, one year on.
    def rollover() -> None:
        walk.go(f"{n}/rechten/schooljaar")
        walk.check("nieuw-schooljaar")
        walk.fill("huidige_einddatum", dmy(year_end))
        walk.fill("nieuwe_einddatum", dmy(date(year_end.year + 1, 8, 31)))
        walk.submit("Verleng naar het nieuwe schooljaar")

    if walk.step("nieuw-schooljaar-verlengd", rollover):
        walk.check("nieuw-schooljaar-verlengd")

    # The reports and the history.
    if walk.step("vervallende-rechten-na", lambda: walk.go("/vervallend")):
        walk.check("vervallende-rechten-na", expect="Vervallende rechten")
    if walk.step("vervallende-rechten-365", lambda: walk.go("/vervallend?binnen=365")):
        walk.check("vervallende-rechten-365")
    if walk.step("vervallende-rechten-fout", lambda: walk.go("/vervallend?binnen=veel")):
        walk.check("vervallende-rechten-fout", refusal=True)
    if walk.step("audit", lambda: walk.go(f"{n}/audit")):
        walk.check("audit")

    def audit_filtered() -> None:
        walk.go(f"{n}/audit")
        walk.fill("persoon", "Maes")
        walk.fill("vanaf", dmy(today))
        walk.submit("Filter")

    if walk.step("audit-gefilterd", audit_filtered):
        walk.check("audit-gefilterd", expect="Maes")
    if walk.step("audit-foute-datum", lambda: walk.go(f"{n}/audit?vanaf=31/13/2026")):
        walk.check("audit-foute-datum", refusal=True)

    # Toegangsreviews: the list, start one (a wrong due date first), decide on a row, close after the summary.
    if walk.step("toegangsreviews", lambda: walk.go(f"{n}/reviews")):
        walk.check("toegangsreviews", expect="Toegangsreviews")

    def review_start(due: str) -> Callable[[], None]:
        def run() -> None:
            if not page.locator('[name="naam"]:visible').count():
                walk.go(f"{n}/reviews/nieuw")
            walk.fill("naam", "Toegangsreview najaar")
            walk.fill("vervaldatum", due)
            walk.submit("Start de toegangsreview")

        return run

    if walk.step("toegangsreview-start-fout", review_start("31/02/" + str(today.year + 1))):
        walk.check("toegangsreview-start-fout", refusal=True)
    if walk.step("toegangsreview", review_start(dmy(today + timedelta(days=30)))):
        walk.check("toegangsreview", expect="beoordeeld")
    if walk.step("toegangsreview-beslist", lambda: walk.submit(re.compile(r"^Intrekken"), exact=False)):
        walk.check("toegangsreview-beslist", expect="1 van ")
    if walk.step("toegangsreview-sluiten", lambda: walk.follow("Sluit de review")):
        walk.check("toegangsreview-sluiten", expect="Wordt ingetrokken")
    if walk.step("toegangsreview-gesloten", lambda: walk.submit("Sluit de review")):
        walk.check("toegangsreview-gesloten", expect="gesloten")

    def not_found() -> None:
        walk.go("/instellingen/999999/rechten")
        if walk.status != 404:
            walk.report("niet-gevonden", f"another institution answered {walk.status}, not 404")

    if walk.step("niet-gevonden", not_found):
        walk.check("niet-gevonden")
    if walk.step("verificatie", lambda: walk.go("/verificatie")):
        walk.check("verificatie")

    # E-mailadres voor meldingen (a wrong address refused), Naam wijzigen (an empty name refused).
    def email() -> None:
        walk.go(f"{n}/e-mailadres")
        walk.check("e-mailadres")
        walk.fill("email", "geen adres")
        walk.submit("Bewaar")

    if walk.step("e-mailadres-fout", email):
        walk.check("e-mailadres-fout", refusal=True)

    def rename() -> None:
        walk.go(f"{n}/naam")
        walk.check("naam-wijzigen")
        walk.fill("naam", "")
        walk.submit("Wijzig de naam")

    if walk.step("naam-wijzigen-leeg", rename):
        walk.check("naam-wijzigen-leeg", refusal=True)

    # Every other page a link leads to (one per path), e.g. a grant's own page.
    seen = {urlsplit(page_url).path for page_url in walk.urls}
    for path, (url, source) in sorted(walk.links.items()):
        if path in seen:
            continue
        name = "link-" + (path.removeprefix(n).strip("/").replace("/", "-") or "instelling")

        def visit(url: str = url, name: str = name, source: str = source) -> None:
            walk.go(url)
            if walk.status >= 400:
                walk.report(name, f"the link to {url} on page {source} answered {walk.status}")

        if walk.step(name, visit):
            walk.check(name)

    # Mijn taken again (after the walk's changes), then Afmelden.
    if walk.step("mijn-taken-na", lambda: walk.go("/taken")):
        walk.check("mijn-taken-na")
    if walk.step("afgemeld", lambda: walk.submit("Afmelden")):
        walk.check("afgemeld", expect="Je bent afgemeld")
