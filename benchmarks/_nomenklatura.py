"""OpenSanctions nomenklatura logic-v2 as a speed baseline, in the benchmark's own virtualenv.

nomenklatura is never a project dependency: it is installed at run time into a
separate virtualenv (default ``/tmp/nk-venv``) and driven through a subprocess.

Installing it naively pulls ``pyicu`` (through ``normality``), which has no
wheel and compiles against ICU for many minutes on these machines. Instead:

1. ``icukit-pyicu`` is installed first: a wheel with a bundled ICU that
   provides the very same ``icu`` module (PyICU's API) in seconds;
2. a stand-in ``PyICU`` distribution (metadata only, version = the ``icu``
   module's PyICU version) is written into site-packages, so that pip sees the
   ``pyicu`` requirement already satisfied; ``--only-binary=pyicu`` makes pip
   fail at once rather than compile should it still want another pyicu;
3. ``nomenklatura`` is installed normally (its whole dependency tree is then
   resolved by pip), with ``duckdb<2`` as recent versions need.

A marker file records a completed installation; a venv without it (e.g. left
by an interrupted run) is rebuilt from scratch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# The version measured; logic-v2 changes between releases, so the figure names it.
NOMENKLATURA = "nomenklatura==4.17.4"
MARKER = ".sanctions-nk-ready"

SCRIPT = r"""
import json, statistics, sys, time
from importlib.metadata import version

from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig

algo = get_algorithm("logic-v2")
config = ScoringConfig.defaults()


def proxy(data):
    schema = model.get(data["schema"]) or model.get("LegalEntity")
    entity = model.make_entity(schema)
    entity.id = data["id"]
    for prop, values in data["properties"].items():
        if schema.get(prop) is not None:
            entity.add(prop, values, quiet=True)
    return entity


pairs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
ents = [(proxy(p["query"]), proxy(p["candidate"])) for p in pairs]

# Loading the name tagger and its data takes seconds on the first comparison:
# done on a pair outside the measured set and reported on its own.
started = time.perf_counter()
algo.compare(
    proxy({"id": "w1", "schema": "Person", "properties": {"name": ["Warm Up"]}}),
    proxy({"id": "w2", "schema": "Person", "properties": {"name": ["Warm Upp"]}}),
    config,
)
warm_up = time.perf_counter() - started

passes, scores = [], []
for _ in range(2):
    scores = []
    started = time.perf_counter()
    for q, c in ents:
        scores.append(algo.compare(q, c, config).score)
    passes.append(time.perf_counter() - started)

print(json.dumps({
    "version": version("nomenklatura"),
    "followthemoney": version("followthemoney"),
    "rigour": version("rigour"),
    "pairs": len(ents),
    "warm_up_s": warm_up,
    "first_pass_s": passes[0],
    "second_pass_s": passes[1],
    "mean_score": statistics.fmean(scores) if scores else 0.0,
    "scores_ge_0_7": sum(s >= 0.7 for s in scores),
}))
"""


# Per-pair scores (the accuracy benchmark): one pass, the same proxies as above.
SCORE_SCRIPT = r"""
import json, sys, time
from importlib.metadata import version

from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig

algo = get_algorithm("logic-v2")
config = ScoringConfig.defaults()


def proxy(data):
    schema = model.get(data["schema"]) or model.get("LegalEntity")
    entity = model.make_entity(schema)
    entity.id = data["id"]
    for prop, values in data["properties"].items():
        if schema.get(prop) is not None:
            entity.add(prop, values, quiet=True)
    return entity


scores, errors = [], []
started = time.perf_counter()
for number, line in enumerate(open(sys.argv[1], encoding="utf-8")):
    pair = json.loads(line)
    try:
        scores.append(algo.compare(proxy(pair["query"]), proxy(pair["candidate"]), config).score)
    except Exception as exc:  # one bad pair must not stop the run: scored 0 and counted
        scores.append(0.0)
        errors.append(f"pair {number}: {type(exc).__name__}: {exc}"[:200])
print(json.dumps({
    "version": version("nomenklatura"),
    "rigour": version("rigour"),
    "seconds": time.perf_counter() - started,
    "errors": errors,
    "scores": scores,
}))
"""


def _pip(python: Path, *args: str) -> None:
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args],
        check=True,
    )


def _site_packages(python: Path) -> Path:
    out = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def _stand_in_pyicu(python: Path) -> str:
    """Declare PyICU installed (its ``icu`` module comes from icukit-pyicu)."""
    out = subprocess.run(
        [str(python), "-c", "import icu; print(icu.VERSION)"],
        capture_output=True,
        text=True,
        check=True,
    )
    pyicu_version = out.stdout.strip()
    name = f"PyICU-{pyicu_version}.dist-info"
    dist = _site_packages(python) / name
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\n"
        "Name: PyICU\n"
        f"Version: {pyicu_version}\n"
        "Summary: stand-in written by benchmarks/_nomenklatura.py; "
        "the icu module is provided by icukit-pyicu\n"
    )
    (dist / "INSTALLER").write_text("sanctions-benchmark\n")
    # Uninstalling the stand-in must never remove icukit-pyicu's files.
    (dist / "RECORD").write_text(
        "".join(f"{name}/{f},,\n" for f in ("METADATA", "INSTALLER", "RECORD"))
    )
    return pyicu_version


def ensure_venv(venv: Path, log: Any = print) -> Path:
    """The venv's python, with nomenklatura installed (built when missing or incomplete)."""
    python = venv / "bin" / "python"
    if (venv / MARKER).exists() and python.exists():
        return python
    started = time.perf_counter()
    log(f"nomenklatura: building {venv} (icukit-pyicu instead of compiling pyicu)")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    _pip(python, "icukit-pyicu")
    pyicu_version = _stand_in_pyicu(python)
    _pip(python, "--only-binary=pyicu", NOMENKLATURA, "duckdb<2")
    check = subprocess.run(
        [
            str(python),
            "-c",
            "import icu, nomenklatura.matching, followthemoney; "
            "from importlib.metadata import distribution as d; "
            "assert d('PyICU').read_text('INSTALLER').strip() == 'sanctions-benchmark'",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nomenklatura venv unusable: {check.stderr.strip()[-500:]}")
    (venv / MARKER).write_text(f"{NOMENKLATURA} pyicu-stand-in={pyicu_version}\n")
    log(f"nomenklatura: venv ready in {time.perf_counter() - started:.0f} s")
    return python


def score_pairs(
    python: Path, pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    """Time logic-v2 over FtM (query, candidate) pairs; raw figures from the subprocess."""
    return _run(python, SCRIPT, pairs)


def pair_scores(
    python: Path, pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    """logic-v2's score of every (query, candidate) pair, in order: ``{"scores": [...], ...}``.

    A pair that logic-v2 cannot compare scores 0.0 and is listed in ``errors``.
    """
    return _run(python, SCORE_SCRIPT, pairs)


def _run(
    python: Path, source: str, pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pairs.jsonl"
        with open(path, "w", encoding="utf-8") as fh:
            for query, cand in pairs:
                fh.write(json.dumps({"query": query, "candidate": cand}) + "\n")
        script = Path(tmp) / "nk.py"
        script.write_text(source)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        done = subprocess.run(
            [str(python), str(script), str(path)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
        )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        raise RuntimeError(f"nomenklatura run failed: {tail}")
    return json.loads(done.stdout.strip().splitlines()[-1])
