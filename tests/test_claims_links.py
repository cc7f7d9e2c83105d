"""The links of a document are the links markdown-it reads, each at the line it is written on."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from auditlib.claims import Listing, heading_anchors, heading_texts, read_claims
from auditlib.model import Claim

ROOT = Path(__file__).resolve().parent.parent
FILES = ["src/a.ts", "lib/a.ts", "src/my file.ts", "img/x.png"]


def claims_of(body: str, kind: str) -> list[Claim]:
    """The claims of one kind of a document whose body starts at line 3."""
    return [c for c in read_claims("a.md", f"# Title\n\n{body}\n", FILES) if c.kind == kind]


def links(body: str) -> list[tuple[str, str | None, int | None]]:
    return [(c.text, c.target, c.location.start_line) for c in claims_of(body, "link")]


@pytest.mark.parametrize(("body", "expected"), [
    ('[t](src/a.ts "the title")', [("[t](src/a.ts)", "src/a.ts", 3)]),
    ("[t](<src/my file.ts>)", [("[t](src/my file.ts)", "src/my file.ts", 3)]),
    # A reference is at the line where it is used, not where it is defined.
    ("See [t][ref],\n[ref] and [t][].\n\n[ref]: src/a.ts\n[t]: <lib/a.ts> 'title'",
     [("[t](src/a.ts)", "src/a.ts", 3), ("[ref](src/a.ts)", "src/a.ts", 4),
      ("[t](lib/a.ts)", "lib/a.ts", 4)]),
    ("[`a.ts:1`](src/a.ts#L1) and\n[a\nb](lib/a.ts)",
     [("[`a.ts:1`](src/a.ts#L1)", "src/a.ts", 3), ("[a\nb](lib/a.ts)", "lib/a.ts", 5)]),
    # An image is a link to its file; so is a linked image, and the link around it.
    ("![alt](img/x.png) [![b](img/x.png)](src/a.ts)",
     [("[alt](img/x.png)", "img/x.png", 3), ("[![b](img/x.png)](src/a.ts)", "src/a.ts", 3),
      ("[b](img/x.png)", "img/x.png", 3)]),
    # HTML links and images, in a paragraph and in an HTML block, with entities decoded
    ('See <a href="src/a.ts#L1-L2">a</a> and <img src=\'img/x.png\' width=9>.',
     [('<a href="src/a.ts#L1-L2">', "src/a.ts", 3), ('<img src="img/x.png">', "img/x.png", 3)]),
    ('<p align="center">\n  <img alt="x" src="img/x.png">\n  <a href="src/my%20file.ts?x=1&amp;y">'
     "</a>\n</p>",
     [('<img src="img/x.png">', "img/x.png", 4),
      ('<a href="src/my%20file.ts?x=1&amp;y">', "src/my file.ts", 5)]),
    # by attribute: not text in another attribute's value, not an <a>'s src; a tag over lines
    # is at its link's line
    ('<a title="see src=missing.md" href="img/x.png">x</a> <img alt="a > b" src="src/a.ts">'
     ' <a src="nope.md">n</a> <a href="{{ url }}">t</a>\n\n<p>\n<img\n  alt="x"\n  src="lib/a.ts">\n</p>',
     [('<a href="img/x.png">', "img/x.png", 3), ('<img src="src/a.ts">', "src/a.ts", 3),
      ('<img src="lib/a.ts">', "lib/a.ts", 8)]),
])
def test_links_markdown_reads_are_claims(
        body: str, expected: list[tuple[str, str | None, int | None]]) -> None:
    assert links(body) == expected


@pytest.mark.parametrize("body", [
    "`[x](src/missing.ts)`",
    "Text <!-- [x](src/missing.ts) --> in a paragraph",
    "<https://example.com/[x](src/missing.ts)>",
    r"\[x](src/missing.ts)",
    "```\n[x](src/missing.ts)\n```",
    "[x]: src/missing.ts",
    # HTML in a comment, a code span and a code block; a link to a page or a URL
    'Text <!-- <img src="src/missing.ts"> --> and `<a href="src/missing.ts">`',
    '<!--\n<a href="src/missing.ts">\n-->',
    '    <a href="src/missing.ts">',
    '<a href="#L10">line 10</a> <img src="https://example.com/x.png">',  # `#usage`, a heading, is checked
])
def test_what_only_looks_like_a_link_is_no_claim(body: str) -> None:
    assert links(body) == []
    assert claims_of(body + " (3 lines)", "line-count") == []


def test_links_keep_their_lines_in_a_long_paragraph() -> None:
    """Each line of a 30,000-line paragraph is found once (in linear time), not searched for."""
    body = "\n".join(f"[{n}](src/a.ts#L{n}) a.ts:{n}" for n in range(1, 30_001))
    found = read_claims("a.md", f"# Title\n\n{body}\n", FILES)
    assert [(c.kind, c.location.start_line, c.data["start"]) for c in found] == [
        *(("link", n + 2, n) for n in range(1, 30_001)),
        *(("citation", n + 2, n) for n in range(1, 30_001))]


def test_a_line_count_follows_any_link() -> None:
    found = claims_of("[t](src/a.ts \"x\") (12 lines), [r][] (1 line)\n\n[r]: lib/a.ts", "line-count")
    assert [(c.target, c.data["count"], c.location.start_line) for c in found] == [
        ("src/a.ts", 12, 3), ("lib/a.ts", 1, 3)]


@pytest.mark.parametrize(("body", "expected"), [
    ("[a.ts:3](src/a.ts#L3)", []),
    ('[t](src/a.ts "a.ts:4") and <https://example.com/a.ts:5>', []),
    ("`src/a.ts:6` and lib/a.ts:7", ["src/a.ts:6", "lib/a.ts:7"]),
])
def test_citations_are_not_read_inside_links(body: str, expected: list[str]) -> None:
    assert [c.text for c in claims_of(body, "citation")] == expected


@pytest.mark.parametrize(("body", "target"), [
    ("a.ts:1, as [the source][s] shows.\n\n[s]: src/a.ts", "src/a.ts"),
    ("a.ts:1, not `[x](lib/a.ts)`, [y](src/a.ts)", "src/a.ts"),
    ('a.ts:1, linked in HTML below.\n\n<p><a href="lib/a.ts">the library</a></p>', "lib/a.ts"),
])
def test_a_cited_name_means_the_file_the_document_links(body: str, target: str) -> None:
    assert [c.target for c in claims_of(body, "citation")] == [target]


@pytest.mark.parametrize(("doc", "body", "target"), [
    pytest.param("apps/b/README.md", "`src/main.ts:3`", "apps/b/src/main.ts", id="the-document-s-own-app"),
    pytest.param("apps/b/README.md", "```ts\n// src/main.ts:3\nx\n```", "apps/b/src/main.ts",
                 id="snippet"),
    pytest.param("apps/b/README.md", "`/src/lib.ts:3`", "src/lib.ts", id="from-the-root"),
    pytest.param("apps/b/README.md", "`lib/x.ts:3`", "lib/x.ts", id="not-in-the-document-s-folder"),
    pytest.param("README.md", "`src/lib.ts:3`", "src/lib.ts", id="a-root-document"),
    pytest.param("docs/README.md", "`src/lib.ts:3`", "docs/src/lib.ts",
                 id="in-the-document-s-folder-and-the-root-as-a-link-reads-it"),
    pytest.param("docs/README.md", "```ts\n// src/lib.ts:3\nx\n```", None,
                 id="a-snippet-in-the-document-s-folder-and-the-root"),
])
def test_a_cited_path_is_first_read_from_the_document_s_folder(doc: str, body: str,
                                                               target: str | None) -> None:
    # in a monorepo each app's README cites its own `src/…`, not another app's
    files = ["apps/a/src/main.ts", "apps/b/src/main.ts", "lib/x.ts", "docs/src/lib.ts", "src/lib.ts"]
    found = [c for c in read_claims(doc, f"# Title\n\n{body}\n", files)
             if c.kind in ("citation", "snippet")]
    assert [c.target for c in found] == [target]
    if target is None:  # either may hold the quoted code: drift only when neither does
        assert found[0].data["candidates"] == ["docs/src/lib.ts", "src/lib.ts"]


def test_a_listing_finds_the_files_a_name_ends_as_a_scan_does() -> None:
    """Listing.ending looks a cited name up by its file name: the same files, in the same
    order, as a scan of every path for the ones ending with `/name`."""
    files = ["a.ts", "src/a.ts", "apps/web/src/a.ts", "apps/web/src/b.ts", "lib/xa.ts",
             "apps/api/src/a.ts", "src/", "docs/README.md", "README.md"]
    listing = Listing(files)
    for name in ("a.ts", "src/a.ts", "web/src/a.ts", "b.ts", "xa.ts", "README.md", "", "src/",
                 "c.ts", "pps/web/src/a.ts"):
        assert listing.ending(name) == sorted(f for f in files if f.endswith("/" + name)), name
    assert "src/a.ts" in listing and "src" not in listing and len(listing) == len(files)


HEADINGS = """\
# The `KV` [store](src/a.ts) and ![a diagram](img/x.png)

Setext \\*heading\\* &amp; &copy; [ref]
---

> ## Quoted <span>html</span> heading
- ## In a list, *emphasis* and **strong**

| # a | b |
|---|---|
| ## not a heading | x |

```md
# not a heading in a fence
```

    # not in indented code

## [ref]: not a definition, a heading

[ref]: src/a.ts
### Same
### Same
####### seven is a paragraph
"""


@pytest.mark.parametrize("text", [
    HEADINGS, "\ufeff# After a BOM\n", "",
    *[path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("**/*.md"))
      if ".venv" not in path.parts and "outputs" not in path.parts],
])
def test_heading_texts_read_headings_as_a_whole_parse_does(text: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(text.removeprefix("\ufeff"))
    whole = ["".join(child.content for child in token.children or ()
                     if child.type in ("text", "code_inline"))
             for before, token in itertools.pairwise(tokens) if before.type == "heading_open"]
    assert heading_texts(text) == whole


@given(st.lists(st.sampled_from(["Notes", "Notes-1", "notes 2", "", "-1", "A (b)", "a-b"]),
                max_size=30))
def test_repeated_headings_are_numbered_from_1_as_a_scan_would(texts: list[str]) -> None:
    expected: set[str] = set()
    for text in texts:
        base = text.lower().replace("(", "").replace(")", "").replace(" ", "-")
        slug, number = base, 1
        while slug in expected:
            slug, number = f"{base}-{number}", number + 1
        expected.add(slug)
    assert heading_anchors("".join(f"## {text}\n\n" for text in texts)) == expected
