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
    for name, text in (("export", "execute the chapters and write standalone HTML that plays "
                                   "back without a kernel"),
                       ("slides", "execute the chapters and write reveal.js slide decks")):
        p = sub.add_parser(name, help=text)
        p.add_argument("out_dir", help="folder to write into (created if missing)")
        p.add_argument("--chapters", nargs="*", metavar="NN",
                       help="chapter numbers to include, e.g. 00 02 (default: all)")
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
    if args.command in ("export", "slides"):
        from gmplab import publish
        getattr(publish, args.command)(args.out_dir, chapters=args.chapters)
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
