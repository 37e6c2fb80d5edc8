"""The scheme editor's order (one action for drag and the up and down buttons, stale pages refused, history),
evidence files on adjustments, objections and penalty actions, penalty owners, the year-end rows per leader, paged facts."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from python_calamine import CalamineWorkbook

from taizhang.assessment import actions, outputs
from taizhang.assessment.models import (
    AdjustmentEvidence,
    ObjectionEvidence,
    PenaltyAction,
    PenaltyEvidence,
    SchemeItem,
)
from taizhang.history.recording import history_for
from taizhang.notices.models import Message
from taizhang.orgs.actions import grant_role
from taizhang.orgs.models import Role
from taizhang.supervision import actions as supervision_actions
from taizhang.testing.factories import make_user

from .conftest import run_scheme
from .test_scoring import build_ledger, build_scheme

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def order_of(section) -> list[str]:
    return list(section.items.order_by("order", "pk").values_list("title", flat=True))


def test_reorder_moves_items_and_sections_and_refuses_a_stale_page(client, scene):
    scheme, items = build_scheme(scene)
    work = items["on_time"].section
    people = items["manual"].section
    office = scene["office"]
    assert order_of(work) == ["按期完成", "超期未完成", "督办响应", "按时报送"]
    scheme.refresh_from_db()
    slug = scene["campaign"].slug
    url = reverse("assessment:scheme_reorder", args=[slug, scheme.pk])
    client.force_login(office)
    # The down button of the first item (htmx): the table comes back in its new order, the move announced.
    answer = client.post(
        url,
        {"what": "item", "id": items["on_time"].pk, "position": 1, "revision": scheme.revision},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    table = body[body.index("<table") :]
    assert "data-tz-announce" in body and table.index("超期未完成") < table.index("按期完成")
    assert order_of(work) == ["超期未完成", "按期完成", "督办响应", "按时报送"]
    # The same page again (its revision is now old): refused, nothing moved, the fresh order shown.
    stale = client.post(
        url,
        {"what": "item", "id": items["reports"].pk, "position": 0, "revision": scheme.revision},
        HTTP_HX_REQUEST="true",
    )
    assert "其他人刚刚修改过" in stale.content.decode()
    assert order_of(work) == ["超期未完成", "按期完成", "督办响应", "按时报送"]
    # Dragged into the other section, first there; then the sections swapped (no script: back to the page).
    scheme.refresh_from_db()
    actions.reorder(
        scheme,
        what="item",
        pk=items["chase"].pk,
        position=0,
        section_id=people.pk,
        revision=scheme.revision,
        acting_user=office,
    )
    assert order_of(people) == ["督办响应", "群众满意度", "现场检查"]
    assert SchemeItem.objects.get(pk=items["chase"].pk).section_id == people.pk
    scheme.refresh_from_db()
    answer = client.post(url, {"what": "section", "id": people.pk, "position": 0, "revision": scheme.revision})
    assert answer.status_code == 302
    assert list(scheme.sections.order_by("order").values_list("title", flat=True)) == ["群众满意", "工作落实"]
    notes = " ".join(entry.display_note for entry in history_for(scheme))
    assert "督办响应" in notes and "群众满意" in notes
    # Only the office reorders; never a frozen scheme.
    with pytest.raises(PermissionDenied):
        actions.reorder(
            scheme,
            what="section",
            pk=people.pk,
            position=1,
            revision=scheme.revision + 1,
            acting_user=scene["assessor"],
        )
    run_scheme(scheme, scene["assessor"])
    scheme.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.reorder(scheme, what="section", pk=people.pk, position=1, revision=scheme.revision, acting_user=office)


def test_evidence_files_go_through_the_gate_and_are_read_per_unit(client, scene):
    scheme, items = build_scheme(scene)
    build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    slug = scene["campaign"].slug
    score = run.unit_scores.get(unit=scene["a"]).item_scores.get(scheme_item=items["manual"])
    page = reverse("assessment:item_score", args=[slug, run.pk, score.pk])
    client.force_login(scene["assessor"])
    # A file that is not what it claims is refused with its reason, and nothing is written.
    refused = client.post(
        page,
        {"what": "adjust", "a-points": "2", "a-reason": "亮点", "a-files": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")},
    )
    assert refused.status_code == 400 and not score.adjustments.exists()
    client.post(
        page,
        {"what": "adjust", "a-points": "2", "a-reason": "亮点", "a-files": SimpleUploadedFile("依据.pdf", PDF)},
    )
    evidence = AdjustmentEvidence.objects.get(adjustment__item_score=score)
    assert evidence.name == "依据.pdf"
    file_url = reverse("assessment:adjustment_file", args=[slug, run.pk, evidence.pk])
    assert file_url in client.get(page).content.decode()
    assert b"".join(client.get(file_url).streaming_content) == PDF
    # The unit objects with a file once the review opens; its own liaison reads both files, another unit's not.
    actions.open_review(run, acting_user=scene["office"])
    client.force_login(scene["liaison"])
    client.post(page, {"what": "object", "o-reason": "现场已整改", "o-files": SimpleUploadedFile("材料.pdf", PDF)})
    objection_file = ObjectionEvidence.objects.get(objection__item_score=score)
    objection_url = reverse("assessment:objection_file", args=[slug, run.pk, objection_file.pk])
    assert client.get(objection_url).status_code == 200 and client.get(file_url).status_code == 200
    client.force_login(scene["other"])
    assert client.get(objection_url).status_code == 403 and client.get(file_url).status_code == 403


def test_a_penalty_has_an_owner_who_is_told(client, scene):
    head = make_user("hank", name="韩书记", unit=scene["a"])
    grant_role(user=head, campaign=scene["campaign"], role=Role.LEADER)
    nobody = make_user("nina", name="无角色")
    supervision_actions.assign_responsibility(
        scene["campaign"],
        kind="principal",
        unit=scene["a"],
        holder_title="党委书记",
        holder_user=head,
        acting_user=scene["office"],
    )
    scheme, _items = build_scheme(scene)
    build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.freeze_run(run, acting_user=scene["office"])
    penalty = PenaltyAction.objects.get(run=run, unit=scene["a"], kind=PenaltyAction.Kind.RECTIFY)
    assert penalty.owner == head  # the holder of the unit's principal responsibility
    assert Message.objects.filter(recipient=head, url__contains=f"/runs/{run.pk}/penalties/").exists()
    other = PenaltyAction.objects.get(run=run, unit=scene["b"], kind=PenaltyAction.Kind.RECTIFY)
    assert other.owner is None
    slug = scene["campaign"].slug
    client.force_login(scene["office"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(
            reverse("assessment:penalty_list", args=[slug, run.pk]),
            {"what": "owner", "penalty": other.pk, f"owner-{other.pk}-owner": scene["other"].pk},
        )
    other.refresh_from_db()
    assert other.owner == scene["other"]
    assert Message.objects.filter(recipient=scene["other"], subject__contains=other.get_kind_display()).exists()
    page = client.get(reverse("assessment:penalty_list", args=[slug, run.pk])).content.decode()
    assert "韩书记" in page and "包联络" in page
    # Someone without a role in the campaign could not open the page they would be sent to: refused.
    with pytest.raises(ValidationError):
        actions.assign_penalty(other, owner=nobody, acting_user=scene["office"])
    with pytest.raises(PermissionDenied):
        actions.assign_penalty(other, owner=head, acting_user=scene["assessor"])


def test_penalty_evidence_goes_through_the_gate_and_is_read_per_unit(client, scene, settings):
    scheme, _items = build_scheme(scene)
    build_ledger(scene)
    run = run_scheme(scheme, scene["assessor"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        actions.freeze_run(run, acting_user=scene["office"])
    penalty = PenaltyAction.objects.get(run=run, unit=scene["a"], kind=PenaltyAction.Kind.RECTIFY)
    slug = scene["campaign"].slug
    url = reverse("assessment:penalty_list", args=[slug, run.pk])
    # The unit sends its rectification report; a file that is not what it claims, or too big, is refused.
    client.force_login(scene["liaison"])
    assert "evidence-" in client.get(url).content.decode()
    client.post(url, {"what": "evidence", "penalty": penalty.pk, "files": SimpleUploadedFile("x.pdf", b"MZ\x90\x00")})
    assert not penalty.files.exists()
    settings.ATTACHMENT_MAX_BYTES = 10
    client.post(url, {"what": "evidence", "penalty": penalty.pk, "files": SimpleUploadedFile("大.pdf", PDF)})
    assert not penalty.files.exists()
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError):
        actions.add_penalty_evidence(penalty, files=[], acting_user=scene["liaison"])
    client.post(url, {"what": "evidence", "penalty": penalty.pk, "files": SimpleUploadedFile("整改报告.pdf", PDF)})
    sent = PenaltyEvidence.objects.get(penalty=penalty)
    assert sent.name == "整改报告.pdf" and sent.uploaded_by == scene["liaison"]
    file_url = reverse("assessment:penalty_file", args=[slug, run.pk, sent.pk])
    assert file_url in client.get(url).content.decode()
    assert b"".join(client.get(file_url).streaming_content) == PDF
    assert history_for(penalty).filter(action="comment", actor=scene["liaison"]).exists()
    # Another unit neither reads it nor adds to it; the office reads it and closes with a last file.
    client.force_login(scene["other"])
    assert client.get(file_url).status_code == 403
    refused = client.post(url, {"what": "evidence", "penalty": penalty.pk, "files": SimpleUploadedFile("b.pdf", PDF)})
    assert refused.status_code == 403 and penalty.files.count() == 1
    client.force_login(scene["office"])
    assert client.get(file_url).status_code == 200
    # Closing with a bad file refuses the whole close: still open, nothing added.
    client.post(url, {"penalty": penalty.pk, "closure": "已整改", "files": SimpleUploadedFile("y.pdf", b"MZ\x90")})
    penalty.refresh_from_db()
    assert penalty.state == PenaltyAction.State.OPEN and penalty.files.count() == 1
    client.post(url, {"penalty": penalty.pk, "closure": "已整改到位", "files": SimpleUploadedFile("验收.pdf", PDF)})
    penalty.refresh_from_db()
    assert penalty.state == PenaltyAction.State.CLOSED and penalty.files.count() == 2
    # Closed: no more evidence.
    with pytest.raises(ValidationError):
        actions.add_penalty_evidence(penalty, files=[SimpleUploadedFile("晚.pdf", PDF)], acting_user=scene["liaison"])


def test_the_year_end_export_has_a_row_per_leader(scene):
    head = make_user("hank", name="韩书记", unit=scene["a"])
    supervision_actions.assign_responsibility(
        scene["campaign"],
        kind="principal",
        unit=scene["a"],
        holder_title="党委书记",
        holder_user=head,
        acting_user=scene["office"],
    )
    supervision_actions.assign_responsibility(
        scene["campaign"],
        kind="first",
        unit=scene["a"],
        holder_title="党委书记",
        holder_user=head,
        acting_user=scene["office"],
    )
    # A responsibility held above both units is not repeated on each unit's rows.
    supervision_actions.assign_responsibility(
        scene["campaign"], kind="lead_push", unit=scene["group"], holder_name="集团领导", acting_user=scene["office"]
    )
    scheme, _items = build_scheme(scene)
    run = run_scheme(scheme, scene["assessor"])
    rows = CalamineWorkbook.from_filelike(io.BytesIO(outputs.year_end_xlsx(run))).get_sheet_by_index(0).to_python()
    assert rows[1] == ["单位", "责任人", "责任", "考核得分", "排名", "等次", "备注"]
    body = rows[2:]
    a_rows = [r for r in body if r[0] == "甲子公司"]
    assert [r[1] for r in a_rows] == ["", "党委书记 韩书记"]
    assert "主体责任" in a_rows[1][2] and "第一责任" in a_rows[1][2]
    assert a_rows[1][3] == a_rows[0][3]  # the leader's row carries the unit's score
    assert [r[1] for r in body if r[0] == "乙子公司"] == [""]


def test_the_facts_of_a_score_are_paged(client, scene):
    scheme, items = build_scheme(scene)
    run = run_scheme(scheme, scene["assessor"])
    score = run.unit_scores.get(unit=scene["a"]).item_scores.get(scheme_item=items["on_time"])
    from taizhang.assessment.models import ItemFacts

    ItemFacts.objects.update_or_create(
        run=run,
        unit=scene["a"],
        scheme_item=items["on_time"],
        defaults={"rows": [["week", None, f"第{n}周", "-1"] for n in range(250)]},
    )
    client.force_login(scene["office"])
    url = reverse("assessment:item_score", args=[scene["campaign"].slug, run.pk, score.pk])
    first = client.get(url).content.decode()
    assert "第0周" in first and "第99周" in first and "第100周" not in first and 'id="facts-pages"' in first
    last = client.get(url, {"page": 3}).content.decode()
    assert "第249周" in last and "第0周" not in last
    assert client.get(url, {"page": "x"}).status_code == 200
