import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from movements.models import Movement
from people.models import AuditAction, AuditEvent, Department, User
from tests.factories import MovementFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "employee_id,email,name,title,department_path,manager_email,location,active\n"
BASE = HEADER + (
    "E1,ceo@acme.test,Cara Chief,CEO,Board,,London,true\n"
    "E2,eng@acme.test,Eli Eng,Head of Engineering,Engineering,ceo@acme.test,London,true\n"
    "E3,pat@acme.test,Pat Platform,Engineer,Engineering/Platform,eng@acme.test,Berlin,true\n"
)


def run(tmp_path: Path, text: str, *args: str) -> tuple[str, str]:
    path = tmp_path / "people.csv"
    path.write_text(text)
    out, err = StringIO(), StringIO()
    call_command("import_directory", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_people_departments_and_managers(tmp_path):
    out, _ = run(tmp_path, BASE)
    assert "3 created" in out and "2 managers set" in out and "3 departments created" in out
    pat = User.objects.get(email="pat@acme.test")
    assert (pat.display_name, pat.job_title, pat.location, pat.employee_id) == (
        "Pat Platform",
        "Engineer",
        "Berlin",
        "E3",
    )
    assert pat.department.name == "Platform" and pat.department.parent.name == "Engineering"
    assert pat.department.path == f"/{pat.department.parent.pk}/{pat.department.pk}/"
    assert pat.manager.email == "eng@acme.test" and pat.manager.manager.email == "ceo@acme.test"
    assert not pat.has_usable_password()


def test_second_run_changes_nothing(tmp_path):
    run(tmp_path, BASE)
    before = list(User.objects.order_by("pk").values())
    out, _ = run(tmp_path, BASE, "--deactivate-missing")
    assert "Nothing changed" in out
    assert "0 created, 0 updated, 3 unchanged" in out
    assert list(User.objects.order_by("pk").values()) == before
    assert Department.objects.count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.DIRECTORY_IMPORT).count() == 1


def test_import_updates_changed_people_and_moves_them(tmp_path):
    run(tmp_path, BASE)
    changed = BASE.replace(
        "Pat Platform,Engineer,Engineering/Platform,eng@acme.test,Berlin",
        "Pat Platform,Senior engineer,Engineering/Data,ceo@acme.test,Paris",
    )
    out, _ = run(tmp_path, changed, "-v", "2")
    assert "updated E3: job_title, department, location" in out
    assert "manager of E3: ceo@acme.test" in out
    assert "1 updated" in out and "1 managers set" in out and "1 departments created" in out
    pat = User.objects.get(employee_id="E3")
    assert (pat.job_title, pat.location, pat.department.name, pat.manager.email) == (
        "Senior engineer",
        "Paris",
        "Data",
        "ceo@acme.test",
    )


def test_a_new_email_for_the_same_employee_id_updates_the_person(tmp_path):
    run(tmp_path, BASE)
    pat = User.objects.get(employee_id="E3")
    run(tmp_path, BASE.replace("pat@acme.test", "pat.platform@acme.test"))
    pat.refresh_from_db()
    assert pat.email == "pat.platform@acme.test"


def test_existing_person_without_employee_id_is_adopted_by_email(tmp_path):
    existing = UserFactory(email="pat@acme.test", employee_id=None)
    run(tmp_path, BASE)
    existing.refresh_from_db()
    assert existing.employee_id == "E3" and existing.display_name == "Pat Platform"
    assert User.objects.count() == 3


def test_deactivate_missing_deactivates_only_directory_people(tmp_path, monkeypatch):
    flagged = []
    monkeypatch.setattr(
        "nudges.subscribers._ask_members_to_lead",
        lambda movement_id: flagged.append(Movement.objects.get(pk=movement_id)),
    )
    run(tmp_path, BASE)
    local_admin = UserFactory(email="admin@acme.test", employee_id=None)
    movement = MovementFactory(founder=User.objects.get(employee_id="E3"))
    without_pat = BASE.replace(
        "E3,pat@acme.test,Pat Platform,Engineer,Engineering/Platform,eng@acme.test,Berlin,true\n", ""
    )

    out, _ = run(tmp_path, without_pat)
    assert User.objects.get(employee_id="E3").is_active  # not asked to deactivate
    out, _ = run(tmp_path, without_pat, "--deactivate-missing")
    assert "1 deactivated" in out
    assert not User.objects.get(employee_id="E3").is_active
    local_admin.refresh_from_db()
    assert local_admin.is_active
    assert flagged == [movement]
    assert movement.founder.email == "pat@acme.test"  # what they started stays theirs


def test_active_false_deactivates_and_true_brings_back(tmp_path):
    run(tmp_path, BASE)
    out, _ = run(tmp_path, BASE.replace("Berlin,true", "Berlin,false"))
    assert "1 deactivated" in out and not User.objects.get(employee_id="E3").is_active
    out, _ = run(tmp_path, BASE)
    assert "1 reactivated" in out and User.objects.get(employee_id="E3").is_active


def test_malformed_rows_are_reported_with_their_line_and_the_rest_goes_on(tmp_path):
    text = BASE + (
        "E4,not-an-email,Bad Email,,,,,true\n"
        ",noid@acme.test,No Id,,,,,true\n"
        "E5,five@acme.test,Five,,Sales,nobody@acme.test,,true\n"
        "E6,six@acme.test,Six,,Sales,,,maybe\n"
        "E3,dup@acme.test,Duplicate id,,,,,true\n"
        "E7,seven@acme.test,Seven,,Sales,,,true,extra\n"
        "E8,eight@acme.test,Eight,,Sales/Inside,pat@acme.test,,yes\n"
    )
    out, err = run(tmp_path, text)
    assert "line 5: email 'not-an-email' is not a valid address (row skipped)" in err
    assert "line 6: employee_id is empty" in err
    assert "line 7: manager nobody@acme.test is neither in the file nor in the directory" in err
    assert "line 8: active must be true or false, not 'maybe'" in err
    assert "line 9: employee_id E3 already appears on line 4" in err
    assert "line 10: more values than columns" in err
    assert "4 created" in out and "6 errors" in out
    assert set(User.objects.values_list("employee_id", flat=True)) == {"E1", "E2", "E3", "E8"}
    # A skipped row wrote nothing at all, not even its department.
    assert not Department.objects.filter(name="Sales", children__isnull=True).exists()
    assert User.objects.get(employee_id="E8").manager.email == "pat@acme.test"


def test_a_row_taking_someone_elses_email_is_refused(tmp_path):
    run(tmp_path, BASE)
    out, err = run(tmp_path, HEADER + "E9,pat@acme.test,Impostor,,,,,true\n")
    assert "line 2: email pat@acme.test belongs to employee E3" in err
    assert User.objects.get(email="pat@acme.test").display_name == "Pat Platform"


def test_missing_columns_or_file_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="has no employee_id column"):
        run(tmp_path, "email,name\nx@acme.test,X\n")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_directory", str(tmp_path / "missing.csv"))


def test_twenty_thousand_rows_import_well_under_a_minute(tmp_path, capsys):
    lines = [HEADER.strip()]
    for n in range(20_000):
        department = f"Division {n % 10}/Team {n % 100}"
        manager = f"p{n // 10}@acme.test" if n else ""
        lines.append(f"X{n},p{n}@acme.test,Person {n},Title {n % 7},{department},{manager},Site {n % 5},true")
    text = "\n".join(lines) + "\n"
    started = time.monotonic()
    out, err = run(tmp_path, text)
    first = time.monotonic() - started
    assert "20000 created" in out and "19999 managers set" in out
    assert "People: 20000/20000" in err  # progress on big files
    started = time.monotonic()
    out, _ = run(tmp_path, text, "--deactivate-missing")
    second = time.monotonic() - started
    assert "Nothing changed" in out
    with capsys.disabled():
        print(f"\n20,000-row directory import: first run {first:.1f}s, second (no changes) {second:.1f}s")
    assert first < 30 and second < 30


def test_a_row_the_database_refuses_is_skipped_whole_and_its_batch_still_lands(tmp_path):
    too_long = "x" * 250 + "@acme.test"  # a valid address, longer than the 254 characters the column holds
    out, err = run(tmp_path, BASE + f"E9,{too_long},Too Long,,Sales,,,true\nE10,ten@acme.test,Ten,,Sales,,,true\n")
    assert "line 5: the database refused the row: DataError (row skipped)" in err
    assert "4 created" in out
    assert set(User.objects.values_list("employee_id", flat=True)) == {"E1", "E2", "E3", "E10"}
