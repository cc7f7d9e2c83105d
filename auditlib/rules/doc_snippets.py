"""DR007 doc-snippet-moved.

## What it does
For each quoted code block whose first line names its source (`// cloudflareDurableStore.ts:79-81`),
looks for the quoted lines in that file: reports when they are no longer there, or when
they are now at other lines.

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

from collections.abc import Iterator, Sequence

from ..claims import cited_lines
from ..config import AuditConfig
from ..model import Facts, Finding, Severity
from .base import Rule


def find_block(haystack: Sequence[str], needle: Sequence[str], cited: int = 1) -> int | None:
    """The 1-based line where `needle` (stripped, blank lines ignored) starts in `haystack`:
    at the `cited` line if it is there (the same code may be written twice), else the first."""
    wanted = [line.strip() for line in needle if line.strip()]
    if not wanted:
        return None
    rows = [(number, line.strip()) for number, line in enumerate(haystack, 1) if line.strip()]
    starts = [index for index, (number, _text) in enumerate(rows) if number >= cited][:1]
    for start in [*starts, *range(len(rows) - len(wanted) + 1)]:
        if [text for _n, text in rows[start:start + len(wanted)]] == wanted:
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
                            message=(f"the snippet `{claim.text}` quotes `{claim.target}`, which"
                                     f" could not be read as text: {claim.data['unread']}"),
                            remediation=f"Update the snippet at `{claim.location}`")
                    elif not claim.data.get("candidates"):
                        yield cls.finding(location=claim.location, subject=claim.text,
                                          message=f"`{claim.text}`: no such file in the repository",
                                          remediation=f"Update the snippet at `{claim.location}`")
                    continue
                body = claim.data["body"].split("\n")
                start, end = claim.data["start"], claim.data["end"]
                found = find_block(lines, body, start)
                if start > end:
                    where = (f"; the quoted code starts at line {found}" if found is not None
                             else f"; the quoted code is no longer in `{claim.target}`")
                    yield cls.finding(
                        location=claim.location, subject=claim.text,
                        message=(f"the snippet `{claim.text}` cites lines {start}-{end}, a"
                                 f" reversed range{where}"),
                        remediation=f"Correct the snippet's location comment at `{claim.location}`")
                elif found is None:
                    yield cls.finding(
                        location=claim.location, subject=claim.text,
                        message=f"the snippet `{claim.text}` is no longer in `{claim.target}`",
                        remediation=f"Quote the present code of `{claim.target}`")
                elif found != start:
                    now = f"{found}-{found + end - start}"
                    yield cls.finding(
                        location=claim.location, subject=claim.text,
                        message=(f"the snippet `{claim.text}` is now at lines {now} of"
                                 f" `{claim.target}`"),
                        remediation=f"Change the snippet's location comment to :{now}")
