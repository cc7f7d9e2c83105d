"""DR007 doc-snippet-moved.

## What it does
For each quoted code block whose first line names its source (`// cloudflareDurableStore.ts:79-81`),
looks for the quoted lines in that file: reports when they are no longer there, or when
they are now at other lines. Blank lines and indentation do not count, and a line `...`
(or `// ...`) stands for lines left out.

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
from ..model import Facts, Finding, Severity
from .base import Rule

# A line that stands for lines left out of a quote: `...`, `// ...`, `# …`, `/* ... */`.
ELISION = re.compile(r"^(?://|#|/\*)?\s*(?:\.\.\.|…)\s*(?:\*/)?$")


def find_block(haystack: Sequence[str], needle: Sequence[str], cited: int = 1) -> int | None:
    """The 1-based line where `needle` (stripped, blank lines ignored) starts in `haystack`:
    at the `cited` line if it is there (the same code may be written twice), else the first.
    An elision line in `needle` matches any lines in between."""
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

    def holds(start: int) -> bool:
        for index, chunk in enumerate(chunks):
            while texts[start:start + len(chunk)] != chunk:
                if index == 0 or start + len(chunk) > len(texts):
                    return False
                start += 1  # after an elision, the next part may come later
            start += len(chunk)
        return True

    starts = [index for index, (number, _text) in enumerate(rows) if number >= cited][:1]
    for start in [*starts, *range(len(rows) - len(chunks[0]) + 1)]:
        if holds(start):
            number: int = rows[start][0]
            return number
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
                    continue
                body = claim.data["body"].split("\n")
                start, end = claim.data["start"], claim.data["end"]
                found = find_block(lines, body, start)
                if start > end:
                    where = (f"; the quoted code starts at line {found}" if found is not None
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
                elif found != start:
                    now = f"{found}-{found + end - start}"
                    yield cls.finding(
                        location=claim.location, subject=claim.text,
                        message=(f"the snippet {code(claim.text)} is now at lines {now} of"
                                 f" {code(claim.target)}"),
                        remediation=f"Change the snippet's location comment to :{now}")
