"""Where `auditlib check REPO --format json` spends its time, stage by stage, in one process.

    .venv/bin/python benchmarks/stages.py REPO [--repeat 3]

Prints the seconds of importing auditlib's CLI, then the medians of collect, evaluate and
Audit.to_json() (what `check --format json` prints).
For a call tree, run a profiler over the command itself, for example
`.venv/bin/pyinstrument -m auditlib.cli check REPO --format json > /dev/null`.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

AUDIT_DATE = date(2026, 1, 1)


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def stages(repo: Path) -> dict[str, float]:
    found: dict[str, float] = {}
    import auditlib
    from auditlib.api import Audit, version
    from auditlib.configfile import load_config

    config = dataclasses.replace(load_config(repo.resolve()), audit_date=AUDIT_DATE)
    found["collect"], facts = _timed(lambda: auditlib.collect(repo, config.probes))
    found["evaluate"], findings = _timed(lambda: auditlib.evaluate(facts, config=config))
    audit = Audit(facts=facts, findings=findings, audit_date=AUDIT_DATE.isoformat(),
                  config=config, version=version())
    found["to_json"], _ = _timed(audit.to_json)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    imported, _ = _timed(lambda: __import__("auditlib.cli"))  # once: then it is cached
    print(f"{'import':10s} {imported:7.3f} s")
    runs = [stages(args.repo) for _ in range(args.repeat)]
    for name in runs[0]:
        print(f"{name:10s} {statistics.median(run[name] for run in runs):7.3f} s")


if __name__ == "__main__":
    main()
