"""Reading an org-tree list (name, short name, aliases, parent, kind) and writing it through the org actions."""

from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.lib.text import search_key
from taizhang.lib.unitnames import UnitMatcher
from taizhang.orgs import actions as org_actions
from taizhang.orgs.models import Unit

UNIT_HEADERS = {
    "name": ("name", "名称", "单位名称", "单位"),
    "short_name": ("short_name", "short name", "简称"),
    "aliases": ("aliases", "别名", "其他名称"),
    "parent": ("parent", "上级单位", "上级", "所属单位"),
    "kind": ("kind", "类型", "单位类型"),
}

KIND_WORDS = {
    "group": Unit.Kind.GROUP,
    "集团": Unit.Kind.GROUP,
    "department": Unit.Kind.DEPARTMENT,
    "部门": Unit.Kind.DEPARTMENT,
    "总部部门": Unit.Kind.DEPARTMENT,
    "regional": Unit.Kind.REGIONAL,
    "区域公司": Unit.Kind.REGIONAL,
    "subsidiary": Unit.Kind.SUBSIDIARY,
    "子公司": Unit.Kind.SUBSIDIARY,
    "subunit": Unit.Kind.SUBUNIT,
    "下属单位": Unit.Kind.SUBUNIT,
    # The other words org lists use for the same kinds.
    "职能部门": Unit.Kind.DEPARTMENT,
    "总部职能部门": Unit.Kind.DEPARTMENT,
    "集团部门": Unit.Kind.DEPARTMENT,
    "二级单位": Unit.Kind.SUBSIDIARY,
    "二级公司": Unit.Kind.SUBSIDIARY,
    "直属单位": Unit.Kind.SUBSIDIARY,
    "直属企业": Unit.Kind.SUBSIDIARY,
    "区域": Unit.Kind.REGIONAL,
    "三级单位": Unit.Kind.SUBUNIT,
    "三级公司": Unit.Kind.SUBUNIT,
    "分公司": Unit.Kind.SUBUNIT,
    "基层单位": Unit.Kind.SUBUNIT,
}


def _kind(text: str):
    """The kind a word names, in simplified or traditional characters, spaces ignored; None if none."""
    key = search_key(text).replace(" ", "")
    return KIND_WORDS.get(key) or KIND_WORDS.get(text.strip().lower())


class UnitImportError(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['row']}: {e['message']}" for e in errors))
        self.errors = errors


def _header_map(row: list) -> dict[str, int]:
    found = {}
    for col, cell in enumerate(row):
        key = search_key(str(cell or "")).replace(" ", "_")
        for field, names in UNIT_HEADERS.items():
            if field not in found and key in {search_key(n).replace(" ", "_") for n in names}:
                found[field] = col
    return found


@transaction.atomic
def import_units(rows: list[list], *, acting_user) -> dict:
    """Create or update units row by row (parents by name, in any order); all or nothing.

    Every unit is written through the org actions, which check ``acting_user`` (a person, or a
    command's system actor) and record history.
    """
    header_at = next((i for i, row in enumerate(rows[:10]) if "name" in _header_map(row)), None)
    if header_at is None:
        raise UnitImportError([{"row": 1, "message": _("No header row with a name column (name or 名称).")}])
    columns = _header_map(rows[header_at])

    def cell(row, field):
        col = columns.get(field)
        value = row[col] if col is not None and col < len(row) else ""
        return str(value if value is not None else "").strip()

    pending = []
    errors = []
    for index, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        name = cell(row, "name")
        if not name:
            continue
        kind_text = cell(row, "kind")
        kind = _kind(kind_text) if kind_text else None
        if kind_text and kind is None:
            errors.append({"row": index, "message": _("Unknown unit kind “%(kind)s”.") % {"kind": kind_text}})
            continue
        pending.append((index, name, cell(row, "short_name"), cell(row, "aliases"), cell(row, "parent"), kind))
    created = updated = unchanged = 0
    while pending:
        progress = False
        waiting = []
        matcher = UnitMatcher(Unit.objects.all())
        for index, name, short_name, aliases, parent_name, kind in pending:
            parent = None
            if parent_name:
                try:
                    parent = matcher.find(parent_name)
                except LookupError:
                    errors.append(
                        {
                            "row": index,
                            "message": _("The parent “%(name)s” fits several units.") % {"name": parent_name},
                        }
                    )
                    progress = True
                    continue
                if parent is None:
                    waiting.append((index, name, short_name, aliases, parent_name, kind))
                    continue
            existing = Unit.objects.filter(parent=parent, name=name).first()
            data = {
                "name": name,
                "short_name": short_name,
                "aliases": org_actions.clean_aliases(aliases),
                "parent": parent,
            }
            if kind:
                data["kind"] = kind
            if existing is None:
                data.setdefault("kind", Unit.Kind.GROUP if parent is None else Unit.Kind.DEPARTMENT)
                org_actions.create_unit(data=data, acting_user=acting_user)
                created += 1
            else:
                changed = {k: v for k, v in data.items() if getattr(existing, k) != v}
                if changed:
                    org_actions.update_unit(existing, data=changed, acting_user=acting_user)
                    updated += 1
                else:
                    unchanged += 1
            progress = True
        if not progress:
            for index, _name, _s, _a, parent_name, _k in waiting:
                errors.append({"row": index, "message": _("Unknown parent unit “%(name)s”.") % {"name": parent_name}})
            break
        pending = waiting
    if errors:
        raise UnitImportError(sorted(errors, key=lambda e: e["row"]))
    return {"created": created, "updated": updated, "unchanged": unchanged}
