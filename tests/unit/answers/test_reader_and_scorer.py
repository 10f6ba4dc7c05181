"""The reader, the scorer and the model-confidence rule on small, hand-made evidence (the
hashing embedder: deterministic, no model)."""

from __future__ import annotations

import dataclasses

import numpy as np

from app.answers import calibration
from app.answers.answerer import NOTHING, Answerer, send_threshold
from app.answers.calibration import Logistic
from app.answers.coefficients import SEND_FLOOR
from app.answers.combine import model_confidence, unsupported_figures
from app.answers.evidence import Baselines, Candidate, Evidence, from_passages
from app.answers.reader import ReaderWeights, UnitVectors, citation, read
from app.embeddings.fake import FakeEmbeddings
from app.llm import Passage

EMB = FakeEmbeddings()


def _chunk(i: int, text: str, page: int, cosine: float) -> Candidate:
    return Candidate(
        f"c{i}", "doc1", "chunk", text, f"[Costs · p. {page}]", None, "price-list", page,
        cosine, 0.5,
    ).with_terms()  # fmt: skip


def _evidence(question: str, *cands: Candidate) -> Evidence:
    q = np.asarray(EMB.embed_query(question), dtype=np.float32)
    return Evidence(question, cands, q, EMB.embed_documents, EMB.name, 0.1, (0.3, 0.1))


def test_a_table_row_is_quoted_whole_with_its_labels() -> None:
    table = (
        "ESTIMATED COSTS — Action: Stabilizer wiring change | Cost per product: $10,505\n"
        "ESTIMATED COSTS — Action: AOA sensor system test | Labor cost: 40 work-hours × $85 "
        "per hour = $3,400. | Cost per product: $3,400"
    )
    ev = _evidence(
        "AOA sensor system test cost per product",
        _chunk(1, "The FAA has received no definitive data on the flight.", 6, 0.5),
        _chunk(2, table, 6, 0.45),
    )
    got = read(ev, UnitVectors(), ReaderWeights(passage=0.0))
    assert got is not None
    assert got.text.startswith("ESTIMATED COSTS — Action: AOA sensor system test")
    assert got.text.endswith("Cost per product: $3,400") and len(got.units) == 1
    assert citation(got.candidate) == "— price-list, p. 6"


def test_a_figure_question_is_never_cut_before_the_figure() -> None:
    text = (
        "Operators that have a MEL must revise it for the new flight control system rules. "
        "The average total cost per operator is estimated at $7,650 for the revision. "
        "Warranty may cover some costs."
    )
    ev = _evidence("How much does revising the MEL for operators cost?", _chunk(1, text, 6, 0.5))
    got = read(ev, UnitVectors(), ReaderWeights(passage=0.0, terms=0.0, companion=0.0))
    assert got is not None and "$7,650" in got.text


def test_a_lead_in_ending_in_a_colon_brings_its_list() -> None:
    """The held-out miss of session 7: the lead-in was quoted without the commands it lists."""
    text = (
        "Function usage is managed with CL commands.\n"
        "The following CL commands can be used to work with or change function usage IDs:\n"
        "- WRKFCNUSG (Work with Function Usage)\n"
        "- CHGFCNUSG (Change Function Usage)\n"
        "- DSPFCNUSG (Display Function Usage)\n\n"
        "Security administrators should review them yearly."
    )
    ev = _evidence(
        "Which CL commands can be used to work with or change function usage IDs?",
        _chunk(1, text, 3, 0.5),
    )
    got = read(ev, UnitVectors(), ReaderWeights(passage=0.0, terms=0.0, companion=0.0))
    assert got is not None and got.units[0].endswith("function usage IDs:")
    assert "CHGFCNUSG (Change Function Usage)" in got.text
    assert "review them yearly" not in got.text  # the list, not what follows it


def test_logistic_and_family() -> None:
    m = Logistic(("a", "a*b"), (2.0, 1.0), -1.0)
    assert abs(m.probability({"a": 0.5, "b": 2.0}) - 1 / (1 + np.exp(-1.0))) < 1e-9
    assert calibration.family("multilingual-e5-small-q4", dense=True) == "e5"
    assert calibration.family("fake-hash-64", dense=True) == "lexical"
    assert calibration.family("multilingual-e5-small-q4", dense=False) == "lexical"


def test_the_nearest_faq_is_not_an_answer_to_another_question() -> None:
    """Keyword-only evidence (the lexical family): a paraphrase of the FAQ's question gets the
    curated answer confidently; a question that merely shares "order" with it does not."""
    faq = Passage(
        "f1", "Q: Do you deliver orders?\nA: Yes, within 5 km.", 0.4, "faq",
        "Do you deliver orders?", "Yes, within 5 km.",
    )  # fmt: skip
    answerer = Answerer()
    same = answerer.answer(from_passages("Do you deliver orders to my home?", [faq]), "en")
    other = answerer.answer(from_passages("Can I pay with PayPal when I order?", [faq]), "en")
    assert same.route == "faq" and same.text == "Yes, within 5 km."
    assert same.confidence > 0.6 > other.confidence


def test_the_no_model_mode_never_sends_below_its_fitted_floor() -> None:
    """A lower workspace threshold cannot make the reader send guesses; a stricter one holds."""
    for route, floor in SEND_FLOOR.items():
        assert 0.5 < floor < 1.0
        answer = dataclasses.replace(NOTHING, route=route, floor=floor)
        assert send_threshold(0.3, answer) == send_threshold(0.5, answer) == floor
        assert send_threshold(0.995, answer) == 0.995


def test_a_quote_in_another_language_is_not_an_answer_in_this_mode() -> None:
    faq = Passage("f1", "Q: x", 0.9, "faq", "Do you deliver orders?", "Yes, within 5 km.")
    ev = from_passages("Do you deliver orders?", [faq])
    answerer = Answerer()
    assert answerer.answer(ev, "es", lambda text: "en").confidence <= 0.05


def test_model_confidence_is_capped_by_retrieval_and_made_up_figures() -> None:
    assert model_confidence(0.9, 0.2, "Yes.", ["We deliver."], "Do you deliver?") == 0.2
    assert model_confidence(0.7, 0.95, "Yes.", ["We deliver."], "Do you deliver?") == 0.7
    assert model_confidence(None, None, "Yes.", [], "q") is None
    assert model_confidence(0.9, None, "Yes.", [], "q") == 0.9  # no knowledge at all
    made_up = model_confidence(0.95, 0.95, "It costs $4,200.", ["It costs $3,400."], "cost?")
    assert made_up is not None and made_up <= 0.2
    assert unsupported_figures("1. Call 202-493-2251", ["Fax: 202–493–2251."], "fax?") == set()


def test_background_baseline_is_computed_once_per_embedder() -> None:
    calls = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return EMB.embed_documents(texts)

    b = Baselines()
    q = np.asarray(EMB.embed_query("hello"), dtype=np.float32)
    b.baseline("x", embed, q)
    b.baseline("x", embed, q)
    assert len(calls) == 1


def test_indexing_warms_the_readers_sentence_cache() -> None:
    """A document's sentences are embedded when it is indexed, not while a customer waits."""
    calls: list[int] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return EMB.embed_documents(texts)

    text = "Delivery is free above 300 rupees. We deliver within 5 km.\n\nOpen 8 am to 9 pm daily."
    answerer = Answerer()
    assert answerer.warm([text], embed) == 3 and calls == [3]
    q = np.asarray(EMB.embed_query("When are you open?"), dtype=np.float32)
    ev = Evidence("When are you open?", (_chunk(1, text, 1, 0.9),), q, embed, EMB.name, 0.1, None)
    assert read(ev, answerer.vectors, answerer.reader) is not None
    assert calls == [3]  # every unit came from the cache


def test_a_quote_that_stands_out_from_its_neighbours_says_so() -> None:
    """`unit_margin` / `unit_z` (session 9): the reader reports how far its quote stands out
    from the units it does not quote, and the passage signals carry both."""
    from app.answers import signals

    text = (
        "The shop sells fresh bread every morning. Parking is free behind the building. "
        "The bakery opens at seven on Sundays."
    )
    ev = _evidence("fresh bread every morning", _chunk(1, text, 1, 0.5))
    got = read(ev, UnitVectors(), ReaderWeights(passage=0.0, terms=0.0, companion=0.0))
    assert got is not None and got.units[0] == "The shop sells fresh bread every morning."
    assert got.margin is not None and got.margin > 0
    assert got.unit_z is not None and got.unit_z > 0
    sig = signals.passage(ev, got)
    assert sig["unit_margin"] == got.margin and sig["unit_z"] == got.unit_z


def test_the_questions_script_is_a_passage_signal() -> None:
    """`latin` (session 9): the quote model reads how much of the question is Latin script."""
    from app.answers import signals

    assert signals.latin_share("When was the bridge built?") == 1.0
    assert signals.latin_share("¿Cuándo se construyó el puente?") == 1.0
    assert signals.latin_share("पुल कब बना?") == 0.0
    assert signals.latin_share("متى بني الجسر؟") == 0.0
    assert 0.0 < signals.latin_share("Boeing 737 का निरीक्षण कब?") < 1.0
    assert signals.latin_share("???") == 1.0
    ev = _evidence("cost per product", _chunk(1, "Cost per product: $3,400.", 6, 0.5))
    got = read(ev, UnitVectors())
    assert got is not None and signals.passage(ev, got)["latin"] == 1.0
