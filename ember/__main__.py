"""``python -m ember run PROGRAM.py [ARGS...]``: run a PyTorch program on Ember."""
import argparse
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="ember", description="Run an unmodified PyTorch program on Ember: `import torch` "
        "and every `import torch.x` resolve to Ember's modules.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run PROGRAM.py with torch resolved to ember")
    run.add_argument("program")
    run.add_argument("args", nargs=argparse.REMAINDER)
    sub.add_parser("version", help="print Ember's version")
    opts = parser.parse_args(argv)
    if opts.command == "version":
        import ember
        print(ember.__version__)
        return 0
    from ._runner import run_program
    run_program(opts.program, opts.args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
