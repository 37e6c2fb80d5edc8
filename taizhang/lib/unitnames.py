"""Matching the unit names a spreadsheet uses to the org tree.

People write a unit by its full name, its short name or an alias, with or
without the group's name in front ("集团人力资源部" for 人力资源部), in simplified
or traditional characters, and put several in one cell ("办公室、人力资源部").
:class:`UnitMatcher` finds them; a name it cannot place is reported, never
invented.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from taizhang.lib import text as lib_text

# Separators between several units in one cell; "和" only when the whole piece is not a unit.
_SEPARATORS = re.compile(r"[、，,/／;；\n]+|\s{2,}")
_AND = re.compile(r"[和及与]")
_BRACKETS = re.compile(r"[（(][^）)]*[)）]")


def split_names(cell: str) -> list[str]:
    """ "办公室、人力资源部/医疗健康" → ["办公室", "人力资源部", "医疗健康"] (不 split on 和 here)."""
    if not cell:
        return []
    return [part.strip() for part in _SEPARATORS.split(str(cell)) if part and part.strip()]


@dataclass
class UnitMatch:
    """The units found in a cell, and the names that matched nothing or more than one unit."""

    units: list = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


class UnitMatcher:
    """Looks unit names up among the given units (usually every active unit)."""

    def __init__(self, units: Iterable):
        self.units = list(units)
        self._cache: dict[str, UnitMatch] = {}
        self._prefixes = self._group_prefixes()
        self._by_key: dict[str, list] = {}
        for unit in self.units:
            names = [unit.name, unit.short_name, *(unit.aliases or [])]
            keys = set()
            for name in names:
                key = self._key(name)
                if key:
                    keys.add(key)
                    keys.add(self._strip_prefix(key))
            for key in keys:
                if key:
                    self._by_key.setdefault(key, []).append(unit)

    def _group_prefixes(self) -> list[str]:
        prefixes = set()
        for unit in self.units:
            if unit.parent_id is None:
                for name in (unit.name, unit.short_name, *(unit.aliases or [])):
                    key = self._key(name)
                    if key:
                        prefixes.add(key)
        prefixes.update({"集团公司", "集团", "公司", "总部"})
        return sorted(prefixes, key=len, reverse=True)

    @staticmethod
    def _key(name: str | None) -> str:
        name = name or ""
        # Plain ASCII needs no character conversion (the common case for codes; cheap check first).
        key = lib_text.search_key(name) if not name.isascii() else " ".join(name.split()).casefold()
        return key.replace(" ", "")

    def _strip_prefix(self, key: str) -> str:
        for prefix in self._prefixes:
            if key.startswith(prefix) and len(key) > len(prefix):
                return key[len(prefix) :]
        return key

    def find(self, name: str):
        """One unit for one name, or None; raises LookupError when the name fits several units."""
        key = self._key(name)
        if not key:
            return None
        for candidate in (key, self._strip_prefix(key), self._key(_BRACKETS.sub("", name))):
            found = self._by_key.get(candidate)
            if found:
                unique = list(dict.fromkeys(found))
                if len(unique) > 1:
                    raise LookupError(name)
                return unique[0]
        return None

    def match(self, cell) -> UnitMatch:
        """Every unit named in a cell, in order, each once (cells repeat: the answer is remembered)."""
        text = "" if cell is None else str(cell)
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._match(text)
        return UnitMatch(list(cached.units), list(cached.unknown), list(cached.ambiguous))

    def _match(self, cell: str) -> UnitMatch:
        result = UnitMatch()
        for piece in split_names("" if cell is None else str(cell)):
            for name in self._pieces(piece):
                try:
                    unit = self.find(name)
                except LookupError:
                    result.ambiguous.append(name)
                    continue
                if unit is None:
                    result.unknown.append(name)
                elif unit not in result.units:
                    result.units.append(unit)
        return result

    def _pieces(self, piece: str) -> list[str]:
        """A piece is one unit, unless it only makes sense split on 和/及/与."""
        try:
            if self.find(piece) is not None:
                return [piece]
        except LookupError:
            return [piece]
        parts = [p.strip() for p in _AND.split(piece) if p.strip()]
        if len(parts) > 1:
            return parts
        return [piece]
