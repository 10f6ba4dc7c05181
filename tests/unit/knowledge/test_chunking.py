from __future__ import annotations

import itertools

import pytest

from app.rag.chunking import PageText, chunk_pages


def words(text: str) -> int:
    return len(text.split())


def _doc(paragraphs: int = 6, sentences: int = 10) -> str:
    return "\n\n".join(
        " ".join(f"Fact {p}.{s} is stated here plainly." for s in range(sentences))
        for p in range(paragraphs)
    )


def test_chunks_respect_size_and_cover_all_text() -> None:
    chunks = chunk_pages(_doc(), words, chunk_tokens=100, overlap_tokens=20)
    assert len(chunks) > 3
    assert all(c.token_count <= 100 for c in chunks)
    assert all(c.token_count >= 40 for c in chunks[:-1])  # packed, not one sentence each
    joined = " ".join(c.content for c in chunks)
    assert all(f"Fact {p}.{s} " in joined for p in range(6) for s in range(10))
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_overlap_carries_whole_trailing_sentences() -> None:
    chunks = chunk_pages(_doc(), words, chunk_tokens=100, overlap_tokens=20)
    for prev, nxt in itertools.pairwise(chunks):
        first_sentence = nxt.content.split(". ")[0] + "."
        assert first_sentence in prev.content  # the next chunk starts inside the previous one
        overlap = sum(
            words(s)
            for s in nxt.content.split("\n\n")[0].split(". ")
            if s and (s.rstrip(".") + ".") in prev.content
        )
        assert 0 < overlap <= 20 + 7


def test_zero_overlap_and_invalid_settings() -> None:
    chunks = chunk_pages(_doc(), words, chunk_tokens=100, overlap_tokens=0)
    assert sum(c.token_count for c in chunks) == words(_doc())
    with pytest.raises(ValueError):
        chunk_pages("x", words, chunk_tokens=50, overlap_tokens=50)


def test_pages_and_sections_in_metadata() -> None:
    pages = [
        PageText("Intro text. " * 30, 1),
        PageText("# Refunds\n\n" + "Refunds take 14 days. " * 40, 2),
    ]
    chunks = chunk_pages(pages, words, chunk_tokens=60, overlap_tokens=10)
    assert chunks[0].metadata["page"] == 1
    last = chunks[-1].metadata
    assert (last["page"], last["page_end"], last["section"]) == (2, 2, "Refunds")
    assert any(c.metadata["page"] == 1 and c.metadata["page_end"] == 2 for c in chunks)


def test_oversized_sentence_and_unbroken_blob_are_split() -> None:
    text = "word " * 250 + ". " + "x" * 5000

    def subwords(s: str) -> int:  # ~4 characters per token, like a subword tokenizer
        return sum(max(1, -(-len(w) // 4)) for w in s.split())

    chunks = chunk_pages(text, subwords, chunk_tokens=100, overlap_tokens=10)
    assert all(c.token_count <= 100 for c in chunks)
    assert "".join(c.content for c in chunks).count("x") >= 5000


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_pages("   \n\n  ", words) == []
