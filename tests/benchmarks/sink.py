"""A local webhook sink in a process of its own: records when each POST arrived, and its key.

Run as ``python -m tests.benchmarks.sink``: it prints ``PORT <n>`` and serves HTTP/1.1 with
keep-alive on 127.0.0.1. ``GET /_count`` answers how many POSTs arrived; ``GET /_records`` answers
them as JSON ``[[time, path, key], ...]`` (``time`` is the wall clock when the whole request had
arrived); ``POST /_reset`` forgets them. Its own process keeps it off the measured process's
interpreter lock.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.benchmarks.harness import PYTHON, Processes

Record = tuple[float, str, str]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n"


class _Server:
    def __init__(self) -> None:
        self.records: list[list[object]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    name, sep, value = line.partition(":")
                    if sep:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                if length:
                    await reader.readexactly(length)
                arrived = time.time()
                if path == "/_records":
                    payload = json.dumps(self.records).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                        + payload
                    )
                elif path == "/_count":
                    payload = str(len(self.records)).encode()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                        + payload
                    )
                elif path == "/_reset":
                    self.records.clear()
                    writer.write(OK)
                elif method == "POST":
                    self.records.append([arrived, path, headers.get("idempotency-key", "")])
                    writer.write(OK)
                else:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()


async def _serve() -> None:
    server = _Server()
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0, backlog=1024)
    port = listening.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with listening:
        await listening.serve_forever()


@dataclass
class Sink:
    """The parent's handle on a sink process."""

    port: int
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls, group: Processes, workdir: Path) -> Sink:
        log = workdir / "sink.log"
        process = group.start([str(PYTHON), "-m", "tests.benchmarks.sink"], log=log)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            text = log.read_text() if log.exists() else ""
            for line in text.splitlines():
                if line.startswith("PORT "):
                    return cls(int(line.split()[1]), process)
            if process.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError(f"the sink did not start: {log.read_text() if log.exists() else ''}")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def apprise_url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def records(self) -> list[Record]:
        raw = httpx.get(f"{self.base}/_records", timeout=30).json()
        return [(float(t), str(p), str(k)) for t, p, k in raw]

    def count(self) -> int:
        return int(httpx.get(f"{self.base}/_count", timeout=30).text)

    def reset(self) -> None:
        httpx.post(f"{self.base}/_reset", timeout=30).raise_for_status()


if __name__ == "__main__":
    try:
        asyncio.run(_serve())
    except KeyboardInterrupt:
        sys.exit(0)
