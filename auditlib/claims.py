"""Collect the claims of a Markdown audit document (markdown-it-py does the parsing).

A claim is something the document asserts about the repository: a link, a line range, a
line count, a quoted snippet or configuration block, a binding or class named in a table,
"not configured". Collecting them judges nothing; the drift rules compare them with facts.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from html import unescape
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt, rules_inline
from markdown_it.parser_inline import RuleFuncInlineType
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .docs import BOM, is_generated, keep_lines, markdown_lines, read_header
from .model import Claim, DocClaims, Location
from .secrets import REDACTED, redact


def _with_source(rule: RuleFuncInlineType) -> RuleFuncInlineType:
    """markdown-it's `rule` for links, images or autolinks, noting on the token it opens where
    the link's source starts and ends in the inline content, and its label as written:
    markdown-it keeps no positions inside a block, and a claim is at its own line."""
    def read(state: StateInline, silent: bool) -> bool:
        start, count = state.pos, len(state.tokens)
        found = rule(state, silent)
        if found and not silent:
            # The rule may first push the text before the link.
            opened = next(token for token in state.tokens[count:] if token.type != "text")
            opened.meta["source"] = (start, state.pos)
            bracket = start + state.src.startswith("!", start)  # an image's label follows its `!`
            if state.src.startswith("[", bracket):  # not an autolink
                end = state.md.helpers.parseLinkLabel(state, bracket, opened.type == "link_open")
                opened.meta["label"] = state.src[bracket + 1:end]
        return found
    return read


_PARSER = MarkdownIt("commonmark").enable("table")
_PARSER.inline.ruler.at("link", _with_source(rules_inline.link))
_PARSER.inline.ruler.at("image", _with_source(rules_inline.image))
_PARSER.inline.ruler.at("autolink", _with_source(rules_inline.autolink))
_PARSER.inline.ruler.at("html_inline", _with_source(rules_inline.html_inline))
_BLOCKS = MarkdownIt("commonmark").enable("table").disable("inline")  # see heading_texts
# A link or an image in HTML (`<a href="docs/a.md">`, `<img src='arch.png'>`): a tag, its
# quoted values read whole (`alt="a > b"`), then each of its attributes.
HTML_TAG = re.compile(r"<(a|img|source|video|audio|iframe|embed|track)\b((?:[^<>\"']|\"[^\"]*\""
                      r"|'[^']*')*)>", re.IGNORECASE)
HTML_ATTRIBUTE = re.compile(r"([\w:-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'<>=`]+)))?")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# Line numbers have at most 9 digits. A line count follows a link: [x](path) (12 lines).
LINE_COUNT = re.compile(r"\s*\((\d{1,9})\s+lines?\)")
CITATION = re.compile(r"(?<![\w/.-])([\w./-]+\.[A-Za-z]{1,5}):(\d{1,9})(?:-(\d{1,9}))?\b"
                      r"((?:,\d{1,9}(?:-\d{1,9})?\b)*)")  # more ranges: a.ts:1-5,40-52
# GitHub's line anchors: #L10, #L10-L20, with columns #L10C5-L20C3; also written #L10-20.
ANCHOR = re.compile(r"^L(\d{1,9})(?:C\d{1,9})?(?:-L?(\d{1,9})(?:C\d{1,9})?)?$")
CODE = re.compile(r"`([^`]+)`")
SNIPPET_LOCATION = re.compile(
    r"^\s*(?://|#)\s*([\w./-]+\.[A-Za-z]{1,5}):(\d{1,9})(?:-(\d{1,9}))?\s*$")
CURRENT_CONFIG = re.compile(
    r"\bCurrent\s+`?([^\s`]*wrangler\.(?:toml|jsonc?))\b`?(?:\s*\(([^)]*)\))?")
# A wrangler config's path, as a document names it, with its line or not (`a/wrangler.toml:4`).
CONFIG_NAME = re.compile(r"^(.*?(?:^|/)wrangler\.(?:toml|jsonc?))(?::(\d{1,9})(?:-\d+)?)?$")
# A list cut short: "`a`, `b`, `c` and 4 more".
MORE = re.compile(r"\band\s+(\d{1,9})\s+more\b")
NEGATIVE = re.compile(r"\b(?:not\s+configured|not\s+present|not\s+enabled)\b", re.IGNORECASE)
# What a table column's values are, by its header.
COLUMN_KINDS = {"binding": "binding", "class": "class", "id": "id", "queue": "queue",
                "database": "database", "bucket": "bucket", "variable": "variable"}
# Names in prose that look like bindings or provider variables are checked too.
PROSE_NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_(?:KV|DO|DB|D1|R2|QUEUE|BUCKET|PROVIDER)$")


# A line that says a name is set as a secret: "| `API_KEY` | `wrangler secret put` |".
SECRET_PUT = re.compile(r"\bsecret\s+(?:put|bulk)\b")


# Where a sentence ends: `.`, `;`, `!` or `?` before a space (not the dot of wrangler.toml).
# ... or a clause: "placement is configured, but observability is not enabled".
SENTENCE_END = re.compile(r"[.;!?](?=\s)|\s(?=(?:but|whereas|although|though|however)\b)",
                          re.IGNORECASE)


def _printable(text: str) -> str:
    """`text` with its control characters `%`-escaped again: `%00` is shown as written."""
    return re.sub(r"[\x00-\x1f\x7f]", lambda found: quote(found[0]), text)


def resolve_link(doc_path: str, href: str) -> tuple[str | None, bool, str]:
    """(repository path, escapes the repository, anchor) of a relative link; path None if
    the link is not to a repository file (a URL, a page anchor). A link that starts with `/`
    is relative to the repository's root, as GitHub reads it; its query (`?plain=1`) is
    dropped and its `%`-escapes decoded."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith(("#", "//")):
        return None, False, ""  # `//host/x` is a URL without its scheme
    target, _, anchor = href.partition("#")
    target = unquote(target.partition("?")[0]) or posixpath.basename(doc_path)
    target = _printable(target)
    base = "" if target.startswith("/") else posixpath.dirname(doc_path)
    path = posixpath.normpath(posixpath.join(base, target.lstrip("/")))
    return path, path.startswith("../") or path == "..", anchor


# What a cited file name ends with; a name with another ending that names no file
# (`api.example.com:443`, `redis.svc:6379`) is a host and port, not a citation.
FILE_EXTENSIONS = frozenset((
    "ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs", "py", "pyi", "rb", "go", "rs", "java",
    "kt", "kts", "swift", "c", "h", "cc", "cpp", "hpp", "cs", "php", "scala", "sh", "bash", "zsh",
    "ps1", "sql", "md", "mdx", "rst", "txt", "toml", "json", "jsonc", "json5", "yaml", "yml",
    "xml", "html", "htm", "css", "scss", "sass", "less", "vue", "svelte", "astro", "graphql",
    "gql", "proto", "tf", "hcl", "ini", "cfg", "conf", "env", "lock", "gradle", "ipynb", "csv",
    "tsv", "prisma", "dart", "ex", "exs", "erl", "hs", "lua", "pl", "r", "jl", "zig", "nix"))


# Table columns whose code spans name files (`wrangler.toml`, `apps/api/src/index.ts`).
EVIDENCE_COLUMNS = frozenset({"evidence", "file", "files", "location", "path", "config",
                              "source", "relies on"})
FILE_PATH = re.compile(r"^(?!\w+://)[\w./-]*\w\.(?:" + "|".join(sorted(FILE_EXTENSIONS)) + r")$")


# Folders no document's path means in the repository: installed or built files.
_NOT_THE_REPOSITORY = ("node_modules/", "dist/", "build/", ".wrangler/", ".next/", "/", "~")


def _a_repository_path(text: str) -> bool:
    """Whether a code span in prose is a path of the repository: with a folder, not from the
    machine's root or home, nor in installed or built files."""
    return ("/" in text and FILE_PATH.match(text) is not None
            and not text.removeprefix("./").startswith(_NOT_THE_REPOSITORY))


def _names_a_file(text: str) -> bool:
    """Whether a code span in an evidence column names a repository file even when there is
    none: `apps/api/wrangler.toml`, `.github/workflows/deploy.yml`, `gone.ts`; not a library
    (`Next.js`) nor a host (`cdn.example.com/app.js`)."""
    first, slash, _rest = text.partition("/")
    if slash:
        return "." not in first or first.startswith(".")
    return not text.endswith(".js")


def cited_name(doc_path: str, name: str) -> str:
    """A cited file name as a repository path or a bare name: `/src/a.ts` is from the root,
    `../src/a.ts` from the document's folder, `./src/a.ts` is `src/a.ts`."""
    if name.startswith("../"):
        name = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), name))
        while name.startswith("../"):
            name = name[3:]
    return name.lstrip("/").removeprefix("./")


def _resolve_cited(doc_path: str, cited: str, files: Listing,
                   preferred: Collection[str]) -> list[str]:
    """Repository files a name cited in the document at `doc_path` can mean: the file at that
    path from the document's folder (a per-app README's `src/index.ts` is its app's), and
    the one from the root when there is one too (`docs/README.md` and `README.md`: a quoted
    snippet may be of either; cited lines are the first's, as _citation says); else as
    resolve_name says."""
    name = cited_name(doc_path, cited)
    near = _near(doc_path, cited)
    if near is not None and near in files:
        return [near, name] if name != near and name in files else [near]
    return resolve_name(name, files, preferred)


def _near(doc_path: str, cited: str) -> str | None:
    """The path of a cited name from the document's folder, as a link's would be; None for
    one from the root (`/src/a.ts`) or above it (`../src/a.ts`)."""
    if cited.startswith(("/", "../")):
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), cited_name(doc_path, cited)))


class Listing(Collection[str]):
    """The repository's files, also by file name: each name a document cites is looked up,
    not searched for in a list of tens of thousands (for each of thousands of citations)."""

    def __init__(self, files: Iterable[str]) -> None:
        self._files = files if isinstance(files, (set, frozenset)) else set(files)
        self._named: dict[str, list[str]] | None = None  # made when first asked
        self._ending: dict[str, list[str]] = {}  # a name thousands of claims cite: once

    def __contains__(self, path: object) -> bool:
        return path in self._files

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def ending(self, name: str) -> list[str]:
        """The files whose path ends with `/name`, sorted."""
        if self._named is None:
            self._named = defaultdict(list)
            for path in sorted(self._files):
                self._named[posixpath.basename(path)].append(path)
        if name not in self._ending:
            self._ending[name] = [path for path in self._named.get(posixpath.basename(name), ())
                                  if path.endswith("/" + name)]
        return list(self._ending[name])


def resolve_name(name: str, files: Listing, preferred: Collection[str]) -> list[str]:
    """Repository files a cited name (`cartStore.ts`, `src/cartStore.ts`) can mean."""
    if name in files:
        return [name]
    matches = files.ending(name)
    chosen = [f for f in matches if f in preferred]
    return chosen or matches


def file_lines(text: str) -> list[str]:
    """The lines of a file as `wc -l`, ripgrep and GitHub number them: split at \\n only
    (str.splitlines also splits at U+2028, a form feed and a lone \\r)."""
    text = text.removesuffix("\n")
    return [line.removesuffix("\r") for line in text.split("\n")] if text else []


def cited_lines(document: DocClaims, path: str | None) -> Sequence[str] | None:
    """The lines of a file `document` cites, or None when its text was not read."""
    return _cited_lines(document.files[path]) if path in document.files else None


@functools.lru_cache(maxsize=16)
def _cited_lines(text: str) -> tuple[str, ...]:
    """file_lines, once for each cited file, not for each of its claims and rules."""
    return tuple(file_lines(text))


def cites_lines(claim: Claim) -> bool:
    """Whether checking `claim` needs the text of its target, not only that it exists."""
    return claim.kind != "link" or claim.data.get("end") is not None or "heading" in claim.data


def _line_finder(token: Token) -> Callable[[int], int]:
    """The 1-based document line of an offset in the content of an inline token: each line
    of the content is a line of its block (token.map), in order."""
    first = (token.map or [0])[0] + 1
    breaks = [found.start() for found in re.finditer("\n", token.content)]
    return lambda offset: first + bisect.bisect_left(breaks, offset)


class _Link(NamedTuple):
    """A link or an image as markdown-it read it, and where its source starts and ends in
    the content of its inline token."""

    label: str  # as written
    href: str  # as markdown-it normalized it: `my file.ts` is `my%20file.ts`
    start: int
    end: int
    html: str = ""  # an HTML link's tag, shortened: `<img src="arch.png">`


def _links(token: Token) -> list[_Link]:
    """The links and images of an inline token in order, a link before the image it holds,
    and no text that only looks like a link (in a code span or an HTML comment, after a
    backslash); also those of its HTML tags. A link that markdown-it finds unsafe
    (`javascript:`) has the href ""."""
    return [found for child in token.children or () if "source" in child.meta
            for found in (_html_links(child.content, child.meta["source"][0])
                          if child.type == "html_inline" else
                          [_Link(label=child.meta.get("label", ""), start=child.meta["source"][0],
                                 end=child.meta["source"][1], href=str(child.attrGet(
                                     "src" if child.type == "image" else "href") or ""))])]


def _html_links(html: str, offset: int = 0) -> list[_Link]:
    """The links of the HTML tags in `html` (an `<a>`'s href, the others' src), their offsets
    moved by `offset`; the href as markdown-it would normalize a link's. A link in an HTML
    comment is none, nor is a template's (`{{ url }}`)."""
    html = _COMMENT.sub(lambda found: re.sub(r"[^\n]", " ", found[0]), html)
    links = []
    for tag in HTML_TAG.finditer(html):
        wanted = "href" if tag[1].lower() == "a" else "src"
        for attribute in HTML_ATTRIBUTE.finditer(tag[2]):
            value = next((v for v in attribute.groups()[1:] if v is not None), None)
            if attribute[1].lower() == wanted and value and "{" not in value:
                links.append(_Link(
                    label="", start=offset + tag.start(), end=offset + tag.start(2)
                    + attribute.end(), html=f'<{tag[1]} {attribute[1]}="{value}">',
                    href=_PARSER.normalizeLink(unescape(value).strip())))
                break
    return links


def _target(path: str, link: _Link) -> tuple[str | None, bool, str]:
    """resolve_link for a link's href; an empty href is the document itself: no claim."""
    return resolve_link(path, link.href) if link.href else (None, False, "")


def _link_claim(path: str, link: _Link, line: int) -> Claim | None:
    """The claim that `link`'s target exists (and has the lines, or the Markdown heading, its
    anchor names), or None for a link to no repository file."""
    target, escapes, anchor = _target(path, link)
    if target is None and link.href.startswith("#") and not ANCHOR.match(link.href[1:]):
        target, anchor = path, link.href[1:]  # a heading of this document
    if target is None:
        return None
    found = ANCHOR.match(anchor)
    heading = (unquote(anchor) if anchor and not found and not escapes
               and target.endswith((".md", ".mdx", ".markdown")) else None)
    return Claim(kind="link", text=link.html or
                 f"[{link.label}]({_printable(_PARSER.normalizeLinkText(link.href))})",
                 target=target, location=Location(path=path, start_line=line),
                 data={"escapes": escapes, "start": int(found[1]) if found else None,
                       "end": int(found[2] or found[1]) if found else None,
                       **({"heading": heading} if heading else {})})


# What GitHub drops from a heading's text to make its anchor: all but letters, digits,
# `_`, `-` and spaces (which become `-`).
_NOT_IN_SLUG = re.compile(r"[^\w\- ]")
# Anchors a document sets itself: `<a name="x">`, `<h2 id="x">`, `{#x}`.
_OWN_ANCHOR = re.compile(r"""<[a-zA-Z][\w-]*\s[^>]*\b(?:name|id)\s*=\s*["']?([^"'\s>]+)|\{#([\w-]+)\}""")


def heading_anchors(text: str) -> set[str]:
    """The anchors of a Markdown text's headings, as GitHub makes them (`## Smart
    Placement (v2)` is `#smart-placement-v2`; a second heading of the same text gets `-1`),
    and those it sets itself."""
    anchors: set[str] = set()
    following: dict[str, int] = {}  # the number to try next: 16,000 `## Notes` count on
    for words in heading_texts(text):
        slug = base = _NOT_IN_SLUG.sub("", words.strip().lower()).replace(" ", "-")
        if slug in anchors:
            number = following.get(base, 1)
            while f"{base}-{number}" in anchors:
                number += 1
            slug, following[base] = f"{base}-{number}", number + 1
        anchors.add(slug)
    return anchors | {found[1] or found[2] for found in _OWN_ANCHOR.finditer(text)}


def heading_texts(text: str) -> list[str]:
    """The text of each heading of a Markdown text, its markup dropped (`` ## The `KV` [store](x)``
    is `The KV store`), in order.

    Only the headings' inline content is parsed, not every paragraph's and cell's: a
    third of the time of a whole parse."""
    env: dict[str, Any] = {}  # the link reference definitions the blocks set
    tokens = _BLOCKS.parse(text.removeprefix(BOM), env)
    found = []
    for index, token in enumerate(tokens[1:], 1):
        if token.type == "inline" and tokens[index - 1].type == "heading_open":
            children: list[Token] = []
            _BLOCKS.inline.parse(token.content, _BLOCKS, env, children)
            found.append("".join(child.content for child in children  # an escape is text_special
                                 if child.type in ("text", "text_special", "code_inline")))
    return found


def _blanked(content: str, links: Sequence[_Link]) -> str:
    """`content` with the source of each link as spaces, its line breaks kept: later offsets
    stay where they were."""
    pieces, done = [], 0
    for link in links:
        if link.start >= done:  # an image inside a link is blanked with it
            pieces += [content[done:link.start], re.sub(r"[^\n]", " ", content[link.start:link.end])]
            done = link.end
    return "".join([*pieces, content[done:]])


def _inline_claims(path: str, token: Token, files: Listing, linked: set[str],
                   column: str | None) -> Iterator[Claim]:
    content = token.content
    line_at = _line_finder(token)
    links = _links(token)
    # A link is at the line where it ends: an inline link's destination, a reference's label.
    for link in links:
        claim = _link_claim(path, link, line_at(link.end - 1))
        if claim:
            yield claim
    for link in links:
        target, escapes, _anchor = _target(path, link)
        counted = LINE_COUNT.match(content, link.end)
        # After a link to lines (#L10-L20), the count is the range's: the link's own claim.
        if counted and target is not None and not escapes and not ANCHOR.match(_anchor):
            yield Claim(kind="line-count", text=f"({counted[1]} lines)", target=target,
                        location=Location(path=path, start_line=line_at(link.end - 1)),
                        data={"count": int(counted[1])})
    # Citations are read in code spans too (`cartStore.ts:84-121`), but not in links.
    for cited in CITATION.finditer(_blanked(content, links)):
        ranges = [(cited[2], cited[3]), *re.findall(r",(\d+)(?:-(\d+))?", cited[4])]
        for start, end in ranges:
            claim = _citation(path, line_at(cited.start()), cited[1], int(start),
                              int(end or start), files, linked)
            if claim:
                yield claim
    for code in CODE.finditer(content):
        kind = COLUMN_KINDS.get(column or "") or ("name" if PROSE_NAME.match(code[1]) else None)
        where = Location(path=path, start_line=line_at(code.start()))
        evidence = column in EVIDENCE_COLUMNS and FILE_PATH.match(code[1]) is not None
        # In prose, a path with a folder may be one to create (`apps/my-app/wrangler.toml`)
        # or a build's: only its line count is read, when it is there.
        in_prose = column is None and _a_repository_path(code[1])
        name = cited_name(path, code[1])
        candidates = _resolve_cited(path, code[1], files, linked) if evidence or in_prose else []
        if evidence and (candidates or _names_a_file(code[1])):
            yield Claim(kind="link", text=f"{code[0]} ({column} column)",
                        target=candidates[0] if candidates else name, location=where,
                        data={"escapes": False, "start": None, "end": None})
        counted = LINE_COUNT.match(content, code.end())
        if counted and len(candidates) == 1:  # `rateLimiter.ts` (132 lines)
            yield Claim(kind="line-count", text=f"({counted[1]} lines)", target=candidates[0],
                        location=where, data={"count": int(counted[1])})
        # A named resource is checked; any other code span counts as mentioning the name.
        yield Claim(kind="name" if kind else "mention", text=code[0], location=where,
                    data={"name": code[1], "name_kind": kind or "mention"})
    if column is None:
        yield from _negative(path, line_at, content)


def _constant(line: int) -> Callable[[int], int]:
    """The line of every offset of a table row: the row's."""
    return lambda _offset: line


def _shortened(text: str, limit: int = 160) -> str:
    """`text` cut to about `limit` characters with "…", never inside a code span; what
    looks like a secret is redacted first, since the start of a token cut off is no longer
    recognised as one."""
    text = redact(text, ())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if (marker := text.find(REDACTED, max(0, limit - len(REDACTED)))) in range(limit):
        cut = cut[:marker]  # not inside the marker
    if cut.count("`") % 2:  # a span opened and not closed: cut before it
        cut = cut[:cut.rindex("`")]
    return cut.rstrip() + "…"


def _negative(path: str, line_at: Callable[[int], int], content: str) -> Iterator[Claim]:
    """Each sentence that says Smart Placement is not configured: "placement is enabled;
    observability is not" says nothing of the kind."""
    start = 0
    for end in [*(found.end() for found in SENTENCE_END.finditer(content)), len(content)]:
        sentence, begins = content[start:end], start
        start = end
        if NEGATIVE.search(sentence) and re.search(r"placement", sentence, re.IGNORECASE):
            # A claim about named configs (each with its line, or None) concerns those, and
            # as many more as it says; otherwise it concerns them all.
            named = [(found[1], int(found[2]) if found[2] else None)
                     for code in CODE.findall(sentence) if (found := CONFIG_NAME.match(code))]
            more = MORE.search(sentence)
            yield Claim(kind="negative", text=_shortened(_without_markup(" ".join(sentence.split()))),
                        location=Location(path=path, start_line=line_at(begins + len(
                            sentence) - len(sentence.lstrip()))),
                        data={"subject": "placement", "configs": named,
                              "more": int(more[1]) if more else 0})


def _without_markup(text: str) -> str:
    """A sentence of Markdown as its reader reads it, to quote: without emphasis markers,
    a link as its text, an escaped character as itself; code spans as they are."""
    parts = re.split(r"(`[^`]*`)", text)
    return "".join(part if part.startswith("`") else re.sub(r"\\([!-/:-@[-`{-~])", r"\1", re.sub(
        r"\[([^\]]*)\]\([^)]*\)", r"\1", re.sub(r"\*\*|__", "", part))) for part in parts)


def _citation(path: str, line: int, name: str, start: int, end: int,
              files: Listing, linked: set[str]) -> Claim | None:
    candidates = _resolve_cited(path, name, files, linked)
    if not candidates and name.rpartition(".")[2].lower() not in FILE_EXTENSIONS:
        return None  # a host and port
    # Lines are cited as a link cites them: of the file in the document's folder, when it is
    # there (an app's `src/index.ts:80-110` is not the root's, whatever the root's length).
    mine = len(candidates) == 1 or candidates[:1] == [_near(path, name)]
    return Claim(kind="citation", text=f"{name}:{start}" + (f"-{end}" if end != start else ""),
                 target=candidates[0] if mine else None,
                 location=Location(path=path, start_line=line),
                 data={"start": start, "end": end, "candidates": candidates,
                       "name": cited_name(path, name)})


def _fence_claim(path: str, token: Token, heading: str, files: Listing,
                 linked: set[str]) -> Claim | None:
    line = (token.map or [0])[0] + 1
    body = file_lines(token.content)
    located = SNIPPET_LOCATION.match(body[0]) if body else None
    if located:
        name, start, end = located[1], int(located[2]), int(located[3] or located[2])
        candidates = _resolve_cited(path, name, files, linked)
        return Claim(kind="snippet", text=body[0].strip(), location=Location(
            path=path, start_line=line + 1, end_line=(token.map or [0, line])[1]),
            target=candidates[0] if len(candidates) == 1 else None,
            data={"start": start, "end": end, "body": "\n".join(body[1:]),
                  "candidates": candidates, "name": cited_name(path, name)})
    current = CURRENT_CONFIG.search(heading)
    if current and token.info.strip() in ("toml", "json", "jsonc"):
        where = current[2] or "root"
        target = current[1] if where == "root" else posixpath.join(where.strip("`"), current[1])
        return Claim(kind="config-block", text=heading, target=posixpath.normpath(target),
                     location=Location(path=path, start_line=line,
                                       end_line=(token.map or [0, line])[1]),
                     data={"body": token.content})
    return None


# A document auditlib wrote before it marked them (docs.is_generated) says so in its first
# paragraph; in these sections it quotes what other documents, or its own last version,
# claimed: findings' messages, the drift found. Those quotes are evidence of the past, not
# its claims. (A marked one is read for its keep blocks only.)
GENERATED = re.compile(r"\bregenerated by auditlib\b")
QUOTING_SECTIONS = ("drift since", "findings", "changes since")


def _html_block_claims(path: str, token: Token) -> Iterator[Claim]:
    """The links of an HTML block (`<p align="center"><img src="arch.png"></p>`)."""
    line_at = _line_finder(token)
    for link in _html_links(token.content):
        claim = _link_claim(path, link, line_at(link.end - 1))
        if claim:
            yield claim


def read_claims(path: str, text: str, files: Collection[str]) -> list[Claim]:
    """Every claim of the document at `path`; `files` lists the repository's files. In a
    document auditlib generated, the claims of its keep blocks: the rest is the last run's
    output, which the next run rewrites, not what a person claims."""
    found = _read_claims(path, text, files if isinstance(files, Listing) else Listing(files))
    if not is_generated(text):
        return found
    kept = {line for lines in keep_lines(text) for line in lines}
    return [claim for claim in found if claim.location.start_line in kept]


def _read_claims(path: str, text: str, files: Listing) -> list[Claim]:
    text = text.removeprefix(BOM)  # one character of line 1: the positions stay right
    tokens = _PARSER.parse(text)
    _header, _lines, first = read_header(markdown_lines(text))
    generated = GENERATED.search(text) is not None
    quoting = False  # in a section of a generated document that quotes claims
    linked = {target for token in tokens
              for link in (_links(token) if token.type == "inline" else
                           _html_links(token.content) if token.type == "html_block" else ())
              if (target := _target(path, link)[0]) is not None}
    claims: list[Claim] = []
    heading = ""
    columns: list[str] = []
    column = 0
    row: list[str] = []
    row_map: list[int] | None = None
    in_header = False
    for index, token in enumerate(tokens):
        if token.map and token.map[1] <= first:
            continue  # the header block is read by read_header
        if token.type == "inline" and index > 0 and tokens[index - 1].tag == "h2":
            quoting = generated and token.content.lower().startswith(QUOTING_SECTIONS)
        if quoting:
            continue
        if token.type == "inline" and index > 0 and tokens[index - 1].type == "heading_open":
            heading = token.content
            claims.extend(_inline_claims(path, token, files, linked, None))
        elif token.type == "html_block":
            claims.extend(_html_block_claims(path, token))
        elif token.type == "fence":
            found = _fence_claim(path, token, heading, files, linked)
            if found:
                claims.append(found)
        elif token.type == "thead_open":
            columns, in_header = [], True
        elif token.type == "thead_close":
            in_header = False
        elif token.type == "tr_open":
            column, row, row_map = 0, [], token.map
        elif token.type == "tr_close" and not in_header:
            claims.extend(_negative(path, _constant((row_map or [0])[0] + 1), " | ".join(row)))
        elif token.type in ("th_open", "td_open"):
            column += 1
        elif token.type == "inline":
            if in_header:
                columns.append(token.content.strip().lower())
                continue
            in_cell = tokens[index - 1].type == "td_open"
            if in_cell:
                row.append(token.content)
            name = columns[column - 1] if in_cell and 0 < column <= len(columns) else ""
            claims.extend(_inline_claims(path, token, files, linked, name if in_cell else None))
    # A name on a line (a table row, a sentence) that says it is set with `wrangler secret
    # put` is said to be a secret's.
    secret_lines = {number for number, line in enumerate(markdown_lines(text), 1)
                    if SECRET_PUT.search(line)}
    return [dataclasses.replace(claim, data={**claim.data, "secret_put": True})
            if claim.kind == "name" and claim.location.start_line in secret_lines else claim
            for claim in claims]


