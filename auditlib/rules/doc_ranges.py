"""DR005 doc-citation-out-of-range.

## What it does
Checks line citations against the cited file: `#L84-L121` anchors of links and
`file.ts:84-121` citations in the text must lie within the file, start before they end,
and cite a text file; a cited file name must match a file of the repository. A cited path
is read from the document's folder first (an app's README citing `src/index.ts` means
its own), then from the root. A name that several files have (`latency.ts`, not linked)
is reported when none of them (up to 10) has the lines cited.

## Why is this bad?
A citation past the end of a file, or of a file that no longer exists, sends readers to
code that is not there: the file shrank or moved and the claim was not updated.

## Example
```markdown
[cartStore.ts:84-121](../packages/platform-core/src/cartStore.ts#L84-L121)
```
when `cartStore.ts` has 100 lines.

## Fix
Look up where the code is now and update the range (`auditlib run` regenerates it).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..blocks import code, counted
from ..claims import cited_lines
from ..config import AuditConfig
from ..model import DocClaims, Facts, Finding, Severity
from .base import Rule


def _lengths(document: DocClaims, candidates: list[str],
             known: dict[str, int | None]) -> dict[str, int]:
    """The number of lines of each of `candidates`, when all of them were read; else {}.
    `known`: those of the document's files counted before (a name thousands of citations
    give is counted once, not once per citation)."""
    for path in candidates:
        if path not in known:
            lines = cited_lines(document, path)
            known[path] = None if lines is None else len(lines)
    found = {path: length for path in candidates if (length := known[path]) is not None}
    return found if len(found) == len(set(candidates)) else {}


class DocCitationOutOfRange(Rule):
    id = "DR005"
    name = "doc-citation-out-of-range"
    title = "Cited lines do not exist"
    severity = Severity.P1
    rationale = "The citation points at code that is no longer there"
    remediation = "Update the cited line range"
    status = "Out of range"

    @classmethod
    def check(cls, facts: Facts, config: AuditConfig) -> Iterator[Finding]:
        for document in facts.claims:
            known: dict[str, int | None] = {}
            for claim in document.claims:
                if claim.kind == "citation" and claim.target is None:
                    candidates = claim.data.get("candidates") or []
                    if not candidates:
                        yield cls.finding(
                            location=claim.location, subject=claim.text,
                            message=f"{code(claim.text)} cites a file that is not in the repository",
                            remediation=f"Update or remove the citation {code(claim.text)}")
                    elif (lengths := _lengths(document, candidates, known)) and all(
                            claim.data["end"] > length for length in lengths.values()):
                        yield cls.finding(  # several files have that name: none has the lines
                            location=claim.location, subject=claim.text,
                            message=(f"{claim.text} cites lines {claim.data['start']}-"
                                     f"{claim.data['end']}, but none of the"
                                     f" {len(candidates)} files of that name has them: "
                                     + ", ".join(f"{code(path)} has {length}"
                                                 for path, length in list(lengths.items())[:3])
                                     + (", …" if len(lengths) > 3 else "")),
                            remediation=(f"Update the line range cited at {code(claim.location)},"
                                         " and link the file to say which one it is"))
                    continue
                if claim.kind not in ("link", "citation") or claim.data.get("end") is None:
                    continue
                start, end = claim.data["start"], claim.data["end"]
                lines = cited_lines(document, claim.target)
                if lines is None:
                    if claim.data.get("unread"):  # else a missing file: a broken link (DR004)
                        yield cls.finding(
                            location=claim.location, subject=claim.text,
                            message=(f"{claim.text} cites lines {start}-{end} of"
                                     f" {code(claim.target)}, which could not be read as"
                                     f" text: {claim.data['unread']}"),
                            remediation=f"Cite lines of a text file at {code(claim.location)}")
                    continue
                if start < 1:
                    message = f"{claim.text} cites line {start}: lines are numbered from 1"
                elif start > end:
                    past = (f", and starts past the end of {code(claim.target)}"
                            f" ({counted(len(lines), 'line')})"
                            if start > len(lines) else "")
                    message = f"{claim.text} cites lines {start}-{end}: the range is reversed{past}"
                elif end > len(lines):
                    message = (f"{claim.text} cites lines {start}-{end}, but {code(claim.target)}"
                               f" has {counted(len(lines), 'line')}")
                else:
                    continue
                yield cls.finding(location=claim.location, subject=claim.text, message=message,
                                  remediation=f"Update the line range cited at {code(claim.location)}")
