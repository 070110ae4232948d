"""The baseline command: a bare click group with one subcommand, in the same environment."""

from __future__ import annotations

import click


@click.group()
def bare() -> None:
    """A click group that does nothing else."""


@bare.command("list")
def list_() -> None:
    """Print one line."""
    click.echo("nothing")


if __name__ == "__main__":
    bare()
