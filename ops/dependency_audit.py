"""``make audit``: known-vulnerability check of both runtimes' pinned dependencies with pip-audit.

pip-audit asks a vulnerability service (PyPI's JSON API, or OSV with ``--service osv``) about every
``name==version`` in requirements-app.lock and requirements-rasa.txt. It prints "No known
vulnerabilities found" even when the service could not be asked about a single package (each is then
only "skipped"), so this wrapper counts what was really audited and says so: exit 0 = every package
audited, none vulnerable; 1 = known vulnerabilities; 2 = some or all packages could not be audited
(e.g. no route to the vulnerability service: the result is unknown, not clean).

``--no-deps --disable-pip``: the files are complete pins, so pip-audit checks exactly those lines
instead of re-resolving them in a Python 3.11 venv (which cannot even install Rasa's 3.10 pins).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REQUIREMENT_FILES = ("requirements-app.lock", "requirements-rasa.txt")


@dataclass
class AuditResult:
    file: str
    audited: int = 0
    skipped: dict[str, str] = field(default_factory=dict)  # package -> reason
    vulnerable: dict[str, list[str]] = field(default_factory=dict)  # "name==version" -> ids
    error: str = ""


def audit_file(path: Path, service: str = "pypi", timeout_s: float = 900) -> AuditResult:
    result = AuditResult(path.name)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = [sys.executable, "-m", "pip_audit", "-r", str(path), "--no-deps", "--disable-pip"]
        argv += ["--progress-spinner", "off"]
        argv += ["--format", "json", "--output", out.name, "--vulnerability-service", service]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            result.error = f"pip-audit did not finish within {timeout_s:.0f}s"
            return result
        try:
            report = json.loads(Path(out.name).read_text() or "{}")
        except json.JSONDecodeError:
            report = {}
    if not report:
        result.error = (proc.stderr.strip().splitlines() or ["pip-audit wrote no report"])[-1][:300]
        return result
    for dep in report.get("dependencies", []):
        name = f"{dep.get('name')}=={dep.get('version', '?')}"
        if dep.get("skip_reason"):
            result.skipped[dep.get("name", "?")] = dep["skip_reason"]
            continue
        result.audited += 1
        ids = [v.get("id", "?") for v in dep.get("vulns", [])]
        if ids:
            result.vulnerable[name] = ids
    return result


def main(argv: list[str]) -> int:
    service = argv[0] if argv else "pypi"
    code = 0
    for name in REQUIREMENT_FILES:
        result = audit_file(REPO / name, service)
        total = result.audited + len(result.skipped)
        if result.error:
            sys.stdout.write(f"{name}: NOT AUDITED: {result.error}\n")
            code = max(code, 2)
            continue
        sys.stdout.write(f"{name}: {result.audited} of {total} packages audited ({service})\n")
        for pkg, ids in sorted(result.vulnerable.items()):
            sys.stdout.write(f"  VULNERABLE {pkg}: {', '.join(ids)}\n")
            code = 1
        if result.skipped:
            reasons = sorted(set(result.skipped.values()))
            sys.stdout.write(f"  {len(result.skipped)} not audited, e.g. {reasons[0][:160]}\n")
            code = max(code, 2) if code != 1 else 1
    if code == 2:
        sys.stdout.write(
            "audit: result UNKNOWN for the packages above (the vulnerability service did not answer for "
            "them; this machine reaches only a package mirror). Run `make audit` where pypi.org or "
            "api.osv.dev is reachable (`make audit AUDIT_SERVICE=osv`).\n"
        )
    return code


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
