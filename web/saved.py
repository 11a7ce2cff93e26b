"""Saved profiles and who may see them: the browser that made one, or anyone holding its share link.

A profile that is not yours and not shared with you is answered as if it did not exist (404, never 403):
an id reveals nothing. Deleting one removes its files, its row and its cached draft.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException

from assistant.i18n import N_
from assistant.profile import CityProfile
from assistant.settings import Settings
from corpus.records import Record
from web.drafts import Drafts
from web.store import SavedProfile, Store
from web.uploads import PROFILE_ID, delete_saved, load_report, load_saved

NOT_FOUND = N_("There is no saved profile at this address. Open the link you were given again, or upload "
               "the report.")


@dataclass(frozen=True, slots=True)
class Visible:
    """A saved profile as one browser may see it."""

    saved: SavedProfile
    profile: CityProfile
    data: dict[str, Any]  # profile.to_json()
    report: list[Record]
    owner: bool  # False: seen through the share link
    share: str  # the share token the request carried ("" for the owner's own view)

    @property
    def access(self) -> str:
        """What links of the page add to keep a shared view shared: "?share=..." or ""."""
        return f"?share={self.share}" if self.share and not self.owner else ""


def visible_profile(conf: Settings, store: Store, pid: str, browser: str, share: str = "") -> Visible:
    """The saved profile `pid` if `browser` owns it or `share` is its share token; else HTTPException 404."""
    saved = store.profile(pid) if PROFILE_ID.fullmatch(pid) else None
    if saved is None or not saved.readable_by(browser, share):
        raise HTTPException(404, NOT_FOUND)
    found = load_saved(conf.upload_dir, pid)
    if found is None:
        raise HTTPException(404, NOT_FOUND)
    owner = saved.owner == browser
    return Visible(saved, found[0], found[1], load_report(conf.upload_dir, pid), owner, "" if owner else share)


def remove_profile(conf: Settings, store: Store, drafts: Drafts, pid: str, browser: str) -> bool:
    """Deletes `browser`'s profile `pid`: its files, its row, its cached draft. False if it is not theirs."""
    saved = store.profile(pid) if PROFILE_ID.fullmatch(pid) else None
    if saved is None or saved.owner != browser:
        return False
    found = load_saved(conf.upload_dir, pid)
    if found is not None:
        drafts.forget(found[0], load_report(conf.upload_dir, pid), saved.upload_sha256)
    delete_saved(conf.upload_dir, pid)
    return store.delete_profile(pid, browser)
