"""The banks an app serves: loaded and checked once at start, reloaded on change in debug mode."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from selfassess.bank.loader import BankError, find_banks, load_banks
from selfassess.bank.model import Questionnaire
from selfassess.bank.questiontypes import type_of


@dataclass
class Catalog:
    """Banks by id, from one folder."""

    folder: Path
    banks: dict[str, Questionnaire] = field(default_factory=dict)
    _stamp: tuple[tuple[str, float], ...] = ()

    @classmethod
    def load(cls, folder: str | Path) -> Catalog:
        """Load every bank in *folder*; raise :class:`BankError` with all problems if any is invalid."""
        catalog = cls(Path(folder))
        catalog._read()
        return catalog

    def _files_stamp(self) -> tuple[tuple[str, float], ...]:
        return tuple((str(p), os.stat(p).st_mtime) for p in find_banks([self.folder]))

    def _read(self) -> None:
        if not self.folder.is_dir():
            raise BankError([])  # reported by the caller with the folder's name
        stamp = self._files_stamp()
        banks, problems = load_banks([self.folder])
        if problems:
            raise BankError(problems)
        self.banks = {b.id: b for b in banks}
        self._stamp = stamp

    def reload_if_changed(self) -> None:
        """Re-read the folder when a file changed; keep the old banks if the new ones are invalid."""
        if self._files_stamp() != self._stamp:
            try:
                self._read()
            except BankError:
                pass  # the author sees the problems with `selfassess check`; keep serving the last good set

    def get(self, bank_id: str) -> Questionnaire | None:
        """Return the bank called *bank_id*."""
        return self.banks.get(bank_id)


def estimated_minutes(bank: Questionnaire) -> int:
    """Return a rough time to complete *bank*, rounded up to five minutes."""
    seconds = sum(type_of(q).seconds for q in bank.questions) + 60
    return max(5, 5 * math.ceil(seconds / 300))
