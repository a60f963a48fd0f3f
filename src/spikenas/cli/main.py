"""The `spikenas` command: subcommands, and the exit rule (0 done, 2 bad input, 1 anything else)."""

from __future__ import annotations

import sys
from pathlib import Path

from spikenas import __version__
from spikenas.cli import data_cmd, export_cmd, payoff_cmd, report_cmd, search_cmd, show_cmd, train_cmd
from spikenas.cli.parser import Parser
from spikenas.errors import InputError
from spikenas.run_folder import discard_if_unused, fresh_folder


def build_parser() -> Parser:
    parser = Parser(prog="spikenas", description="Search, train and measure spiking neural networks. Exit "
                                                 "status: 0 done, 2 bad input (one line on stderr), 130 "
                                                 "interrupted, 1 anything else.")
    parser.add_argument("--version", action="version", version=f"spikenas {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in (search_cmd, train_cmd, payoff_cmd, show_cmd, report_cmd, export_cmd, data_cmd):
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    run = getattr(args, "run", None)
    fresh = fresh_folder(Path(run)) if run is not None and not getattr(args, "resume", False) else None
    try:
        return args.func(args)
    except (InputError, PermissionError, NotADirectoryError, IsADirectoryError, FileExistsError,
            FileNotFoundError) as e:
        if fresh is not None:  # a new run refused: nothing of it is left behind
            discard_if_unused(fresh, Path(run))
        text = str(e) if isinstance(e, InputError) else f"{e.filename}: {e.strerror}"
        sys.stderr.write(f"error: {_one_line(text)}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


def _one_line(text: str) -> str:
    return " ".join(text.split()) if "\n" in text or "\r" in text else text


if __name__ == "__main__":
    sys.exit(main())
