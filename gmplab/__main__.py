"""Command line: ``python -m gmplab {warmup,version,lab}``."""
from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gmplab",
        description="gmplab: an interactive workbook for Go's GMP scheduler, "
                    "Percolator transactions and TiCDC.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("warmup", help="compile every Numba kernel into the on-disk cache, "
                                  "printing progress")
    sub.add_parser("version", help="print gmplab's version and those of its dependencies")
    sub.add_parser("lab", help="start JupyterLab on 127.0.0.1 (token on) at chapter 00")
    args = parser.parse_args(argv)

    if args.command == "warmup":
        from gmplab._kernels import warmup
        timings = warmup(progress=lambda line: print(line, flush=True))
        print(f"all {len(timings)} kernel modules ready "
              f"({sum(timings.values()):.2f} s)")
        return 0
    if args.command == "version":
        import gmplab
        from gmplab.selfcheck import versions
        print(f"gmplab {gmplab.__version__}")
        for name, version in versions().items():
            print(f"  {name:<14s}{version}")
        return 0
    if args.command == "lab":
        from gmplab.labserver import run_lab
        return run_lab()
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
