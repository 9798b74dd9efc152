"""GET /api/jobs and /api/jobs/{id}: ComfyUI's unified view of queue and history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ComfyLibrary import protocol

if TYPE_CHECKING:
    from ComfyLibrary.mock.server import MockServer

STATUSES = ("pending", "in_progress", "completed", "failed")


def _workflow_id(extra_data: dict[str, Any]) -> str | None:
    workflow = (extra_data.get("extra_pnginfo") or {}).get("workflow")
    return workflow.get("id") if isinstance(workflow, dict) else None


def _queued_job(item: list[Any] | tuple[Any, ...], status: str) -> dict[str, Any]:
    job = {
        "id": item[1],
        "status": status,
        "priority": item[0],
        "create_time": item[3].get("create_time"),
        "outputs_count": 0,
    }
    if (workflow_id := _workflow_id(item[3])) is not None:
        job["workflow_id"] = workflow_id
    return job


def _history_job(prompt_id: str, entry: dict[str, Any], detail: bool) -> dict[str, Any]:
    number, _, prompt, extra_data, _ = entry["prompt"]
    status = entry.get("status") or {}
    messages = {name: data for name, data in status.get("messages", [])}
    failed = status.get("status_str") != "success"
    job: dict[str, Any] = {
        "id": prompt_id,
        "status": "failed" if failed else "completed",
        "priority": number,
        "create_time": extra_data.get("create_time"),
    }
    start = messages.get(protocol.EXECUTION_START, {}).get("timestamp")
    end_event: dict[str, Any] = next(
        (
            messages[name]
            for name in (
                protocol.EXECUTION_SUCCESS,
                protocol.EXECUTION_ERROR,
                protocol.EXECUTION_INTERRUPTED,
            )
            if name in messages
        ),
        {},
    )
    if start is not None:
        job["execution_start_time"] = start
        job["execution_end_time"] = end_event.get("timestamp")
    if protocol.EXECUTION_ERROR in messages:
        job["execution_error"] = messages[protocol.EXECUTION_ERROR]
    files = [
        (node_id, key, item)
        for node_id, output in entry.get("outputs", {}).items()
        for key, items in output.items()
        if isinstance(items, list)
        for item in items
        if isinstance(item, dict) and "filename" in item
    ]
    job["outputs_count"] = len(files)
    if files:
        node_id, key, item = files[0]
        job["preview_output"] = {**item, "nodeId": node_id, "mediaType": key}
    if (workflow_id := _workflow_id(extra_data)) is not None:
        job["workflow_id"] = workflow_id
    if detail:
        job["outputs"] = entry.get("outputs", {})
        job["execution_status"] = status
        job["workflow"] = {"prompt": prompt, "extra_data": extra_data}
    return job


class JobRoutes:
    def __init__(self, server: MockServer):
        self.server = server

    def register(self, app: web.Application) -> None:
        for prefix in ("", "/api"):
            app.router.add_get(prefix + "/api/jobs", self.list_jobs)
            app.router.add_get(prefix + "/api/jobs/{job_id}", self.get_job)

    def _all(self, detail: bool = False) -> list[dict[str, Any]]:
        running, pending = self.server.queue.current()
        jobs = [_queued_job(item, "pending") for item in pending]
        jobs += [_queued_job(item, "in_progress") for item in running]
        history = self.server.queue.get_history()
        jobs += [_history_job(pid, entry, detail) for pid, entry in history.items()]
        return jobs

    async def list_jobs(self, request: web.Request) -> web.Response:
        query = request.query
        wanted = [s for s in query.get("status", "").split(",") if s]
        invalid = [s for s in wanted if s not in STATUSES]
        if invalid:
            return web.json_response(
                {
                    "error": f"Invalid status value(s): {', '.join(invalid)}. "
                    f"Valid values: {', '.join(STATUSES)}"
                },
                status=400,
            )
        try:
            limit = int(query["limit"]) if "limit" in query else None
            offset = int(query.get("offset", 0))
        except ValueError:
            return web.json_response({"error": "limit must be a positive integer"}, status=400)
        if limit is not None and limit <= 0:
            return web.json_response({"error": "limit must be a positive integer"}, status=400)
        jobs = [j for j in self._all() if not wanted or j["status"] in wanted]
        jobs.sort(
            key=lambda j: j.get("create_time") or 0,
            reverse=query.get("sort_order", "desc") != "asc",
        )
        page = jobs[offset : offset + limit if limit is not None else None]
        return web.json_response(
            {
                "jobs": page,
                "pagination": {
                    "offset": offset,
                    "limit": limit,
                    "total": len(jobs),
                    "has_more": offset + len(page) < len(jobs),
                },
            }
        )

    async def get_job(self, request: web.Request) -> web.Response:
        job_id = request.match_info["job_id"]
        for job in self._all(detail=True):
            if job["id"] == job_id:
                return web.json_response(job)
        return web.json_response({"error": "Job not found"}, status=404)
