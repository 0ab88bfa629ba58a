"""`python -m archiver <command>`: the local host and the admin commands."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from archiver.host import cli as host_cli
from archiver.operations import cli
from archiver.settings import STORAGE, STORAGE_CREDENTIALS


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(
        prog="python -m archiver", description="Zoom Meetings archiver for Microsoft 365"
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback behind an error message"
    )
    parser.add_argument(
        "--credential",
        choices=STORAGE_CREDENTIALS,
        help="how to sign in to identity-based storage (default: DefaultAzureCredential; "
        "azurecli: your `az login`)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    host_cli.register(subparsers)
    cli.register(subparsers)
    args = parser.parse_args(argv)
    if args.credential:
        # What the command's storage clients sign in with (AzureWebJobsStorage__credential).
        os.environ[f"{STORAGE}__credential"] = args.credential
    if args.command not in ("host", "run"):
        host_cli.load_settings(None)
        if not args.debug:
            # azure-identity logs each credential it tried as a warning; the command's own
            # one-line error says what failed and what to do (--debug shows them).
            logging.getLogger("azure.identity").setLevel(logging.ERROR)
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
