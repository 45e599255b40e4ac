"""The English catalogue is complete: every string the code and templates use is translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    with open(ROOT / "fieldlog/translations/en/LC_MESSAGES/messages.po", "rb") as f:
        catalogue = read_po(f)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id and m.string and "fuzzy" not in m.flags
    }
    missing = sorted(wanted - translated)
    assert not missing, f"{len(missing)} message(s) without English: {missing[:10]}"


def test_english_pages_are_in_english(client):
    client.get("/lang/en?next=/login")
    page = client.get("/login").get_data(as_text=True)
    assert "Username" in page and "Password" in page and "Användarnamn" not in page
