"""Run every benchmark in eval/bench (or those named on the command line) and print their figures."""

import os
import sys
import traceback

from eval.bench import module_names, run

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main(argv: list[str]) -> int:
    names = argv or module_names()
    unknown = sorted(set(names) - set(module_names()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(module_names())}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== {name}", flush=True)
        try:
            run(name)
        except Exception as exc:  # noqa: BLE001 (one broken benchmark must not hide the others' figures)
            traceback.print_exc()
            print(f"{name} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
