"""The channels file is read again only when it changes, or when told to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jobs import channels
from jobs.channels import ChannelFile


def test_the_channels_file_is_read_again_only_after_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "channels.txt"
    path.write_text("coordinators=json://127.0.0.1:9/a\n")
    reads: list[Path] = []
    real = channels.from_file

    def counted(p: Path) -> list[channels.ChannelRef]:
        reads.append(p)
        return real(p)

    monkeypatch.setattr(channels, "from_file", counted)
    source = ChannelFile(path)

    assert [c.tags for c in source.read()] == [frozenset({"coordinators"})]
    source.read()
    assert len(reads) == 1

    path.write_text("coordinators=json://127.0.0.1:9/a\nops=json://127.0.0.1:9/b\n")
    os.utime(path, ns=(1, 1))  # a change within the clock's resolution still differs in size or time
    assert [sorted(c.tags) for c in source.read()] == [["coordinators"], ["ops"]]
    assert len(reads) == 2

    source.forget()
    source.read()
    assert len(reads) == 3
