"""``/ui/jobs``: the list (status filter, paging, newest first) and a job's page, with its
cancel and delete forms."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from runtime_kit.errors import InputValueError
from runtime_kit.service.core.instances import Instance
from runtime_kit.service.core.store import (
    CANCELLED,
    COMPLETED,
    FAILED,
    FINAL_STATUSES,
    QUEUED,
    RAN_TOO_LONG,
    RUNNING,
)
from runtime_kit.service.http.api import api_of
from runtime_kit.service.http.jobs_api import cancel_visible_job, delete_visible_job
from runtime_kit.service.ui.job_view import charts_html, interim_view, outcome, result_value
from runtime_kit.service.ui.pages import check_csrf, form_page, html_page, render, visitor_of
from runtime_kit.service.ui.paging import Paging
from runtime_kit.service.ui.readable import readable_text

router = APIRouter(prefix="/ui")

PAGE_SIZE = 25
STATUSES = (QUEUED, RUNNING, COMPLETED, FAILED, CANCELLED, RAN_TOO_LONG)
#: The owner's token name beside its id (admins see everyone's jobs).
_OWNER_NAME = "(SELECT name FROM tokens WHERE tokens.id = jobs.owner) AS owner_name"
_LIST_COLUMNS = (
    "id, program_id, version, backend, status, created, updated, owner, hub, grp, project, "
    f"kind, {_OWNER_NAME}"
)


@router.get("/jobs")
@html_page
def jobs(
    request: Request, status: str = "", program: str = "", instance: str = "", page: int = 1
) -> Response:
    visitor = visitor_of(request)
    api = api_of(request)
    scope, args = api.job_scope(visitor.principal)
    clauses, values = [scope], [*args]
    if status in STATUSES:
        clauses.append("status = ?")
        values.append(status)
    if program:
        clauses.append("program_id = ?")
        values.append(program)
    chosen_instance = _instance_or_none(instance)
    if chosen_instance is not None:
        clauses.append("hub = ? AND grp = ? AND project = ?")
        values.extend(chosen_instance)
    where = " AND ".join(clauses)
    total = api.store.count(f"SELECT COUNT(*) FROM jobs WHERE {where}", *values)
    paging = Paging(page, PAGE_SIZE, total)
    rows = api.store.query(
        f"SELECT {_LIST_COLUMNS} FROM jobs WHERE {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
        *values,
        PAGE_SIZE,
        paging.offset,
    )
    return render(
        request,
        "jobs.html",
        visitor=visitor,
        jobs=rows,
        paging=paging,
        chosen_status=status if status in STATUSES else "",
        program=program,
        instance=str(chosen_instance or ""),
        statuses=STATUSES,
    )


def _instance_or_none(text: str) -> Instance | None:
    """The instance a filter names; None for none or one that is not HUB/GROUP/PROJECT."""
    try:
        return Instance.parse(text) if text else None
    except InputValueError:
        return None


@router.get("/jobs/{job_id}")
@html_page
def job(request: Request, job_id: str) -> Response:
    visitor = visitor_of(request)
    api = api_of(request)
    row = api.visible_job(visitor.principal, job_id)
    owner = api.store.query_one("SELECT name FROM tokens WHERE id = ?", row["owner"])
    results = api.store.interim_since(job_id, 0)
    view = interim_view(results)
    return render(
        request,
        "job.html",
        visitor=visitor,
        job=row,
        owner_name=owner["name"] if owner else row["owner"],
        inputs=readable_text(row["params"]),
        interim=view,
        charts=charts_html(view, result_value(row)),
        logs=api.logs_so_far(row),
        outcome=outcome(row),
        final=row["status"] in FINAL_STATUSES,
    )


@router.get("/jobs/{job_id}/interim_results")
@html_page
def job_interim_results(request: Request, job_id: str) -> Response:
    """Every interim result, as the API's ``GET /jobs/{id}/interim_results`` gives them."""
    api = api_of(request)
    api.visible_job(visitor_of(request).principal, job_id)
    return Response(api.interim_json(job_id), media_type="application/json")


@router.post("/jobs/{job_id}/cancel")
async def cancel(request: Request, job_id: str) -> Response:
    return await form_page(request, _cancel, job_id)


@html_page
def _cancel(request: Request, form: dict[str, str], job_id: str) -> Response:
    visitor = visitor_of(request)
    check_csrf(visitor, form)
    cancel_visible_job(api_of(request), visitor.principal, job_id)
    return RedirectResponse(f"/ui/jobs/{job_id}", status_code=303)


@router.post("/jobs/{job_id}/delete")
async def delete(request: Request, job_id: str) -> Response:
    return await form_page(request, _delete, job_id)


@html_page
def _delete(request: Request, form: dict[str, str], job_id: str) -> Response:
    visitor = visitor_of(request)
    check_csrf(visitor, form)
    delete_visible_job(api_of(request), visitor.principal, job_id)
    return RedirectResponse("/ui/jobs", status_code=303)
