"""Retention (issue 15, item 6): conversations, profiles (with their records, share links and drafts) and files
left behind are removed after ICC_RETENTION_DAYS, at start-up and daily. A fake clock stands in for time."""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.profile_io import profile_from_json
from assistant.settings import Settings
from web.app import create_app
from web.retention import DAY, sweep, sweep_daily
from web.store import Store
from web.uploads import save_profile

T0 = 1_750_000_000.0  # a fixed moment: the tests never read the real time


class FakeClock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def days_later(self, days: float) -> None:
        self.now += days * DAY


def profile(city: str):  # type: ignore[no-untyped-def]
    return profile_from_json({"city": city, "areas": {"media": {"city": 20, "sample": 50}}})


def touch(path: Path, when: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    os.utime(path, (when, when))
    return path


def test_what_is_older_than_the_retention_period_goes(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", retention_days=90)
    clock = FakeClock()
    store = Store(settings.state_db, clock=clock)
    idle = store.new_conversation("alice", "idle since day 0")
    store.add_turn(idle, "alice", {"question": "q", "answer": "a"})
    active = store.new_conversation("alice", "asked again on day 85")
    old_pid = save_profile(profile("Oldtown"), settings.upload_dir)
    store.add_profile(old_pid, "alice", "sha-old")
    assert store.share_profile(old_pid, "alice")
    clock.days_later(50)
    new_pid = save_profile(profile("Newtown"), settings.upload_dir)
    store.add_profile(new_pid, "bob")
    clock.days_later(35)  # day 85
    store.add_turn(active, "alice", {"question": "q2", "answer": "a2"})
    # files nothing owns: a profile whose row never came, a raw upload of a killed request, a write cut short
    profiles = settings.upload_dir / "profiles"
    orphan = touch(profiles / "AAAAAAAAAAAAAAAA.json", clock.now - DAY)
    killed = touch(settings.upload_dir / "upload-0123456789abcdef01234567.pdf", clock.now - DAY)
    cut = touch(settings.upload_dir / ".upload-0123456789abcdef01234567.pdf.tmp-9-ab12", clock.now - DAY)
    running = touch(settings.upload_dir / "upload-fedcba9876543210fedcba98.pdf", clock.now - 10)

    assert sweep(settings, store).conversations == 0  # day 85: nothing is 90 days old yet, orphans go
    assert not orphan.exists() and not killed.exists() and not cut.exists()
    assert running.exists()  # an upload being read now is not an orphan
    assert store.profile(old_pid) is not None and (profiles / f"{old_pid}.json").exists()

    clock.days_later(6)  # day 91
    swept = sweep(settings, store)
    assert (swept.conversations, swept.profiles) == (1, 1)
    assert store.conversation(idle, "alice") is None
    assert store.conversation(active, "alice") is not None  # used on day 85
    assert store.profile(old_pid) is None and not list(profiles.glob(f"{old_pid}*"))
    assert store.profile(new_pid) is not None and (profiles / f"{new_pid}.json").exists()

    clock.days_later(50)  # day 141: everything saved by day 50 has gone
    swept = sweep(settings, store)
    assert (swept.conversations, swept.profiles) == (0, 1) and store.profile(new_pid) is None
    clock.days_later(34)  # day 175: the conversation last used on day 85 is still kept
    assert sweep(settings, store).conversations == 0
    clock.days_later(1)  # day 176: now it goes
    assert sweep(settings, store).conversations == 1 and store.recent("alice") == []


def test_the_period_is_a_setting(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", retention_days=7)
    clock = FakeClock()
    store = Store(settings.state_db, clock=clock)
    cid = store.new_conversation("alice", "a week")
    clock.days_later(6.9)
    assert sweep(settings, store).conversations == 0
    clock.days_later(0.2)
    assert sweep(settings, store).conversations == 1 and store.conversation(cid, "alice") is None


def test_the_app_sweeps_at_start_up(hash_home: Settings, tmp_path: Path) -> None:
    shutil.copytree(hash_home.index_dir, tmp_path / "home" / "index")
    settings = hash_home.model_copy(update={"home": tmp_path / "home"})
    long_ago = Store(settings.state_db, clock=lambda: time.time() - 91 * DAY)
    old = long_ago.new_conversation("alice", "from last season")
    recent = Store(settings.state_db).new_conversation("alice", "from yesterday")
    with TestClient(create_app(settings)):
        store = Store(settings.state_db)
        assert store.conversation(old, "alice") is None
        assert store.conversation(recent, "alice") is not None


def test_the_sweep_runs_again_every_day(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", retention_days=1)
    clock = FakeClock()
    store = Store(settings.state_db, clock=clock)
    made = [store.new_conversation("alice", f"day {n}") for n in range(3)]
    waits: list[float] = []

    async def one_day(seconds: float) -> None:  # the loop's wait: a day passes on the fake clock
        waits.append(seconds)
        if len(waits) > 2:
            raise asyncio.CancelledError
        clock.days_later(seconds / DAY)
        if len(waits) == 1:
            assert store.recent("alice") != []  # nothing is a day old before the first wait

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(sweep_daily(settings, store, sleep=one_day))
    assert waits == [DAY] * 3
    assert all(store.conversation(cid, "alice") is None for cid in made)
