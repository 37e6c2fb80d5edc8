"""Unit names as spreadsheets write them, matched to the org tree."""

import pytest

from taizhang.lib.unitnames import UnitMatcher, split_names
from taizhang.orgs.models import Unit
from taizhang.testing.factories import make_unit


@pytest.fixture
def matcher(org):
    return UnitMatcher(Unit.objects.all())


def test_full_name_short_name_and_alias_match(matcher, org):
    assert matcher.find("人力资源部") == org["hr"]
    assert matcher.find("人力") == org["hr"]
    assert matcher.find("总部办公室") == org["office_dept"]
    assert matcher.find("办公室") == org["office_dept"]


def test_with_or_without_the_group_prefix(matcher, org):
    assert matcher.find("集团人力资源部") == org["hr"]
    assert matcher.find("中国融通集团人力资源部") == org["hr"]
    assert matcher.find("集团办公室") == org["office_dept"]
    assert matcher.find("中国融通集团") == org["group"]


def test_traditional_characters_and_spaces(matcher, org):
    assert matcher.find("人力資源部") == org["hr"]
    assert matcher.find("八一骨科醫院") == org["hospital"]
    assert matcher.find(" 人力资源部 ") == org["hr"]
    assert matcher.find("融通醫療健康公司") == org["subsidiary"]


def test_several_units_in_one_cell(matcher, org):
    for cell in (
        "办公室、人力资源部",
        "办公室，人力资源部",
        "办公室,人力资源部",
        "办公室/人力资源部",
        "办公室和人力资源部",
    ):
        assert matcher.match(cell).units == [org["office_dept"], org["hr"]], cell


def test_a_unit_named_with_and_is_not_split(org):
    unit = make_unit("人力资源和社会保障处", parent=org["group"])
    matcher = UnitMatcher(Unit.objects.all())
    assert matcher.match("人力资源和社会保障处").units == [unit]


def test_unknown_names_are_reported_never_invented(matcher, org):
    result = matcher.match("人力资源部、宣传部")
    assert result.units == [org["hr"]]
    assert result.unknown == ["宣传部"]
    assert not Unit.objects.filter(name="宣传部").exists()


def test_same_name_twice_counts_once(matcher, org):
    assert matcher.match("人力、人力资源部").units == [org["hr"]]


def test_a_name_that_fits_two_units_is_ambiguous(org):
    make_unit("综合部", parent=org["subsidiary"])
    make_unit("综合部", parent=org["group"])
    result = UnitMatcher(Unit.objects.all()).match("综合部")
    assert result.ambiguous == ["综合部"]
    assert result.units == []


def test_split_names():
    assert split_names("甲、乙，丙/丁") == ["甲", "乙", "丙", "丁"]
    assert split_names("") == []
