"""Matching the unit names a spreadsheet uses to the org tree.

People write a unit by its full name, its short name or an alias, with or
without the group's name in front ("集团人力资源部" for 人力资源部), with or
without its legal form ("远航物流公司" for 远航物流有限公司), behind its parent's
name ("医疗健康公司骨科医院"), in simplified or traditional characters, with
full- or half-width brackets and spaces, and put several in one cell
("办公室、人力资源部"). :class:`UnitMatcher` finds them, in that order; a name
it cannot place, or that fits two units, is reported (with the closest units
as candidates), never guessed.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from taizhang.lib import text as lib_text

# Separators between several units in one cell; spaces and 和/及/与 only when the whole piece is not a unit.
_SEPARATORS = re.compile(r"[、，,/／;；\n\r]+|\s{2,}")
_WEAK_SEPARATORS = re.compile(r"\s+|[和及与]")
_BRACKETS = re.compile(r"\([^)]*\)")
# Legal forms a company's name is written with or without (longest first: 集团有限公司 before 有限公司).
LEGAL_FORMS = ("集团股份有限公司", "集团有限公司", "股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司")
# Words that put the group (or headquarters) in front of a department's name.
GROUP_WORDS = ("集团公司", "集团", "总部", "公司")
# "All units of a kind", as ledgers write them in a partner column: written name → unit kinds (None: every
# unit just below the group).
COLLECTIVE_NAMES = {
    "各子公司": ("subsidiary",),
    "各二级单位": ("subsidiary", "regional"),
    "各区域公司": ("regional",),
    "各部门": ("department",),
    "各职能部门": ("department",),
    "总部各部门": ("department",),
    "集团各部门": ("department",),
    "集团各单位": None,
    "各单位": None,
}


def split_names(cell: str) -> list[str]:
    """ "办公室、人力资源部/医疗健康" → ["办公室", "人力资源部", "医疗健康"] (not split on spaces or 和 here)."""
    if not cell:
        return []
    return [part.strip() for part in _SEPARATORS.split(str(cell)) if part and part.strip()]


def name_key(name: str | None) -> str:
    """A name as matching compares it: simplified, half-width, lower case, without spaces."""
    name = name or ""
    # Plain ASCII needs no character conversion (the common case for codes; cheap check first).
    key = lib_text.search_key(name) if not name.isascii() else " ".join(name.split()).casefold()
    return key.replace(" ", "")


def stem(key: str) -> str:
    """A company's name without its legal form: 远航物流有限公司 → 远航物流 (a key of two characters or more stays)."""
    for form in LEGAL_FORMS:
        if key.endswith(form) and len(key) - len(form) >= 2:
            return key[: -len(form)]
    return key


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@dataclass
class UnitMatch:
    """The units found in a cell, and the names that matched nothing or more than one unit."""

    units: list = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    # An ambiguous name → the units it fits (two or more).
    choices: dict = field(default_factory=dict)
    # Collective names ("各子公司") found in the cell.
    collective: list[str] = field(default_factory=list)


class Ambiguous(LookupError):
    def __init__(self, name: str, units: list):
        super().__init__(name)
        self.units = units


class UnitMatcher:
    """Looks unit names up among the given units (usually every active unit)."""

    def __init__(self, units: Iterable):
        self.units = list(units)
        self._cache: dict[str, UnitMatch] = {}
        self._prefixes = self._group_prefixes()
        # The stages, in order: each a key → units index.
        self._names: dict[str, list] = {}
        self._short: dict[str, list] = {}
        self._aliases: dict[str, list] = {}
        self._stripped: dict[str, list] = {}
        self._stems: dict[str, list] = {}
        self._parent_prefixes: dict[str, list] = {}
        self._children: dict[int, list] = {}
        for unit in self.units:
            if unit.parent_id is not None:
                self._children.setdefault(unit.parent_id, []).append(unit)
            written = [
                (self._names, name_key(unit.name)),
                (self._short, name_key(unit.short_name)),
                *((self._aliases, name_key(alias)) for alias in (unit.aliases or [])),
            ]
            for index, key in written:
                if not key:
                    continue
                self._add(index, key, unit)
                self._add(self._stripped, self._strip_prefix(key), unit)
                self._add(self._stems, stem(key), unit)
                self._add(self._stems, stem(self._strip_prefix(key)), unit)
        by_pk = {unit.pk: unit for unit in self.units}
        for parent_pk in self._children:
            parent = by_pk.get(parent_pk)
            if parent is None or parent.parent_id is None:
                continue  # the group's own name is a prefix already
            for key in self._unit_keys(parent):
                for prefix in {key, stem(key), *(stem(key) + form for form in LEGAL_FORMS)}:
                    if len(prefix) >= 2:
                        self._add(self._parent_prefixes, prefix, parent)
        self._stages = (self._names, self._short, self._aliases, self._stripped, self._stems)

    @staticmethod
    def _add(index: dict, key: str, unit) -> None:
        if key:
            found = index.setdefault(key, [])
            if unit not in found:
                found.append(unit)

    @staticmethod
    def _unit_keys(unit) -> list[str]:
        return [k for k in (name_key(n) for n in (unit.name, unit.short_name, *(unit.aliases or []))) if k]

    def _group_prefixes(self) -> list[str]:
        prefixes = set()
        for unit in self.units:
            if unit.parent_id is None:
                for key in self._unit_keys(unit):
                    prefixes.update({key, stem(key)})
        prefixes.update(GROUP_WORDS)
        return sorted(prefixes, key=len, reverse=True)

    _key = staticmethod(name_key)

    def _strip_prefix(self, key: str) -> str:
        """Without the group's name and words such as 集团 in front (both: 中国远航集团人力资源部)."""
        stripped = True
        while stripped:
            stripped = False
            for prefix in self._prefixes:
                if key.startswith(prefix) and len(key) - len(prefix) >= 2:
                    key, stripped = key[len(prefix) :], True
                    break
        return key

    def _variants(self, key: str) -> list[str]:
        return list(dict.fromkeys((key, self._strip_prefix(key), _BRACKETS.sub("", key))))

    def _lookup(self, key: str, among=None) -> list:
        """The units of the first stage that knows the key (or one of its variants): [] when none does."""
        variants = [v for v in self._variants(key) if v]
        for index in self._stages:
            for variant in variants:
                found = (index.get(variant) if index is not self._stems else index.get(stem(variant))) or []
                if found and among is not None:
                    found = [u for u in found if u.pk in among]
                if len(found) > 1:
                    # A name the office placed (an alias) settles a name two units share.
                    placed = [u for u in self._aliases.get(variant, []) if u in found]
                    if len(placed) == 1:
                        return placed
                if found:
                    return found
        return []

    def _descendants(self, unit) -> set[int]:
        found, todo = set(), [unit.pk]
        while todo:
            for child in self._children.get(todo.pop(), []):
                if child.pk not in found:
                    found.add(child.pk)
                    todo.append(child.pk)
        return found

    def _under_parent(self, key: str) -> list:
        """ "医疗健康公司骨科医院": a parent's name (any form), then a unit below it."""
        found = []
        for variant in self._variants(key):
            for end in range(len(variant) - 1, 1, -1):
                for parent in self._parent_prefixes.get(variant[:end], []):
                    for unit in self._lookup(variant[end:], among=self._descendants(parent)):
                        if unit not in found:
                            found.append(unit)
            if found:
                return found
        return found

    def candidates_for(self, name: str) -> list:
        """One unit for one name: [] when none fits, two or more when it is ambiguous."""
        key = name_key(name)
        if not key:
            return []
        return self._lookup(key) or self._under_parent(key)

    def find(self, name: str):
        """One unit for one name, or None; raises :class:`Ambiguous` (a LookupError) when it fits several units."""
        found = self.candidates_for(name)
        if len(found) > 1:
            raise Ambiguous(name, found)
        return found[0] if found else None

    def closest(self, name: str, limit: int = 3) -> list:
        """The units whose names come closest to one no unit has (for the office to pick from)."""
        key = name_key(name)
        if not key:
            return []
        targets = {key, stem(key), self._strip_prefix(key), stem(self._strip_prefix(key))}
        chars = set(key)
        scored = []
        for unit in self.units:
            best = None
            for unit_key in self._unit_keys(unit):
                if len(chars & set(unit_key)) < min(2, len(chars)):
                    continue
                for target in targets:
                    for candidate in {unit_key, stem(unit_key), self._strip_prefix(unit_key)}:
                        if target in candidate or candidate in target:
                            distance = abs(len(target) - len(candidate)) / 2
                        else:
                            distance = edit_distance(target, candidate)
                        best = distance if best is None else min(best, distance)
            if best is not None and best <= max(2, len(key) // 2):
                scored.append((best, len(unit.name), unit.name, unit))
        scored.sort(key=lambda s: s[:3])
        return [s[3] for s in scored[:limit]]

    def collective(self, name: str) -> list | None:
        """The units a collective name ("各子公司") stands for, or None when the name is not one."""
        key = name_key(name)
        if key not in COLLECTIVE_NAMES:
            return None
        kinds = COLLECTIVE_NAMES[key]
        if kinds is None:
            tops = {u.pk for u in self.units if u.parent_id is None}
            return [u for u in self.units if u.parent_id in tops]
        return [u for u in self.units if u.kind in kinds]

    def match(self, cell) -> UnitMatch:
        """Every unit named in a cell, in order, each once (cells repeat: the answer is remembered)."""
        text = "" if cell is None else str(cell)
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = self._match(text)
        return UnitMatch(
            list(cached.units),
            list(cached.unknown),
            list(cached.ambiguous),
            dict(cached.choices),
            list(cached.collective),
        )

    def _match(self, cell: str) -> UnitMatch:
        result = UnitMatch()
        for piece in split_names(cell):
            for name in self._pieces(piece):
                if name_key(name) in COLLECTIVE_NAMES:
                    if name not in result.collective:
                        result.collective.append(name)
                    continue
                found = self.candidates_for(name)
                if len(found) > 1:
                    if name not in result.ambiguous:
                        result.ambiguous.append(name)
                        result.choices[name] = found
                elif not found:
                    if name not in result.unknown:
                        result.unknown.append(name)
                elif found[0] not in result.units:
                    result.units.append(found[0])
        return result

    def _pieces(self, piece: str) -> list[str]:
        """A piece is one unit, unless it only makes sense split on spaces or 和/及/与."""
        if self.candidates_for(piece) or name_key(piece) in COLLECTIVE_NAMES:
            return [piece]
        parts = [p.strip() for p in _WEAK_SEPARATORS.split(piece) if p.strip()]
        if len(parts) > 1 and any(self.candidates_for(p) or name_key(p) in COLLECTIVE_NAMES for p in parts):
            return parts
        return [piece]
