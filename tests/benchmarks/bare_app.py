"""The baseline report door: a tiny FastAPI app doing the same single-row insert into SQLite.

``python -m tests.benchmarks.bare_app DATABASE PORT`` serves it with uvicorn configured as the daemon
configures it (no access log, no lifespan), on the service's own SQLite engine settings.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import uvicorn
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import insert

from actions.models import Report
from scheduler.db import engine_for


class Counts(BaseModel):
    letter: int = 0
    email: int = 0
    fax: int = 0
    call: int = 0
    post: int = 0
    other: int = 0


class ReportIn(BaseModel):
    counts: Counts
    country: str | None = None


def create_app(database: Path, action_id: int) -> FastAPI:
    engine = engine_for(f"sqlite:///{database}")
    table = Report.__table__  # type: ignore[attr-defined]
    app = FastAPI()

    @app.post("/api/v1/actions/{number}/reports", status_code=201)
    def post_report(
        number: str, body: ReportIn, idempotency_key: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        with engine.begin() as connection:
            result = connection.execute(
                insert(table).values(
                    action_id=action_id,
                    received_at=datetime.now(UTC),
                    late=False,
                    country=body.country,
                    source="api",
                    idempotency_key=idempotency_key,
                    **body.counts.model_dump(),
                )
            )
            report_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
        return JSONResponse({"id": report_id, "ua": number}, status_code=201)

    return app


def main() -> None:
    database, port, action_id = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    config = uvicorn.Config(
        create_app(database, action_id),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
