from __future__ import annotations

import io
import zipfile

import pytest

from app.domain.enums import KBDocType
from app.rag.errors import ExtractionError
from app.rag.extract import extract_csv, extract_text, sniff_type
from app.rag.fusion import rrf, weighted
from app.rag.span import best_span
from app.vectors.base import Hit, Payload


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


def test_sniff_by_magic_bytes_not_extension() -> None:
    assert sniff_type(b"%PDF-1.7\n...", "notes.txt") == KBDocType.PDF
    assert sniff_type(_zip(["word/document.xml", "[Content_Types].xml"]), "a.bin") == KBDocType.DOCX
    assert sniff_type("día,precio\n1,2\n".encode(), "prices.csv") == KBDocType.CSV
    assert sniff_type(b"# Title\n\nhello", "readme.md") == KBDocType.TXT
    assert sniff_type(b"plain", None) == KBDocType.TXT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (_zip(["xl/workbook.xml"]), "only .docx"),
        (b"PK\x03\x04garbage", "corrupt"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 100, "unsupported file type"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "unsupported file type"),
    ],
)
def test_sniff_refuses_unsupported(data: bytes, message: str) -> None:
    with pytest.raises(ExtractionError, match=message):
        sniff_type(data, "x.pdf")


def test_upload_size_limit() -> None:
    with pytest.raises(ExtractionError, match="too large"):
        sniff_type(b"a" * 101, "a.txt", max_bytes=100)


def test_text_and_csv_decoding() -> None:
    assert extract_text("\ufeffhola señor\r\n".encode()) == "hola señor"
    assert extract_text("caf\xe9".encode("cp1252")) == "café"
    csv_text = extract_csv(b'name;answer\nShipping;"Takes <b>3</b> days; free"\nEmpty;\n')
    assert csv_text == "name: Shipping\nanswer: Takes 3 days; free\n\nname: Empty"
    with pytest.raises(ExtractionError):
        extract_csv(b"only,a,header\n")


def _h(i: str, s: float) -> Hit:
    return Hit(i, s, Payload("w", "k", i))


def test_rrf_and_weighted_fusion() -> None:
    dense = [_h("a", 0.9), _h("b", 0.8), _h("c", 0.1)]
    kw = [_h("c", 12.0), _h("a", 6.0)]
    r = rrf([dense, kw], k=60)
    assert r["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert max(r, key=r.get) == "a"
    w = weighted(dense, kw, alpha=0.7)
    assert w["a"] == pytest.approx(0.7 * 1.0 + 0.3 * 0.0)
    assert w["c"] == pytest.approx(0.3 * 1.0)
    assert w["b"] == pytest.approx(0.7 * (0.7 / 0.8))
    assert weighted([], [], 0.5) == {}


def test_best_span_picks_the_sentence_that_answers() -> None:
    content = "We ship worldwide. Refunds are possible within 30 days. Call us anytime."
    span = best_span("how many days for a refund?", content)
    assert span.text == "Refunds are possible within 30 days."
    assert content[span.start : span.end].strip() == span.text
    assert best_span("zzz", "One. Two.").text == "One."


def test_boosted_fusion_keeps_dense_order_except_near_ties() -> None:
    from app.rag.fusion import boosted

    dense = [_h("a", 0.90), _h("b", 0.89), _h("c", 0.80)]
    kw = [_h("b", 10.0), _h("c", 10.0), _h("z", 5.0)]
    s = boosted(dense, kw, boost=0.02)
    # b is 0.01 behind a in cosine and the best keyword match: the boost reorders the near-tie
    assert s["b"] == pytest.approx(0.89 + 0.02) and max(s, key=s.get) == "b"
    # c is a full keyword match too, but 0.10 behind: keywords cannot lift it over a
    assert s["c"] == pytest.approx(0.82) and s["c"] < s["a"]
    # a keyword-only hit enters at the weakest dense cosine seen, plus its boost
    assert s["z"] == pytest.approx(0.80 + 0.01)
    assert boosted([], kw, 0.02) == {"b": 10.0, "c": 10.0, "z": 5.0}
    assert boosted(dense, [], 0.02) == {"a": 0.90, "b": 0.89, "c": 0.80}
