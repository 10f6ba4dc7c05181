"""The shared `{{contact.*}}` renderer and the opt-out words, without a database."""

from __future__ import annotations

from app.domain.consent import confirmation, opt_out_word
from app.domain.templating import contact_values, names, render, unknown


def test_contact_variables_fallbacks_and_what_was_missing() -> None:
    values = contact_values(
        name="  Ann Lee ", phone="+4915100000001", language="de", fields={"city": "Berlin"}
    )
    text = (
        "Hi {{ contact.first_name }} ({{contact.name}}), {{contact.fields.city}}/{{contact.city}}"
    )
    assert render(text, values).text == "Hi Ann (Ann Lee), Berlin/Berlin"
    out = render("Hi {{contact.fields.plan}}{{contact.fields.tier|friend}}!", values)
    assert (out.text, out.missing) == ("Hi friend!", ("contact.fields.plan",))
    nobody = contact_values(name=None, phone="+1")
    assert render("Hi {{contact.first_name|there}}", nobody).text == "Hi there"
    assert render("no variables {here}", values).text == "no variables {here}"
    assert names("{{a}} {{contact.name}} {{a}}") == ["a", "contact.name"]


def test_unknown_variables_are_typos_to_refuse() -> None:
    assert unknown("{{contact.name}} {{contact.fields.any}} {{contact.city}}", {"city"}) == []
    assert unknown("{{contact.nmae}} {{vars.x}} {{contact.town}}", {"city"}) == [
        "contact.nmae", "vars.x", "contact.town",
    ]  # fmt: skip


def test_opt_out_words_are_whole_messages_in_any_case() -> None:
    assert opt_out_word("STOP") == "STOP"
    assert opt_out_word("  stop!! ") == "STOP"
    assert opt_out_word("Baja.") == "BAJA"
    assert opt_out_word("párar") == "PARAR"  # accents folded
    assert opt_out_word("please stop") is None
    assert opt_out_word("") is None and opt_out_word(None) is None
    assert opt_out_word("Abmelden", ["abmelden"]) == "ABMELDEN"
    assert opt_out_word("abmelden") is None


def test_confirmation_language_follows_the_word_then_the_contact() -> None:
    assert confirmation("BAJA", "de").startswith("No recibirás")
    assert confirmation("PARAR", None).startswith("Você não receberá")
    assert confirmation("ROKO", None).startswith("अब आपको")
    assert confirmation("STOP", "de-DE").startswith("Sie erhalten keine")
    assert confirmation("STOP", "xx").startswith("You will not receive")
    assert confirmation("ABMELDEN", "fr").startswith("Vous ne recevrez")
