"""Pictures from the directory: a `photo` column with a file path relative to the CSV (HR systems export a
folder of photos beside the people list). Each picture goes through the upload's code (a 256 px square JPEG);
a person's own upload is never replaced; a bad picture is reported with its line and the import goes on."""

import io
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from people import services
from people.models import Avatar, User

pytestmark = pytest.mark.django_db

HEADER = "employee_id,email,name,title,department_path,manager_email,location,active,photo\n"


def picture_file(folder: Path, name: str, *, size=(600, 400), colour=(10, 120, 200), fmt="PNG") -> str:
    """A real image file made by Pillow; returns its path relative to `folder`."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, colour).save(path, format=fmt)
    return name


def run(folder: Path, rows: list[str]) -> tuple[str, str]:
    path = folder / "people.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows))
    out, err = StringIO(), StringIO()
    call_command("import_directory", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def avatar_image(email: str) -> Image.Image:
    return Image.open(io.BytesIO(bytes(Avatar.objects.get(person__email=email).image)))


def test_a_picture_from_the_directory_becomes_the_avatar(tmp_path):
    photo = picture_file(tmp_path, "photos/E1.png", size=(900, 600))
    out, _ = run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    assert "1 pictures set" in out
    ada = User.objects.get(email="ada@acme.test")
    assert ada.avatar_version == 1
    image = avatar_image("ada@acme.test")
    assert (image.format, image.size) == ("JPEG", (256, 256))
    assert Avatar.objects.get(person=ada).from_directory


def test_a_second_run_with_the_same_picture_changes_nothing(tmp_path):
    photo = picture_file(tmp_path, "E1.png")
    run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    before = bytes(Avatar.objects.get().image)
    out, _ = run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    assert "Nothing changed" in out and "0 pictures set" in out
    assert User.objects.get().avatar_version == 1 and bytes(Avatar.objects.get().image) == before


def test_a_new_picture_in_the_directory_replaces_the_directory_one(tmp_path):
    photo = picture_file(tmp_path, "E1.png", colour=(200, 0, 0))
    run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    picture_file(tmp_path, "E1.png", colour=(0, 200, 0))
    out, _ = run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    assert "1 pictures set" in out
    assert User.objects.get().avatar_version == 2
    red, green, blue = avatar_image("ada@acme.test").getpixel((128, 128))
    assert green > 150 and red < 60


def test_a_picture_the_person_uploaded_wins_over_the_directory(tmp_path):
    run(tmp_path, ["E1,ada@acme.test,Ada,,,,,true,"])
    ada = User.objects.get()
    own = io.BytesIO()
    Image.new("RGB", (300, 300), (250, 250, 0)).save(own, format="JPEG")
    services.avatar_set(person=ada, upload=SimpleUploadedFile("me.jpg", own.getvalue(), content_type="image/jpeg"))
    uploaded = bytes(Avatar.objects.get().image)
    photo = picture_file(tmp_path, "E1.png")
    out, _ = run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    assert "0 pictures set" in out
    assert bytes(Avatar.objects.get().image) == uploaded and not Avatar.objects.get().from_directory
    assert User.objects.get().avatar_version == 1


def test_an_upload_after_the_import_replaces_the_directory_picture_for_good(tmp_path):
    photo = picture_file(tmp_path, "E1.png")
    run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    own = io.BytesIO()
    Image.new("RGB", (300, 300), (250, 250, 0)).save(own, format="JPEG")
    services.avatar_set(
        person=User.objects.get(), upload=SimpleUploadedFile("me.jpg", own.getvalue(), content_type="image/jpeg")
    )
    uploaded = bytes(Avatar.objects.get().image)
    picture_file(tmp_path, "E1.png", colour=(0, 0, 0))  # a new directory photo: still not theirs
    run(tmp_path, [f"E1,ada@acme.test,Ada,,,,,true,{photo}"])
    assert bytes(Avatar.objects.get().image) == uploaded


def test_bad_pictures_are_reported_per_row_and_the_import_goes_on(tmp_path, settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 200_000
    good = picture_file(tmp_path, "good.png")
    (tmp_path / "notes.png").write_bytes(b"this is not a picture")
    wide = picture_file(tmp_path, "wide.png", size=(9000, 40))  # small file, too many pixels a side
    (tmp_path / "huge.jpg").write_bytes(b"\xff\xd8" + b"x" * 300_000)  # over the upload limit: never read
    outside = tmp_path.parent / "secret.png"
    picture_file(tmp_path.parent, "secret.png")
    out, err = run(
        tmp_path,
        [
            "E1,a@acme.test,A,,,,,true,notes.png",
            f"E2,b@acme.test,B,,,,,true,{wide}",
            "E3,c@acme.test,C,,,,,true,huge.jpg",
            "E4,d@acme.test,D,,,,,true,missing.png",
            f"E5,e@acme.test,E,,,,,true,../{outside.name}",
            f"E6,f@acme.test,F,,,,,true,{good}",
        ],
    )
    assert "6 created" in out and "1 pictures set" in out and "5 picture problems" in out
    assert (
        "line 2: photo notes.png: That file is not a picture we can read. Use a JPEG, PNG, WebP or GIF image. "
        "(picture left out, the row imported)" in err
    )
    assert "line 3: photo wide.png: That picture is 9000 × 40 pixels; at most 8000 pixels a side, please." in err
    assert "line 4: photo huge.jpg: That file is larger than 0.2 MB. Choose a smaller picture." in err
    assert "line 5: photo missing.png: no such file" in err
    assert "line 6: photo ../secret.png: the path leads outside the CSV's folder" in err
    assert User.objects.count() == 6
    assert list(Avatar.objects.values_list("person__email", flat=True)) == ["f@acme.test"]
    assert list(User.objects.filter(avatar_version__gt=0).values_list("email", flat=True)) == ["f@acme.test"]


def test_a_file_without_a_photo_column_imports_as_before(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("employee_id,email,name\nE1,ada@acme.test,Ada\n")
    out = StringIO()
    call_command("import_directory", str(path), stdout=out, stderr=StringIO())
    assert "1 created" in out.getvalue() and "0 pictures set" in out.getvalue()
    assert not Avatar.objects.exists()
