"""DR007 doc-snippet-moved.

## What it does
For each quoted code block whose first line names its source (`// cloudflareDurableStore.ts:79-81`),
looks for the quoted lines in that file: reports when they are no longer there, when
they now start or end at other lines (lines left out grew or shrank), or when the cited
range goes past the end of the file. Blank lines and indentation do not count, and a line
`...` (or `// ...`) stands for lines left out: one at the end leaves the end open, as does
a comment that names only the first line (`// cloudflareDurableStore.ts:79`). A name that
several files have is reported when none of them (up to 10) holds the quoted lines.

## Why is this bad?
A quoted snippet is the strongest claim a document makes ("this is the code"); when the
code changed or moved, the document shows code that does not run.

## Example
````markdown
```typescript
// cloudflareDurableStore.ts:79-81
if (duration > 200 && shouldLogLatency()) {
```
````

## Fix
Quote the code as it is now, with its present lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..blocks import code
from ..claims import cited_lines
from ..config import AuditConfig
from ..model import DocClaims, Facts, Finding, Location, Severity
from .base import Rule

# A line that stands for lines left out of a quote: `...`, `// ...`, `# …`, `/* ... */`.
ELISION = re.compile(r"^(?://|#|/\*)?\s*(?:\.\.\.|…)\s*(?:\*/)?$")


def _in_none(document: DocClaims, candidates: list[str], body: str) -> bool:
    """Whether each of `candidates` was read and none holds the quoted `body`."""
    found = [cited_lines(document, path) for path in candidates]
    return None not in found and all(
        find_block(lines or (), body.split("\n")) is None for lines in found)


def find_block(haystack: Sequence[str], needle: Sequence[str],
               cited: int = 1) -> tuple[int, int] | None:
    """The 1-based first and last lines of `needle` (stripped, blank lines ignored) in
    `haystack`: at the `cited` line if it is there (the same code may be written twice),
    else the first. An elision line in `needle` matches any lines in between."""
    chunks: list[list[str]] = [[]]
    for line in (line.strip() for line in needle):
        if ELISION.match(line):
            chunks.append([])
        elif line:
            chunks[-1].append(line)
    chunks = [chunk for chunk in chunks if chunk]
    if not chunks:
        return None
    rows = [(number, line.strip()) for number, line in enumerate(haystack, 1) if line.strip()]
    texts = [text for _number, text in rows]

    def end_of(start: int) -> int | None:
        """The index after the last row of the quote when it starts at row `start`."""
        for index, chunk in enumerate(chunks):
            while texts[start:start + len(chunk)] != chunk:
                if index == 0 or start + len(chunk) > len(texts):
                    return None
                start += 1  # after an elision, the next part may come later
            start += len(chunk)
        return start

    starts = [index for index, (number, _text) in enumerate(rows) if number >= cited][:1]
    for start in [*starts, *range(len(rows) - len(chunks[0]) + 1)]:
        if (end := end_of(start)) is not None:
            return rows[start][0], rows[end - 1][0]
    return None


class DocSnippetMoved(Rule):
    id = "DR007"
    name = "doc-snippet-moved"
    title = "Quoted code changed or moved"
    severity = Severity.P1
    rationale = "The document shows code that is not what runs"
    remediation = "Quote the code as it is now"
    status = "Drifted"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for document in facts.claims:
            for claim in document.claims:
                if claim.kind != "snippet":
                    continue
                lines = cited_lines(document, claim.target)
                if lines is None:
                    if claim.data.get("unread"):
                        yield cls.finding(
                            location=claim.location, subject=claim.text,
                            message=(f"the snippet {code(claim.text)} quotes {code(claim.target)}, which"
                                     f" could not be read as text: {claim.data['unread']}"),
                            remediation=f"Update the snippet at {code(claim.location)}")
                    elif not claim.data.get("candidates"):
                        yield cls.finding(location=claim.location, subject=claim.text,
                                          message=f"{code(claim.text)}: no such file in the repository",
                                          remediation=f"Update the snippet at {code(claim.location)}")
                    elif _in_none(document, claim.data["candidates"], claim.data["body"]):
                        yield cls.finding(  # several files have that name: none holds the code
                            location=claim.location, subject=claim.text,
                            message=(f"the snippet {code(claim.text)} is in none of the"
                                     f" {len(claim.data['candidates'])} files of that name"),
                            remediation=f"Update the snippet at {code(claim.location)}")
                    continue
                body = claim.data["body"].split("\n")
                start, end = claim.data["start"], claim.data["end"]
                found = find_block(lines, body, start)
                if start > end:
                    where = (f"; the quoted code starts at line {found[0]}" if found is not None
                             else f"; the quoted code is no longer in {code(claim.target)}")
                    yield cls.finding(
                        location=claim.location, subject=claim.text,
                        message=(f"the snippet {code(claim.text)} cites lines {start}-{end}, a"
                                 f" reversed range{where}"),
                        remediation=f"Correct the snippet's location comment at {code(claim.location)}")
                elif found is None:
                    yield cls.finding(
                        location=claim.location, subject=claim.text,
                        message=f"the snippet {code(claim.text)} is no longer in {code(claim.target)}",
                        remediation=f"Quote the present code of {code(claim.target)}")
                else:
                    yield from cls._placed(claim.location, claim.text, claim.target or "",
                                           lines, body, (start, end), found)

    @classmethod
    def _placed(cls, location: Location, text: str, target: str, lines: Sequence[str],
                body: Sequence[str], cited: tuple[int, int],
                found: tuple[int, int]) -> Iterator[Finding]:
        """A finding when the quoted code, found at lines `found`, is not at the `cited`
        lines, or they go past the end of the file."""
        (start, end), (first, last) = cited, found
        quoted = [line.strip() for line in body if line.strip()]
        trailing = ELISION.match(quoted[-1]) is not None  # lines left out at the end
        # The cited end holds when only blank lines follow the quoted code up to it, and any
        # end after it does after a trailing elision; a comment citing one line gives no end.
        end_holds = end == start or (end >= last and (
            trailing or not any(line.strip() for line in lines[last:end])))
        # Where the code is now; an open end keeps as many lines as were cited.
        open_end = trailing or end == start
        now = f"{first}-{max(last, min(len(lines), first + end - start)) if open_end else last}"
        if end > len(lines):
            message = (f"the snippet {code(text)} cites lines {start}-{end}, but {code(target)}"
                       f" has {len(lines)} lines; the quoted code is at lines {now}")
        elif first != start or not end_holds:
            message = f"the snippet {code(text)} is now at lines {now} of {code(target)}"
        else:
            return
        yield cls.finding(location=location, subject=text, message=message,
                          remediation=f"Change the snippet's location comment to :{now}")
