"""Templates: every kind of message in Indonesian and English, with the same fields."""

from datetime import UTC, date, datetime

import pytest

from dispatch.customer.models import Language
from dispatch.localtime import zone
from dispatch.outreach import texts
from dispatch.outreach.models import MessageKind
from dispatch.outreach.templates import SIGNATURE, TEMPLATES, render

JAKARTA = zone("Asia/Jakarta")


@pytest.mark.parametrize("kind", list(MessageKind))
def test_templates_exist_in_both_languages_with_the_same_fields(kind: MessageKind) -> None:
    """A context that renders Indonesian renders English too."""
    indonesian, english = TEMPLATES[Language.ID][kind], TEMPLATES[Language.EN][kind]
    assert indonesian.fields() == english.fields()
    context = {name: f"<{name}>" for name in indonesian.fields()}
    for language in Language:
        rendered = render(kind, language, context)
        assert "{" not in rendered.subject + rendered.body
        assert rendered.body.endswith(SIGNATURE)


def test_render_names_the_missing_fields() -> None:
    """A context without a needed field is an error that says which."""
    with pytest.raises(ValueError, match=r"survey \(en\) needs link, name"):
        render(MessageKind.SURVEY, Language.EN, {"what": "x", "product": "y", "technician": "z"})


def test_render_fills_the_survey_in_indonesian() -> None:
    """The Indonesian survey text, filled."""
    context = {
        "name": "Siti",
        "what": "pemasangan",
        "product": "Sejuk AC Split 1 PK",
        "technician": "Budi",
        "link": "https://purna.example/v1/surveys/t",
    }
    rendered = render(MessageKind.SURVEY, Language.ID, context)
    assert rendered.subject == "Bagaimana kunjungan Budi?"
    assert rendered.body == (
        "Halo Siti, terima kasih telah menggunakan layanan kami untuk pemasangan Sejuk AC Split "
        "1 PK. Mohon beri penilaian Anda (1 menit): https://purna.example/v1/surveys/t\n\n- Purna"
    )


def test_day_and_window_texts_in_both_languages() -> None:
    """Dates and windows read naturally: Indonesian day names and 09.00, English and 09:00."""
    start = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    end = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
    assert texts.day_text(date(2026, 3, 10), Language.ID) == "Selasa, 10 Maret 2026"
    assert texts.day_text(date(2026, 8, 17), Language.EN) == "Monday 17 August 2026"
    assert texts.window_text(start, end, JAKARTA, Language.ID) == "09.00-12.00 WIB"
    assert texts.window_text(start, end, zone("Asia/Makassar"), Language.EN) == "10:00-13:00 WITA"


def test_slots_text_lists_windows_or_asks_to_call() -> None:
    """Offered windows one per line; none gives a hint to contact the service."""
    slot = (datetime(2026, 3, 11, 1, 0, tzinfo=UTC), datetime(2026, 3, 11, 3, 0, tzinfo=UTC))
    assert (
        texts.slots_text([slot], JAKARTA, Language.ID) == "- Rabu, 11 Maret 2026, 08.00-10.00 WIB"
    )
    assert texts.slots_text([], JAKARTA, Language.EN) == "Contact us to choose a time."
