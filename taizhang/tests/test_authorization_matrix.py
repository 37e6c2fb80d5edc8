"""The authorization matrix, generated from the URLconf: every URL pattern × every role × GET and POST.

Each URL name has ONE row in ``TABLE``: how to build its arguments, then the outcome expected for each role
of ``world.ROLES`` (anonymous, liaison of the owner unit, liaison of another unit, leader, inspector,
assessor, office, office of another campaign only), first for GET, then for an empty POST:

    L   a redirect to the login page          R   any other redirect (done, or sent back with a message)
    200 204 403 404 405 400   that status code

The objects asked about belong to 办公室 (lily's unit) in campaign 2021. Every row whose arguments name
objects is asked again with the objects of campaign "other" under campaign 2021's address: nobody may get
a page or a redirect-after-success there. A URL pattern without a row fails ``test_every_url_has_a_row``,
and its message prints the row to add (check each outcome before pasting it: this table is the policy).
A URL about a kind of object the world does not have yet: add the object to ``world._side`` (both campaigns
get one), then name it in the row (``pk=bulletin``); run the test once and the message prints the outcomes.

Each request runs in a savepoint that is rolled back, so every one of them sees the same data.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLResolver, reverse
from django.utils.http import urlencode

from .world import ROLE_NAMES, ROLES, build_kwargs, build_world, parse_spec, walk_urlconf

pytestmark = pytest.mark.django_db

# Arguments: ``pk=item`` an object of world._side by kind (item, attachment, job, demand, chase, …);
# ``slug=slug`` the campaign; ``what==answer`` a literal; ``pk=notice:owner`` lily's notice; ``period=week``
# this week's key; ``code=tracking_code``; ``?name=value`` a query value (``?d=@demand``: the demand's pk);
# ``year=bulletin_year number=bulletin_number`` the year and number of the object ``bulletin``.
# Left out, on purpose: Django's admin (staff only, Django's permissions) and the language switch.
# fmt: off
# name: (arguments, GET: anon owner other leader inspector assessor office stranger, POST: the same)
TABLE = {
    # --- accounts
    "favicon": ("", "R R R R R R R R", "R R R R R R R R"),
    "health_live": ("", "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "health_ready": ("", "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "login": ("", "200 R R R R R R R", "200 R R R R R R R"),
    "logout": ("", "405 405 405 405 405 405 405 405", "L L L L L L L L"),
    # --- orgs
    "orgs:lockouts": ("", "L 403 403 403 403 403 200 200", "L 403 403 403 403 403 400 400"),
    # --- audit: the log spans campaigns, so the office of any campaign reads it (as it keeps the units)
    "audit:event_list": ("", "L 403 403 403 403 403 200 200", "405 405 405 405 405 405 405 405"),
    "audit:event_export": ("", "L 403 403 403 403 403 200 200", "405 405 405 405 405 405 405 405"),
    "audit:person_data": ("", "L 403 403 403 403 403 200 200", "L 403 403 403 403 403 400 400"),
    "orgs:unit_tree": ("", "L 200 200 200 200 200 200 200", "L 200 200 200 200 200 200 200"),
    "orgs:unit_create": ("", "L 403 403 403 403 403 200 200", "L 403 403 403 403 403 200 200"),
    "orgs:unit_detail": ("pk=unit", "L 200 200 200 200 200 200 200", "L 200 200 200 200 200 200 200"),
    "orgs:unit_edit": ("pk=unit", "L 403 403 403 403 403 200 200", "L 403 403 403 403 403 200 200"),
    "orgs:unit_search": ("", "L 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "orgs:first_sign_in": ("token=first_sign_in_token", "200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400"),
    "orgs:unit_set_active": ("pk=unit", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R R"),
    # --- campaigns: set-up and the implementation plan
    "campaigns:campaign_new": ("", "L 403 403 403 403 403 200 200", "L 403 403 403 403 403 400 400"),
    "campaigns:setup": ("slug=slug", "L 403 403 200 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "campaigns:people_search": ("slug=slug", "L 403 403 200 200 200 200 403", "405 405 405 405 405 405 405 405"),
    "campaigns:plan": ("slug=slug", "L 200 200 200 200 200 200 403", "L 403 403 403 403 403 404 403"),
    "campaigns:plan_evidence": ("slug=slug pk=plan_evidence", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    # --- campaigns: people and roles (the office only)
    "campaigns:sign_in_links": ("slug=slug", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "campaigns:people": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "campaigns:person_new": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "campaigns:people_import": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "campaigns:people_grant": ("slug=slug", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 400 403"),
    "campaigns:grant_revoke": ("slug=slug pk=grant", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "campaigns:contact_points": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "campaigns:contact_point_remove": ("slug=slug pk=contact_point", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    # --- signon: the directory's groups → roles (the office), OIDC (off in the tests: 404), the second factor
    "signon:group_rules": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "signon:group_rule_remove": ("slug=slug pk=group_rule", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "signon:oidc_start": ("", "404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404"),
    "signon:oidc_callback": ("", "404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404"),
    "signon:otp_setup": ("", "L 200 200 200 200 200 200 200", "L 400 400 400 400 400 400 400"),
    "signon:otp_verify": ("", "L R R R R R R R", "L R R R R R R R"),
    "signon:otp_remove": ("", "L 405 405 405 405 405 405 405", "L R R R R R R R"),
    # --- study
    "study:home": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "study:activity_new": ("slug=slug", "L 200 200 403 403 403 200 403", "L 400 400 403 403 403 400 403"),
    "study:activity_detail": ("slug=slug pk=activity", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "study:activity_edit": ("slug=slug pk=activity", "L 200 403 403 403 403 200 403", "L 400 403 403 403 403 400 403"),
    "study:activity_attendance": ("slug=slug pk=activity", "L 200 403 403 403 403 200 403", "L R 403 403 403 403 R 403"),
    "study:activity_qr": ("slug=slug pk=activity", "L 200 403 403 403 403 200 403", "L 200 403 403 403 403 200 403"),
    "study:activity_model": ("slug=slug pk=activity", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "study:activity_photos": ("slug=slug pk=activity", "L 405 405 405 405 405 405 403", "L R 403 403 403 403 R 403"),
    "study:activity_photo": ("slug=slug pk=activity photo=activity_photo", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "study:activity_photo_remove": ("slug=slug pk=activity photo=activity_photo", "L 405 405 405 405 405 405 403", "L R 403 403 403 403 R 403"),
    "study:attendance_upload": ("slug=slug pk=activity", "L 200 403 403 403 403 200 403", "L 400 403 403 403 403 400 403"),
    "study:participation": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "study:activity_plan": ("slug=slug", "L 200 200 200 403 403 200 403", "L 400 400 403 403 403 400 403"),
    "study:roster": ("slug=slug", "L 200 200 200 403 403 200 403", "L 200 200 200 403 403 200 403"),
    "study:roster_import": ("slug=slug", "L 200 200 403 403 403 200 403", "L 400 400 403 403 403 400 403"),
    "study:member_new": ("slug=slug", "L 200 200 403 403 403 200 403", "L 400 400 403 403 403 400 403"),
    "study:member_edit": ("slug=slug pk=member", "L 200 403 403 403 403 200 403", "L 400 403 403 403 403 400 403"),
    "study:member_record": ("slug=slug pk=member", "L 200 403 200 403 403 200 403", "L 200 403 200 403 403 200 403"),
    "study:material_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "study:material_new": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "study:material_detail": ("slug=slug pk=material", "L 200 200 200 200 200 200 403", "L 403 403 403 403 403 400 403"),
    "study:material_file": ("slug=slug pk=material_file", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "study:activity_kinds": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 R 403"),
    "study:group_list": ("slug=slug", "L 200 200 200 403 403 200 403", "L 200 200 200 403 403 200 403"),
    "study:group_new": ("slug=slug", "L 200 200 403 403 403 200 403", "L 400 400 403 403 403 400 403"),
    "study:group_search": ("slug=slug", "L 200 200 403 403 403 200 403", "L 405 405 405 405 405 405 403"),
    "study:group_detail": ("slug=slug pk=member_group", "L 200 403 200 403 403 200 403", "L 400 403 403 403 403 400 403"),
    "study:group_edit": ("slug=slug pk=member_group", "L 200 403 403 403 403 200 403", "L 400 403 403 403 403 400 403"),
    "study:group_member_remove": ("slug=slug pk=member_group", "L 405 405 405 405 405 405 403", "L 400 403 403 403 403 400 403"),
    "study:group_export": ("slug=slug pk=member_group", "L 200 403 200 403 403 200 403", "L 200 403 200 403 403 200 403"),
    "study:group_member_search": ("slug=slug pk=member_group", "L 200 403 403 403 403 200 403", "L 405 405 405 405 405 405 403"),
    "study:sign_in": ("token=sign_in_token", "200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400"),
    "study:read": ("token=read_token", "200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400"),
    "study:reading": ("token=reading_token", "200 200 200 200 200 200 200 200", "R R R R R R R R"),
    "study:reading_file": ("token=reading_token pk=material_file", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    # --- ledger
    "ledger:item_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "ledger:item_search": ("slug=slug", "L 200 200 200 200 200 200 403", "405 405 405 405 405 405 405 405"),
    "ledger:item_export": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "ledger:item_create": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "ledger:item_detail": ("slug=slug pk=item", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "ledger:item_edit": ("slug=slug pk=item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "ledger:item_progress": ("slug=slug pk=item", "L 200 403 403 403 403 200 403", "L 200 403 403 403 403 200 403"),
    "ledger:item_comment": ("slug=slug pk=item", "405 405 405 405 405 405 405 405", "L R R R R R R 403"),
    "ledger:item_model_mark": ("slug=slug pk=item", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "ledger:item_withdraw": ("slug=slug pk=item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "ledger:attachment_download": ("slug=slug pk=attachment", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    # --- sheets
    "sheets:import_start": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "sheets:import_mapping": ("slug=slug pk=job", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "sheets:import_job": ("slug=slug pk=job", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "sheets:import_retry": ("slug=slug pk=job", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "sheets:import_confirm": ("slug=slug pk=job", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "sheets:import_place_unit": ("slug=slug pk=job", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "sheets:import_options": ("slug=slug pk=job", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "sheets:statistics_home": ("slug=slug", "L 200 200 403 403 403 200 403", "L 200 200 403 403 403 200 403"),
    "sheets:statistics_download": ("slug=slug period=week", "L 200 200 403 403 403 200 403", "L 200 200 403 403 403 200 403"),
    "sheets:statistics_upload": ("slug=slug period=week", "405 405 405 405 405 405 405 405", "L 400 400 403 403 403 400 403"),
    "sheets:statistics_preview": ("slug=slug pk=statistics_upload", "L R 404 403 403 403 404 403", "L R 404 403 403 403 404 403"),
    # --- reporting
    "reporting:report_home": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "reporting:board": ("slug=slug", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "reporting:board_export": ("slug=slug", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "reporting:expected_units": ("slug=slug", "L 403 403 200 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "reporting:expected_unit_remove": ("slug=slug unit=unit", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "reporting:document_home": ("slug=slug", "L 403 403 200 403 403 200 403", "L 403 403 404 403 403 404 403"),
    "reporting:document_detail": ("slug=slug pk=document", "L 403 403 200 403 403 200 403", "L 403 403 200 403 403 200 403"),
    "reporting:document_download": ("slug=slug pk=document", "L 403 403 404 403 403 404 403", "L 403 403 404 403 403 404 403"),
    "reporting:report_detail": ("slug=slug period=period unit=unit", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "reporting:report_progress": ("slug=slug period=period unit=unit item=item", "405 405 405 405 405 405 405 405", "L R 403 403 403 403 R 403"),
    "reporting:report_summary": ("slug=slug period=period unit=unit", "405 405 405 405 405 405 405 405", "L R 403 403 403 403 R 403"),
    "reporting:report_submit": ("slug=slug period=period unit=unit", "405 405 405 405 405 405 405 405", "L R 403 403 403 403 R 403"),
    "reporting:report_accept": ("slug=slug period=period unit=unit", "405 405 405 405 405 405 405 405", "L 404 403 404 404 404 404 403"),
    "reporting:report_return": ("slug=slug period=period unit=unit", "405 405 405 405 405 405 405 405", "L 404 403 404 404 404 404 403"),
    "reporting:report_reopen": ("slug=slug period=period unit=unit", "405 405 405 405 405 405 405 405", "L 404 403 404 404 404 404 403"),
    # --- notices
    "notices:inbox": ("", "L 200 200 200 200 200 200 200", "L 200 200 200 200 200 200 200"),
    "notices:bell": ("", "L 200 200 200 200 200 200 200", "L 200 200 200 200 200 200 200"),
    "notices:mark_all_read": ("", "405 405 405 405 405 405 405 405", "L R R R R R R R"),
    "notices:mark_read": ("pk=notice:owner", "405 405 405 405 405 405 405 405", "L 404 404 404 404 404 404 404"),
    "notices:preferences": ("", "L 200 200 200 200 200 200 200", "L R R R R R R R"),
    "notices:robots": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "notices:robot_active": ("slug=slug pk=robot", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "notices:send_log": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    # --- dashboards
    "dashboards:overview": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "dashboards:mine": ("slug=slug", "L R R R R R R 403", "L R R R R R R 403"),
    "dashboards:unit_home": ("slug=slug", "L 200 200 403 403 403 403 403", "L 200 200 403 403 403 403 403"),
    "dashboards:contacts": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "dashboards:screen": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "dashboards:data": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    # --- inspections: teams, inspections, findings and their rectification
    "inspections:home": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "inspections:team_list": ("slug=slug", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "inspections:team_new": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "inspections:team_detail": ("slug=slug pk=team", "L 403 403 200 200 200 200 403", "L 403 403 403 403 403 200 403"),
    "inspections:round_new": ("slug=slug pk=team", "405 405 405 405 405 405 405 405", "L 403 403 403 R 403 R 403"),
    "inspections:report_docx": ("slug=slug pk=team", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "inspections:report_pdf": ("slug=slug pk=team", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "inspections:inspection_new": ("slug=slug", "L 403 403 403 200 403 200 403", "L 403 403 403 200 403 200 403"),
    "inspections:inspection_detail": ("slug=slug pk=inspection", "L 200 403 200 200 200 200 403", "L 403 403 403 200 403 200 403"),
    "inspections:finding_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "inspections:finding_detail": ("slug=slug pk=finding", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "inspections:finding_answer": ("slug=slug pk=finding", "405 405 405 405 405 405 405 405", "L 400 403 403 403 403 400 403"),
    "inspections:finding_verify": ("slug=slug pk=finding", "405 405 405 405 405 405 405 405", "L 403 403 403 R 403 R 403"),
    "inspections:finding_return": ("slug=slug pk=finding", "405 405 405 405 405 405 405 405", "L 403 403 403 400 403 400 403"),
    "inspections:evidence_download": ("slug=slug pk=finding_evidence", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "inspections:lists": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "inspections:list_xlsx": ("slug=slug kind==tasks", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "inspections:list_docx": ("slug=slug kind==responsibility", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    # --- meetings: the office writes; overseers read all; a liaison reads meetings whose decisions name its unit
    "meetings:meeting_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "meetings:meeting_new": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "meetings:meeting_detail": ("slug=slug pk=meeting", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "meetings:meeting_edit": ("slug=slug pk=meeting", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "meetings:meeting_held": ("slug=slug pk=meeting", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "meetings:meeting_approve": ("slug=slug pk=meeting", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "meetings:agenda_build": ("slug=slug pk=meeting", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 R 403"),
    "meetings:agenda_edit": ("slug=slug pk=meeting", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "meetings:minutes_edit": ("slug=slug pk=meeting", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "meetings:decision_new": ("slug=slug pk=meeting", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "meetings:pack_docx": ("slug=slug pk=meeting", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "meetings:pack_pdf": ("slug=slug pk=meeting", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "meetings:minutes_docx": ("slug=slug pk=meeting", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "meetings:minutes_pdf": ("slug=slug pk=meeting", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "meetings:decision_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "meetings:decision_detail": ("slug=slug pk=decision", "L 200 403 200 200 200 200 403", "L 400 403 403 403 403 400 403"),
    "meetings:decision_edit": ("slug=slug pk=decision", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "meetings:decision_done": ("slug=slug pk=decision", "405 405 405 405 405 405 405 405", "L R 403 403 403 403 R 403"),
    "meetings:decision_close": ("slug=slug pk=decision", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "dashboards:key_tasks": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "dashboards:key_task": ("slug=slug pk=key_task", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "dashboards:key_task_edit": ("slug=slug pk=key_task", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 400 403"),
    "dashboards:key_task_owner": ("slug=slug pk=key_task", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "dashboards:key_task_progress": ("slug=slug pk=key_task", "L 405 405 405 405 405 405 403", "L 400 403 403 403 403 400 403"),
    # --- supervision
    "supervision:notice_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:notice_new": ("slug=slug item_pk=item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "supervision:notice_detail": ("slug=slug pk=chase", "L 200 200 200 200 200 200 403", "L 200 403 403 403 403 200 403"),
    "supervision:notice_docx": ("slug=slug pk=chase", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:notice_pdf": ("slug=slug pk=chase", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:responsibility_grid": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:responsibility_xlsx": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:responsibility_docx": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:responsibility_new": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "supervision:responsibility_edit": ("slug=slug pk=assignment", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "supervision:responsibility_end": ("slug=slug pk=assignment", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "supervision:instruction_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:instruction_new": ("slug=slug", "L 403 403 200 403 403 403 403", "L 403 403 200 403 403 403 403"),
    "supervision:instruction_detail": ("slug=slug pk=instruction", "L 200 404 200 200 200 200 403", "L 200 404 403 403 403 200 403"),
    "supervision:instruction_review": ("slug=slug pk=instruction", "405 405 405 405 405 405 405 405", "L 403 404 R 403 403 R 403"),
    "supervision:instruction_evidence": ("slug=slug pk=instruction_evidence", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "supervision:visit_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "supervision:visit_new": ("slug=slug", "L 403 403 200 403 403 200 403", "L 403 403 200 403 403 200 403"),
    "supervision:visit_detail": ("slug=slug pk=visit", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "supervision:visit_photo": ("slug=slug pk=visit_photo", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "supervision:contact_points_unvisited": ("slug=slug", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "supervision:contact_point_detail": ("slug=slug pk=contact_point", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    # --- people
    "people:demand_new": ("slug=slug", "200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400"),
    "people:public_unit_search": ("slug=slug ?q=办公", "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "people:track_lookup": ("", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:track": ("code=tracking_code", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:rate": ("slug=slug token=rating_token", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:rate_qr": ("slug=slug token=rating_token", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:track_rate": ("code=tracking_code pk=item", "404 404 404 404 404 404 404 404", "404 404 404 404 404 404 404 404"),  # the demand is not one of the item's
    "people:item_rating": ("slug=slug pk=item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "people:public_list": ("slug=slug", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:public_item": ("slug=slug pk=item", "200 200 200 200 200 200 200 200", "403 403 403 403 403 403 403 403"),
    "people:demand_list": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "people:settings": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "people:api_key_new": ("slug=slug", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "people:api_key_active": ("slug=slug pk=api_key", "L 405 405 405 405 405 405 403", "L 403 403 403 403 403 R 403"),
    "people:demand_record": ("slug=slug", "L 403 403 200 403 403 200 403", "L 403 403 200 403 403 200 403"),
    "people:demand_upload": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "people:item_from_demands": ("slug=slug ?d=@demand", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 R 403"),
    "people:demand_detail": ("slug=slug pk=demand", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "people:demand_photo": ("slug=slug pk=demand", "L 403 403 403 403 403 404 403", "L 403 403 403 403 403 404 403"),
    "people:demand_act": ("slug=slug pk=demand what==answer", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "acceptance:item_accept": ("slug=slug pk=item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "acceptance:item_close": ("slug=slug pk=item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 R 403"),
    "acceptance:item_reopen": ("slug=slug pk=item", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "people:item_publish": ("slug=slug pk=item", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "acceptance:lookback_record": ("slug=slug pk=lookback", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "acceptance:evidence_download": ("slug=slug pk=evidence", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "people:open311_services": ("fmt==json ?jurisdiction_id=2021", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:open311_service": ("code=category fmt==json ?jurisdiction_id=2021", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "people:open311_requests": ("fmt==json ?jurisdiction_id=2021", "200 200 200 200 200 200 200 200", "403 403 403 403 403 403 403 403"),
    "people:open311_request": ("request_id=demand fmt==json ?jurisdiction_id=2021", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    # --- bulletins: good-practice cases and the bulletin
    "bulletins:practice_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "bulletins:practice_new": ("slug=slug", "L 200 200 403 403 403 200 403", "L 200 200 403 403 403 200 403"),
    "bulletins:item_search": ("slug=slug ?q=OA", "L 200 200 200 200 200 200 403", "405 405 405 405 405 405 405 405"),
    "bulletins:practice_from_activity": ("slug=slug activity=activity", "405 405 405 405 405 405 405 405", "L R 403 403 403 403 R 403"),
    "bulletins:practice_from_report": ("slug=slug report=unit_report", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "bulletins:practice_detail": ("slug=slug pk=practice", "L 200 404 200 404 404 200 403", "L 200 404 200 404 404 200 403"),
    "bulletins:practice_edit": ("slug=slug pk=practice", "L 200 404 403 404 404 200 403", "L 200 404 403 404 404 200 403"),
    "bulletins:practice_photo_add": ("slug=slug pk=practice", "405 405 405 405 405 405 405 405", "L R 404 403 404 404 R 403"),
    "bulletins:photo": ("slug=slug pk=practice photo=photo", "L 200 404 200 404 404 200 403", "405 405 405 405 405 405 405 405"),
    "bulletins:practice_read": ("slug=slug pk=practice", "405 405 405 405 405 405 405 405", "L 204 404 204 404 404 204 403"),
    "bulletins:practice_act": ("slug=slug pk=practice what==submit", "405 405 405 405 405 405 405 405", "L R 404 403 404 404 R 403"),
    "bulletins:bulletin_list": ("slug=slug", "L 200 200 200 200 200 200 403", "L 200 200 200 200 200 200 403"),
    "bulletins:signatory_add": ("slug=slug", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "bulletins:signatory_remove": ("slug=slug pk=signatory", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "bulletins:bulletin_new": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
    "bulletins:bulletin_detail": ("slug=slug pk=draft_bulletin", "L 404 404 200 404 404 200 403", "L 404 404 200 404 404 200 403"),
    "bulletins:bulletin_edit": ("slug=slug pk=draft_bulletin", "L 404 404 403 404 404 200 403", "L 404 404 403 404 404 200 403"),
    "bulletins:bulletin_cases": ("slug=slug pk=draft_bulletin", "405 405 405 405 405 405 405 405", "L 404 404 403 404 404 R 403"),
    "bulletins:bulletin_download": ("slug=slug pk=draft_bulletin fmt==pdf", "L 404 404 200 404 404 200 403", "405 405 405 405 405 405 405 405"),
    "bulletins:bulletin_act": ("slug=slug pk=draft_bulletin what==sign-off", "405 405 405 405 405 405 405 405", "L 404 404 403 404 404 R 403"),
    "bulletins:public_bulletins": ("slug=slug", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "bulletins:public_bulletin": ("slug=slug year=bulletin_year number=bulletin_number", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "bulletins:public_bulletin_pdf": ("slug=slug year=bulletin_year number=bulletin_number", "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "bulletins:public_practice": ("slug=slug pk=published_practice", "200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200"),
    "bulletins:public_practice_read": ("slug=slug pk=published_practice", "405 405 405 405 405 405 405 405", "204 204 204 204 204 204 204 204"),
    "bulletins:public_photo": ("slug=slug pk=published_practice photo=published_photo", "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    "bulletins:public_feed": ("slug=slug", "200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405"),
    # --- assessment: schemes, scoring runs, results, adjustments, objections, penalties, outputs
    "assessment:home": ("slug=slug", "L 403 403 200 200 200 200 403", "L 403 403 403 403 403 400 403"),
    "assessment:scheme_import": ("slug=slug", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:scheme_copy": ("slug=slug", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:scheme_detail": ("slug=slug pk=scheme", "L 403 403 200 200 200 200 403", "L 403 403 403 403 403 R 403"),
    "assessment:section_add": ("slug=slug pk=scheme", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:item_add": ("slug=slug pk=scheme", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "assessment:item_edit": ("slug=slug pk=scheme item=scheme_item", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 400 403"),
    "assessment:item_remove": ("slug=slug pk=scheme item=scheme_item", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:scheme_reorder": ("slug=slug pk=scheme", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 400 403"),
    "assessment:scheme_version": ("slug=slug pk=scheme", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:scheme_xlsx": ("slug=slug pk=scheme", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "assessment:run_start": ("slug=slug pk=scheme", "405 405 405 405 405 405 405 405", "L 403 403 403 403 R R 403"),
    "assessment:run_detail": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "assessment:unit_breakdown": ("slug=slug pk=run unit=unit", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "assessment:unit_sheet": ("slug=slug pk=run unit=unit", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "assessment:item_score": ("slug=slug pk=run score=item_score", "L 200 403 200 200 200 200 403", "L 400 403 400 400 400 400 403"),
    "assessment:adjustment_file": ("slug=slug pk=run file=adjustment_file", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "assessment:score_file": ("slug=slug pk=run file=score_file", "L 200 403 200 200 200 200 403", "405 405 405 405 405 405 405 405"),
    "assessment:objection_file": ("slug=slug pk=run file=objection_file", "L 200 403 200 200 200 200 403", "L 200 403 200 200 200 200 403"),
    "assessment:adjustment_queue": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 403 403 403 400 403"),
    "assessment:objection_list": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 403 403 400 400 403"),
    "assessment:run_review": ("slug=slug pk=run", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:run_freeze": ("slug=slug pk=run", "405 405 405 405 405 405 405 405", "L 403 403 403 403 403 R 403"),
    "assessment:penalty_list": ("slug=slug pk=run", "L 200 200 200 200 200 200 403", "L 403 403 403 403 403 400 403"),
    "assessment:penalty_file": ("slug=slug pk=run file=penalty_file", "L 200 403 200 200 200 200 403", "405 405 405 405 405 405 405 405"),
    "assessment:circular_docx": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "assessment:circular_pdf": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "assessment:scores_xlsx": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "assessment:year_end_xlsx": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    "assessment:nominations_xlsx": ("slug=slug pk=run", "L 403 403 200 200 200 200 403", "L 403 403 200 200 200 200 403"),
    # --- campaigns
    "campaigns:home": ("", "L R R R R R R R", "L R R R R R R R"),
    "campaigns:campaign_home": ("slug=slug", "L R R 200 200 200 200 403", "L R R 200 200 200 200 403"),  # a liaison lands on their unit's home
    "campaigns:rules": ("slug=slug", "L 403 403 200 403 403 200 403", "L 403 403 403 403 403 200 403"),
    # --- api: the token pages (the API's own operations: test_api_matrix.py)
    "api:personal_tokens": ("", "L 200 200 200 200 200 200 200", "L 200 200 200 200 200 200 200"),
    "api:token_revoke": ("pk=api_token", "L 405 405 405 405 405 405 405", "L R 403 403 403 403 403 403"),
    "api:integration_tokens": ("slug=slug", "L 403 403 403 403 403 200 403", "L 403 403 403 403 403 200 403"),
}
# fmt: on

EXPECTED_OUTCOMES = {"L", "R", "200", "201", "204", "400", "403", "404", "405", "429"}


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, media_root):
    """One data set for the module, rolled back at the end."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _module_media(_test_settings, settings, media_root):
    settings.MEDIA_ROOT = media_root


def clients(world) -> dict[str, Client]:
    result = {"anon": Client()}
    for role in ROLES[1:]:
        client = Client()
        client.force_login(world.users[role])
        result[role] = client
    return result


def outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        return "L" if response.url.startswith(resolve_url(settings.LOGIN_URL)) else "R"
    return str(response.status_code)


def ask(client: Client, method: str, url: str, query: dict) -> str:
    """One request in a savepoint rolled back afterwards; an exception is reported as 500 with its type."""
    cache.clear()  # rate limits count per address: every request is a first one
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url, query)
            else:
                response = client.post(url + ("?" + urlencode(query) if query else ""))
            transaction.set_rollback(True)
    except Exception as error:  # a 500: the matrix shows it as an outcome, with its cause
        return f"500({type(error).__name__}: {error})"[:200]
    return outcome(response)


def url_for(name: str, spec: str, world, *, side: str = "own") -> tuple[str, dict]:
    kwargs = build_kwargs(" ".join(p for p in spec.split() if not p.startswith("?")), world, side=side)
    query = dict(p[1:].split("=", 1) for p in spec.split() if p.startswith("?"))
    chosen = world.foreign if side == "foreign" else world.own
    query = {k: chosen.objects[v[1:]].pk if v.startswith("@") else v for k, v in query.items()}
    return reverse(name, kwargs=kwargs), query


def observed(name: str, spec: str, world, who: dict[str, Client]) -> tuple[list[str], list[str]]:
    url, query = url_for(name, spec, world)
    get = [ask(who[role], "GET", url, query) for role in ROLES]
    post = [ask(who[role], "POST", url, query) for role in ROLES]
    return get, post


def guess_spec(pattern) -> str:
    names = list(pattern.pattern.converters) or list(pattern.pattern.regex.groupindex)
    return " ".join(f"{n}=slug" if n == "slug" else f"{n}=?" for n in names)


def test_only_the_admin_the_api_and_the_language_switch_are_left_out():
    from django.urls import get_resolver

    def count(patterns):
        return sum(count(p.url_patterns) if isinstance(p, URLResolver) else 1 for p in patterns)

    admin = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "admin")
    i18n = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and "i18n" in str(p.pattern))
    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api-v1")
    walked = len(walk_urlconf())
    left_out = count(admin.url_patterns) + count(i18n.url_patterns) + count(api.url_patterns)
    assert walked == count(get_resolver().url_patterns) - left_out


def test_every_url_has_a_row(world):
    """A new URL cannot skip the matrix: its name must be in TABLE (and no row may name a URL that is gone)."""
    urls = dict(walk_urlconf())
    missing = [name for name in urls if name not in TABLE]
    who = clients(world) if missing else {}
    lines = []
    for name in missing:
        spec = guess_spec(urls[name])
        if "=?" in spec:
            kinds = ", ".join(sorted(world.own.objects))
            lines.append(f'    "{name}": ("{spec}", "GET outcomes", "POST outcomes"),  # pk=one of: {kinds}')
            continue
        get, post = observed(name, spec, world, who)
        lines.append(f'    "{name}": ("{spec}", "{" ".join(get)}", "{" ".join(post)}"),')
    assert not missing, (
        "URL patterns without a row in taizhang/tests/test_authorization_matrix.py TABLE. Add these rows "
        "(the outcomes are what the code does now: check each one against the policy before pasting):\n"
        + "\n".join(lines)
    )
    assert [name for name in TABLE if name not in urls] == [], "rows for URLs that no longer exist"


@pytest.mark.parametrize("name", sorted(TABLE))
def test_each_role_gets_what_the_table_says(name, world):
    spec, get_line, post_line = TABLE[name]
    expected_get, expected_post = get_line.split(), post_line.split()
    assert len(expected_get) == len(expected_post) == len(ROLES), f"{name}: one outcome per role, {ROLES}"
    assert set(expected_get + expected_post) <= EXPECTED_OUTCOMES, f"{name}: outcomes are {EXPECTED_OUTCOMES}"
    get, post = observed(name, spec, world, clients(world))
    wrong = [
        f"{method} {ROLE_NAMES[role]}: expected {want}, got {got}"
        for method, wants, gots in (("GET", expected_get, get), ("POST", expected_post, post))
        for role, want, got in zip(ROLES, wants, gots, strict=True)
        if want != got
    ]
    url, _ = url_for(name, spec, world)
    assert not wrong, (
        f"{name} ({url}):\n  " + "\n  ".join(wrong) + f'\n  observed row: "{" ".join(get)}", "{" ".join(post)}"'
    )


CROSS_ROLES = ("anon", "owner", "office", "stranger")


def object_kinds(spec: str) -> set[str]:
    """The kinds of one campaign's objects a spec names, when the URL names the campaign (slug or jurisdiction).

    Units, their group robots, the members on their rosters and their member groups are shared by every
    campaign, and a tracking
    code is the public's own key: none of them belongs to one.
    """
    parts = spec.split()
    if "slug=slug" not in parts and not any(p.startswith("?jurisdiction_id=") for p in parts):
        return set()
    kinds = parse_spec(" ".join(p for p in parts if not p.startswith("?"))).values()
    return {
        k
        for k in kinds
        if k not in ("slug", "week", "unit", "robot", "member", "member_group", "tracking_code")
        and not k.startswith(("=", "notice:"))
    }


@pytest.mark.parametrize("name", sorted(name for name, row in TABLE.items() if object_kinds(row[0])))
def test_objects_of_another_campaign_are_not_reached_through_this_campaign(name, world):
    url, query = url_for(name, TABLE[name][0], world, side="foreign")
    who = clients(world)
    leaks = [
        f"{method} {ROLE_NAMES[role]}: {got}"
        for role in CROSS_ROLES
        for method in ("GET", "POST")
        if (got := ask(who[role], method, url, query)) in ("200", "201", "R") or got.startswith("500")
    ]
    assert not leaks, f"{name} ({url}) with campaign other's objects under campaign 2021:\n  " + "\n  ".join(leaks)


# The public site's addresses asked about what is not published: a draft case, its photo (also under a published
# case's address), an issue in preparation. Nobody, signed in or not, may reach any of them there.
UNPUBLISHED_ON_THE_PUBLIC_SITE = (
    ("bulletins:public_practice", "slug=slug pk=practice"),
    ("bulletins:public_practice_read", "slug=slug pk=practice"),
    ("bulletins:public_photo", "slug=slug pk=practice photo=photo"),
    ("bulletins:public_photo", "slug=slug pk=published_practice photo=photo"),
    ("bulletins:public_bulletin", "slug=slug year=draft_bulletin_year number=draft_bulletin_number"),
    ("bulletins:public_bulletin_pdf", "slug=slug year=draft_bulletin_year number=draft_bulletin_number"),
)


@pytest.mark.parametrize(("name", "spec"), UNPUBLISHED_ON_THE_PUBLIC_SITE)
def test_nothing_unpublished_is_reached_on_the_public_site(name, spec, world):
    url, query = url_for(name, spec, world)
    who = clients(world)
    method = "POST" if name.endswith("_read") else "GET"
    got = {ROLE_NAMES[role]: ask(who[role], method, url, query) for role in ROLES}
    assert set(got.values()) == {"404"}, f"{name} ({url}): {got}"
