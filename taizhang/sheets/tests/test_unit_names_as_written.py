"""A ledger read the way its author meant it: unit names in every form people write them (and their
traditional-character twins), columns such as 序号/编号/完成情况, and the names the office places on the
preview learned for the next import."""

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from taizhang.history.models import HistoryEntry
from taizhang.ledger.models import Item, ProgressEntry
from taizhang.lib.text import to_simplified
from taizhang.lib.unitnames import UnitMatcher
from taizhang.orgs.models import Unit
from taizhang.sheets.ledger_import import build_plan
from taizhang.sheets.models import ImportJob
from taizhang.testing.factories import make_unit

from .ledgers import book, simple_ledger
from .test_web_import import upload

HEADERS = ["序号", "编号", "实事名称", "责任单位", "配合单位", "完成时限", "完成情况", "进展情况", "备注", "分管领导"]


@pytest.fixture
def yuanhang(db):
    group = make_unit("中国远航集团有限公司", kind="group", short_name="远航集团")
    hr = make_unit("人力资源部", parent=group, kind="department")
    office = make_unit("办公室", parent=group, kind="department", aliases=["集团办"])
    logistics = make_unit("远航物流有限公司", parent=group, kind="subsidiary")
    health = make_unit("远航医疗健康有限公司", parent=group, kind="subsidiary", short_name="医疗健康公司")
    hospital = make_unit("骨科医院", parent=health, kind="subunit")
    return {
        "group": group,
        "hr": hr,
        "office": office,
        "logistics": logistics,
        "health": health,
        "hospital": hospital,
    }


# Written name → the unit it is (a key of the fixture).
VARIANTS = [
    ("人力资源部", "hr"),
    ("中国远航集团人力资源部", "hr"),
    ("中国远航集团有限公司人力资源部", "hr"),
    ("远航集团人力资源部", "hr"),
    ("集团人力资源部", "hr"),
    ("总部人力资源部", "hr"),
    ("集团公司人力资源部", "hr"),
    ("集团办", "office"),
    ("远航物流公司", "logistics"),
    ("远航物流有限责任公司", "logistics"),
    ("远航物流", "logistics"),
    ("远航物流股份有限公司", "logistics"),
    ("远航医疗健康有限公司骨科医院", "hospital"),
    ("医疗健康公司骨科医院", "hospital"),
    ("远航医疗健康公司骨科医院", "hospital"),
    ("骨科医院（远航医疗健康有限公司）", "hospital"),
    ("远航医疗健康有限公司", "health"),
    ("医疗健康公司", "health"),
    ("远航医疗健康集团有限公司", "health"),
]
TRADITIONAL = {
    "人力资源部": "人力資源部",
    "远航物流公司": "遠航物流公司",
    "医疗健康公司骨科医院": "醫療健康公司骨科醫院",
}


@pytest.mark.parametrize(
    ("written", "unit"),
    VARIANTS + [(t, VARIANTS[[v[0] for v in VARIANTS].index(s)][1]) for s, t in TRADITIONAL.items()],
)
def test_every_way_of_writing_a_unit_finds_it(yuanhang, written, unit):
    matcher = UnitMatcher(Unit.objects.all())
    assert matcher.find(written) == yuanhang[unit], written
    assert matcher.find(written.replace("（", "(").replace("）", ")")) == yuanhang[unit]
    assert matcher.find(" ".join(written)) is None or matcher.find(" ".join(written)) == yuanhang[unit]


def test_several_units_in_a_cell_by_every_separator(yuanhang):
    matcher = UnitMatcher(Unit.objects.all())
    for cell in (
        "人力资源部、远航物流公司",
        "人力资源部，远航物流公司",
        "人力资源部,远航物流公司",
        "人力资源部；远航物流公司",
        "人力资源部;远航物流公司",
        "人力资源部/远航物流公司",
        "人力资源部和远航物流公司",
        "人力资源部及远航物流公司",
        "人力资源部与远航物流公司",
        "人力资源部 远航物流公司",
        "人力资源部\n远航物流公司",
    ):
        assert matcher.match(cell).units == [yuanhang["hr"], yuanhang["logistics"]], cell


def test_a_name_two_units_share_is_an_ambiguity_with_both_names(yuanhang):
    first = make_unit("综合部", parent=yuanhang["logistics"])
    second = make_unit("综合部", parent=yuanhang["health"])
    result = UnitMatcher(Unit.objects.all()).match("综合部")
    assert result.units == [] and result.ambiguous == ["综合部"]
    assert set(result.choices["综合部"]) == {first, second}
    # Behind its parent's name it is one unit.
    assert UnitMatcher(Unit.objects.all()).find("远航物流公司综合部") == first


def test_collective_names_are_all_units_of_a_kind_as_partners_and_an_error_as_owner(yuanhang, campaign):
    rows = [HEADERS, ["1", "A-1", "优化服务", "人力资源部", "各子公司", "年底前", "", "", "", ""]]
    rows.append(["2", "A-2", "统一部署", "集团各单位", "", "年底前", "", "", "", ""])
    plan = build_plan(rows, campaign)
    first = plan.rows[0]
    assert set(first["partner_units"]) == {yuanhang["logistics"], yuanhang["health"]}
    assert [e["row"] for e in plan.errors] == [3]
    assert "集团各单位" in plan.errors[0]["message"]


def ledger_rows(*, traditional=False) -> list[list]:
    convert = (lambda t: t) if not traditional else (lambda t: TRADITIONAL.get(t, t))
    rows = []
    for n, (written, _unit) in enumerate(VARIANTS, start=1):
        rows.append(
            [
                n,
                f"DC-{n:03d}",
                f"实事{n}",
                convert(written),
                convert("人力资源部") + "、远航物流公司",
                "年底前",
                "",
                "",
                "",
                "",
            ]
        )
    return rows


@pytest.mark.parametrize("traditional", [False, True])
def test_a_ledger_with_every_variant_reads_owner_and_partners_of_every_row(yuanhang, campaign, traditional):
    plan = build_plan([HEADERS, *ledger_rows(traditional=traditional)], campaign)
    assert not plan.errors and not plan.unresolved
    for row, (_written, unit) in zip(plan.rows, VARIANTS, strict=True):
        assert row["owner_unit"] == yuanhang[unit], row["title"]
        expected = [u for u in (yuanhang["hr"], yuanhang["logistics"]) if u != yuanhang[unit]]
        assert row["partner_units"] == expected, row["title"]
        assert row["code"].startswith("DC-")  # the 编号 column, never 序号


def run_json(tmp_path, data, campaign):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_ledger", str(path), "--campaign", campaign.slug, "--json", stdout=out)
    return exit_.value.code, json.loads(out.getvalue())


def test_the_command_lists_each_unknown_name_once_with_candidates_and_learns_nothing(yuanhang, campaign, tmp_path):
    rows = [
        ["A-1", "甲", "人力资源处", "", ""],
        ["A-2", "乙", "人力资源处", "", ""],
        ["A-3", "丙", "远航物流分公司", "", ""],
    ]
    code, result = run_json(tmp_path, simple_ledger(rows), campaign)
    assert code == 1
    by_name = {u["name"]: u for u in result["unresolved"]}
    assert by_name["人力资源处"]["rows"] == [2, 3]
    assert by_name["人力资源处"]["candidates"][0]["name"] == "人力资源部"
    assert by_name["远航物流分公司"]["candidates"][0]["name"] == "远航物流有限公司"
    assert all(not u.aliases or u.aliases == ["集团办"] for u in Unit.objects.all())
    assert not Item.objects.exists()


def test_serial_number_is_not_the_code_and_numbers_keep_their_written_form(yuanhang, campaign, items=None):
    plan = build_plan([["序号", "编号", "实事名称", "责任单位"], [1.0, "DC-001", "甲", "人力资源部"]], campaign)
    assert plan.rows[0]["code"] == "DC-001"
    serials = [["序号", "实事名称", "责任单位"], [1.0, "甲", "人力资源部"], [2.0, "乙", "人力资源部"]]
    plan = build_plan(serials, campaign)
    assert [r["code"] for r in plan.rows] == ["", ""]  # never "1"; and none made unless the office asks
    assert plan.blocked and plan.codes_missing == 2 and plan.code_prefixes == {yuanhang["hr"].pk: "IMP"}
    plan = build_plan(serials, campaign, options={"generate_codes": True})
    assert [r["code"] for r in plan.rows] == ["IMP-001", "IMP-002"] and not plan.blocked
    plan = build_plan(
        [["序号", "实事名称", "责任单位"], [1.0, "甲", "人力资源部"]],
        campaign,
        options={"generate_codes": True, "prefixes": {str(yuanhang["hr"].pk): "HR"}},
    )
    assert plan.rows[0]["code"] == "HR-001"


def test_completion_words_and_progress_become_the_first_progress_entry(yuanhang, campaign, people):
    rows = [
        HEADERS,
        ["1", "A-1", "甲", "远航物流公司", "", "年底前", "已完成", "已上线运行", "重点", "张总"],
        ["2", "A-2", "乙", "远航物流公司", "", "年底前", "推进中", "完成需求调研", "", ""],
        ["3", "A-3", "丙", "远航物流公司", "", "年底前", 0.5, "", "", ""],
        ["4", "A-4", "丁", "远航物流公司", "", "年底前", "未启动", "", "", ""],
    ]
    plan = build_plan(rows, campaign, options={"as_of": "2026-06-10", "percents": {"推进中": 40}})
    assert not plan.blocked, (plan.errors, plan.unresolved)
    progress = {r["code"]: r["new_progress"] for r in plan.rows}
    assert progress["A-1"]["percent"] == 100 and progress["A-1"]["done"] == "已上线运行"
    assert progress["A-2"]["percent"] == 40
    assert progress["A-3"]["percent"] == 50  # a cell formatted as 50%
    assert progress["A-4"] is None
    assert plan.rows[0]["note"] == "重点" and plan.rows[0]["lead"] == "张总"
    from taizhang.sheets.actions import apply_ledger_plan

    apply_ledger_plan(campaign, plan, acting_user=people["olivia"])
    entry = ProgressEntry.objects.get(item__code="A-1")
    assert entry.percent == 100 and entry.as_of.isoformat() == "2026-06-10"
    assert Item.objects.get(code="A-2").percent == 40
    again = build_plan(rows, campaign, options={"as_of": "2026-06-10", "percents": {"推进中": 40}})
    assert again.count("unchanged") == 4  # the same sheet twice adds no progress


def test_the_office_places_a_name_on_the_preview_and_the_next_import_is_clean(yuanhang, campaign, people, login):
    client = login(people["olivia"])
    data = simple_ledger([["A-1", "甲", "人力资源处", "", ""], ["A-2", "乙", "远航物流公司", "", ""]])
    upload(client, campaign, data)
    job = ImportJob.objects.get()
    client.post(
        reverse("sheets:import_mapping", args=[campaign.slug, job.pk]),
        {"col_0": "code", "col_1": "title", "col_2": "owner_unit"},
    )
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW  # analysed at once: no worker needed for a small sheet
    assert [u["name"] for u in job.result["unresolved"]] == ["人力资源处"]
    page = client.get(reverse("sheets:import_job", args=[campaign.slug, job.pk]))
    assert "人力资源处" in page.content.decode() and "confirm-form" not in page.content.decode()
    response = client.post(
        reverse("sheets:import_place_unit", args=[campaign.slug, job.pk]),
        {"name": "人力资源处", "unit": str(yuanhang["hr"].pk)},
    )
    assert response.status_code == 302
    yuanhang["hr"].refresh_from_db()
    assert yuanhang["hr"].aliases == ["人力资源处"]
    entry = HistoryEntry.objects.filter(object_id=yuanhang["hr"].pk, action="update").latest("pk")
    assert entry.actor == people["olivia"] and "台账.xlsx" in entry.note
    job.refresh_from_db()
    assert job.state == ImportJob.State.PREVIEW and not job.result["unresolved"] and not job.result["error_count"]
    # A name not asked about, or a GET, changes nothing.
    assert client.get(reverse("sheets:import_place_unit", args=[campaign.slug, job.pk])).status_code == 405
    client.post(reverse("sheets:import_place_unit", args=[campaign.slug, job.pk]), {"name": "x", "unit": "1"})
    # The next import of the same ledger is clean.
    path_plan = build_plan([["编号", "实事名称", "牵头单位"], ["A-1", "甲", "人力资源处"]], campaign)
    assert not path_plan.blocked and path_plan.rows[0]["owner_unit"] == yuanhang["hr"]


def test_a_liaison_cannot_place_a_name(yuanhang, campaign, people, login):
    client = login(people["olivia"])
    upload(client, campaign, simple_ledger([["A-1", "甲", "人力资源处", "", ""]]))
    job = ImportJob.objects.get()
    client.post(
        reverse("sheets:import_mapping", args=[campaign.slug, job.pk]),
        {"col_0": "code", "col_1": "title", "col_2": "owner_unit"},
    )
    liaison = login(people["lily"])
    response = liaison.post(
        reverse("sheets:import_place_unit", args=[campaign.slug, job.pk]),
        {"name": "人力资源处", "unit": str(yuanhang["hr"].pk)},
    )
    assert response.status_code == 403
    yuanhang["hr"].refresh_from_db()
    assert yuanhang["hr"].aliases == []


def test_the_mapping_page_shows_the_header_row_guesses_and_samples(yuanhang, campaign, people, login):
    client = login(people["olivia"])

    def build(wb):
        ws = wb.add_worksheet("台账")
        ws.write(0, 0, "2026年实事清单")
        ws.write_row(1, 0, ["序号", "编号", "实事名称", "责任单位"])
        ws.write_row(2, 0, [1, "DC-001", "甲", "人力资源部"])

    upload(client, campaign, book(build))
    job = ImportJob.objects.get()
    page = client.get(reverse("sheets:import_mapping", args=[campaign.slug, job.pk]))
    html = page.content.decode()
    assert "column-guesses" in html and "DC-001" in html
    assert "<td>1</td>" in html and "1.0" not in html
    form = page.context["form"]
    assert form.fields["col_1"].initial == "code" and form.fields["col_0"].initial == "serial"
    assert to_simplified("實事") == "实事"


def test_a_name_that_is_already_another_units_alias_is_not_learned(yuanhang, people):
    from django.core.exceptions import PermissionDenied, ValidationError

    from taizhang.orgs.actions import add_unit_alias

    with pytest.raises(ValidationError):
        add_unit_alias(yuanhang["hr"], alias="集团办", acting_user=people["olivia"])
    with pytest.raises(PermissionDenied):
        add_unit_alias(yuanhang["hr"], alias="人事处", acting_user=people["lily"])  # a liaison keeps no tree
    assert add_unit_alias(yuanhang["hr"], alias="人力资源部", acting_user=people["olivia"]).aliases == []
    yuanhang["hr"].refresh_from_db()
    assert yuanhang["hr"].aliases == []
