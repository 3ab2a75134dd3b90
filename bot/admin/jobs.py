"""Import jobs: the upload is answered at once with a job id; ``GET /imports/{id}`` shows progress.

Why a job: validating and writing 10,000 products takes seconds, longer than a browser
or proxy wants to hold a request open without feedback. Parsing runs in a worker thread
(it is CPU-bound), the write on the event loop. Jobs live in memory (the newest
``KEEP`` are kept): they are feedback for the editor page, the audit trail is the
durable record.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from knowledge_graph import (
    GraphStore,
    GraphUnavailable,
    KnowledgeGraphError,
    ValidationError,
    import_bundle,
    open_store,
    parse_csv,
    parse_json,
)

__all__ = ["ImportJob", "ImportJobs", "read_import_body", "read_limited"]

log = logging.getLogger(__name__)

KEEP = 50
IMPORT_TIMEOUT_S = 600.0
MAX_IMPORT_BYTES = int(os.environ.get("LIVEROOM_ADMIN_MAX_IMPORT_BYTES", str(64 * 1024 * 1024)))


@dataclass
class ImportJob:
    id: str
    source: str
    format: str
    status: str = "queued"  # queued | validating | writing | done | failed
    phase: str = ""
    done: int = 0
    total: int = 0
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    def progress(self, phase: str, done: int, total: int) -> None:
        # Called from the parser's worker thread too: plain attribute stores, read by the loop.
        self.phase, self.done, self.total = phase, done, total
        if phase in ("write", "faqs"):
            self.status = "writing"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "format": self.format,
            "status": self.status,
            "phase": self.phase,
            "done": self.done,
            "total": self.total,
            "result": self.result,
            "error": self.error,
        }


class ImportJobs:
    def __init__(self) -> None:
        self._jobs: dict[str, ImportJob] = {}

    def get(self, job_id: str) -> ImportJob | None:
        return self._jobs.get(job_id)

    def start(self, store: GraphStore, raw: bytes, fmt: str, source: str, actor: str) -> ImportJob:
        job = ImportJob(id=uuid.uuid4().hex, source=source, format=fmt)
        self._jobs[job.id] = job
        for old in list(self._jobs)[:-KEEP]:
            if self._jobs[old].status in ("done", "failed"):
                del self._jobs[old]
        job.task = asyncio.create_task(self._run(job, store, raw, actor), name=f"import-{job.id}")
        return job

    async def _run(self, job: ImportJob, store: GraphStore, raw: bytes, actor: str) -> None:
        # Its own connection with a long timeout: one big import statement must not be cut
        # off by the chat path's short query timeout, nor hold the gateway's connections.
        config = dataclasses.replace(
            store.config, query_timeout=max(store.config.query_timeout, IMPORT_TIMEOUT_S)
        )
        bulk = open_store(config)
        try:
            job.status = "validating"
            parse = parse_csv if job.format == "csv" else parse_json
            bundle = await asyncio.to_thread(parse, raw, job.progress)
            result = await import_bundle(bulk, bundle, actor, source=job.source, progress=job.progress)
            job.result = result.to_json()
            job.status = "done"
        except ValidationError as err:
            job.status = "failed"
            job.error = {"error": err.problem, "field": err.field, "row": getattr(err, "row", None)}
            job.error |= {"code": err.code, "params": err.params}
        except RecursionError:  # a JSON file nested thousands deep (not a ValueError)
            job.status = "failed"
            job.error = {"error": "the file is nested too deeply", "field": None}
        except GraphUnavailable as err:
            job.status = "failed"
            job.error = {"error": "the graph database is unavailable", "field": None, "reason": str(err)}
        except KnowledgeGraphError as err:
            log.exception("import %s failed", job.id)
            job.status = "failed"
            job.error = {"error": f"import failed: {type(err).__name__}", "field": None}
        finally:
            await bulk.close()
        log.info("import job %s (%s) by %s: %s", job.id, job.source, actor, job.status)

    async def cancel_all(self) -> None:
        tasks = [job.task for job in self._jobs.values() if job.task is not None and not job.task.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _format_from(request: web.Request, filename: str, content_type: str) -> str:
    fmt = request.query.get("format")
    if fmt is None:
        fmt = "csv" if filename.lower().endswith(".csv") or "csv" in content_type else "json"
    if fmt not in ("json", "csv"):
        raise ValidationError("format", "must be json or csv")
    return fmt


async def read_limited(stream: Any, limit: int) -> bytes:
    """Read a body stream (request content or a multipart part) to its end; 413 beyond ``limit``."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await (
            stream.read_chunk(256 * 1024) if hasattr(stream, "read_chunk") else stream.read(256 * 1024)
        )
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=size)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_import_body(request: web.Request) -> tuple[bytes, str, str]:
    """The uploaded file (raw body or the multipart part named "file"), its format and name."""
    if request.content_length is not None and request.content_length > MAX_IMPORT_BYTES:
        raise web.HTTPRequestEntityTooLarge(max_size=MAX_IMPORT_BYTES, actual_size=request.content_length)
    if request.content_type.startswith("multipart/"):
        try:
            reader = await request.multipart()
            async for part in reader:
                if getattr(part, "name", None) == "file":
                    filename = part.filename or "upload"
                    raw = await read_limited(part, MAX_IMPORT_BYTES)
                    fmt = _format_from(request, filename, part.headers.get("Content-Type", ""))
                    return raw, fmt, filename
        except ValueError as err:  # aiohttp: no boundary, or a body that does not follow it
            raise ValidationError("body", f"malformed multipart upload: {err}") from None
        raise ValidationError("file", "multipart upload needs a part named 'file'")
    filename = request.query.get("filename", "upload")
    raw = await read_limited(request.content, MAX_IMPORT_BYTES)
    if not raw:
        raise ValidationError("body", "the import file is empty")
    return raw, _format_from(request, filename, request.content_type), filename
