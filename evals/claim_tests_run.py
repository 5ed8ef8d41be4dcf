"""Test the claims of a finished report by experiment: which are testable and why not, then (with --run) the
runs on the configured backend and what they say.

    python -m evals.claim_tests_run runs/example-19 [--run] [--claims C1,C12] [--out runs/claim-tests]

The same planner as `agent ask` (`propose_experiment.plan_claim_tests`: the program's screen, the model's
reading, the program's decision), on the report's claims; the runs use the claim-test CPU defaults
(`agent/experiments/claim_tests.py`) under the user's AGENT_EXPERIMENT_DEFAULTS.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from agent.experiments.claim_tests import plan_claim_tests
from agent.experiments.contrast import run_and_measure
from agent.experiments.cost import estimate_cost
from agent.experiments.planning import experiment_defaults
from agent.records import VerifiedClaim
from agent.report.model import load_report
from agent.services import Services
from agent.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path)
    parser.add_argument("--run", action="store_true", help="run the testable claims' experiments")
    parser.add_argument("--claims", default="", help="only these claim ids (comma-separated)")
    parser.add_argument("--out", type=Path, default=Path("runs/claim-tests"))
    args = parser.parse_args(argv)
    report = load_report(args.report)
    wanted = {c.strip() for c in args.claims.split(",") if c.strip()}
    services = Services(settings=load_settings(offline=True))
    claims = [VerifiedClaim(id=c.id, text=c.text, paper_id=c.paper_id, quote=c.quote, verdict=c.verdict,
                            confidence=c.confidence) for c in report.claims if not wanted or c.id in wanted]
    defaults = experiment_defaults(services.settings.experiment_defaults)
    tests, untestable = plan_claim_tests(claims, services.provider, defaults)
    result: dict = {"report": str(args.report), "untestable": [n.model_dump() for n in untestable], "tests": []}
    for n in untestable:
        print(f"{n.claim_id}: not testable: {n.reason}")
    for test in tests:
        minutes = sum(estimate_cost(spec).minutes for spec in test.runs)
        print(f"{test.claim_id}: TESTABLE: {test.prediction} · {len(test.runs)} runs · estimate {minutes:.0f} min")
        result["tests"].append({"claim_id": test.claim_id, "claim": test.claim, "prediction": test.prediction,
                                "estimate_minutes": minutes, "specs": [s.model_dump(mode="json") for s in test.runs]})
    if args.run:
        manager = services.experiments
        for entry, test in zip(result["tests"], tests, strict=True):
            started = time.time()
            evidence = run_and_measure(test, manager)
            entry["wall_seconds"] = round(time.time() - started, 1)
            entry["evidence"] = evidence.model_dump()
            print(f"{test.claim_id}: {evidence.brief} · {entry['wall_seconds']} s")
            for a in evidence.accuracies:
                print(f"    {a.run:<16} {a.language}: {a.mean:.3f} ± {a.sd:.3f}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "result.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
