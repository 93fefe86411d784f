"""Set (c) again with fresh random garblings: how much of eval_repair's figure on the committed
synthetic files is that particular draw. The clean gold texts are garbled by the same script and
confusion table as set (c) (tests/data/repair/make_synthetic.py), with other random seeds, and
evaluated by bench/eval_repair.py's metrics.

    .venv/bin/python bench/eval_repair_seeds.py [--seeds 5] [--rates 25 100]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests" / "data" / "repair")]

import eval_repair  # noqa: E402
import make_synthetic  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--rates", type=int, nargs="+", default=[25, 100])
    args = ap.parse_args(argv)
    subs = make_synthetic.substitutions()
    with tempfile.TemporaryDirectory() as tmp:
        for rate in args.rates:
            restored = []
            for seed in range(1, args.seeds + 1):
                pairs = []
                for num in ("001", "004"):
                    gold = make_synthetic.GOLD / f"{num}.gold.txt"
                    rng = random.Random(seed * 7919 + rate * 10 + int(num))
                    text, _ = make_synthetic.garble(gold.read_text(encoding="utf-8"),
                                                    rate / 100, rng, subs)
                    path = Path(tmp) / f"{seed}.{num}.r{rate}.txt"
                    path.write_text(text, encoding="utf-8")
                    pairs.append((path, gold))
                name = f"c-r{rate}-seed{seed}"
                eval_repair.SETS[name] = pairs
                r = eval_repair.evaluate(name, examples=0)
                restored.append(r["restored"])
                print(f"{name:16} garbled {r['garbled']:4d}  restored {r['restored']:.1%}  "
                      f"harmed {r['harmed']:.2%}  CER {r['cer_before']:.1%} -> "
                      f"{r['cer_after']:.2%}")
            print(f"rate {rate} %: restored mean {statistics.mean(restored):.1%}, "
                  f"min {min(restored):.1%}, max {max(restored):.1%} over {args.seeds} seeds\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
