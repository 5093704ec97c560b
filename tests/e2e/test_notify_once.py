"""Two ``grantbook notify`` runs at once never send a notice twice: a sending run holds the store's
notify lock (adapters/run_lock.py); a second run is refused at once, sends and records nothing, and
the next run after it sends what is still due (docs/adr/0014). On both stores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Driver
from mailserver import MailServer
from test_notify import FROM, notices, notify, smtp, told  # noqa: F401  (smtp, told: fixtures)

from grantbook.adapters.run_lock import exclusive_run
from grantbook.adapters.store import StoreLocation

DAY = "2026-12-06"  # 14 days before the rights end: jan, mia and holder 90001 are due one mail each


def test_a_notify_while_another_sends_is_refused_and_sends_nothing(told: Driver, smtp: MailServer) -> None:  # noqa: F811
    with exclusive_run(StoreLocation.parse(told.store_url), "notify"):
        _, err = notify(told, smtp, "--on", DAY, code=1)
        assert err.strip().splitlines()[-1].startswith("error: notify-running: another grantbook notify")
        assert smtp.inbox.messages == [] and notices(told) == []
        dry, _ = notify(told, smtp, "--on", DAY, "--dry-run")  # a dry run sends nothing: no lock needed
        assert dry.count("would send ") == 3
    _, err = notify(told, smtp, "--on", DAY)  # released: the next run sends what is due
    assert "3 mails sent and recorded" in err
    assert len(smtp.inbox.messages) == 3 and len(notices(told)) == 3


def test_two_runs_at_once_send_each_notice_once(told: Driver, smtp: MailServer) -> None:  # noqa: F811
    smtp.inbox.delay = 0.5  # each mail takes a while: the runs overlap
    script = Path(sys.executable).with_name("grantbook")
    command = [str(script), "--store", told.store_url, "--as", "jan", "notify", "--smtp", smtp.url,
               "--from", FROM, "--on", DAY]
    env = {**os.environ, **told.base_env}
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    for code, err in results:
        assert code == 0 or (code == 1 and "error: notify-running:" in err), err
    recipients = sorted(m["X-Envelope-To"] for m in smtp.inbox.messages)
    assert recipients == ["an@delinde.example", "jan@delinde.example", "mia@delinde.example"]
    assert len(notices(told)) == 3
