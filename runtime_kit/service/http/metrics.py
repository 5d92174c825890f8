"""``GET /metrics``: the service in Prometheus' text format (``prometheus-client``).

Each service has a registry of its own: jobs by status, queue depth, workers busy and idle,
websocket clients (read when scraped), and histograms of job durations, store commit times
and request durations (by route template, never by raw path).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric

if TYPE_CHECKING:
    from runtime_kit.service.core.scheduler import Scheduler
    from runtime_kit.service.core.store import Store
    from runtime_kit.service.core.streams import StreamHub
    from runtime_kit.service.executors import Executor

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_JOB_SECONDS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 10800)
_COMMIT_SECONDS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0)


class MeteredParts(Protocol):
    """What the gauges read, when scraped (a ``Service``: its scheduler may come later than
    its metrics)."""

    @property
    def store(self) -> Store: ...
    @property
    def scheduler(self) -> Scheduler: ...
    @property
    def executor(self) -> Executor: ...
    @property
    def hub(self) -> StreamHub: ...


class ServiceMetrics:
    def __init__(self, service: MeteredParts) -> None:
        self.registry = CollectorRegistry()
        self.job_duration = Histogram(
            "runtime_kit_job_duration_seconds",
            "Time jobs ran, from RUNNING to their final state",
            ["status"],
            buckets=_JOB_SECONDS,
            registry=self.registry,
        )
        self.commit_time = Histogram(
            "runtime_kit_store_commit_seconds",
            "Time of each store transaction's COMMIT (synchronous=FULL: an fsync)",
            buckets=_COMMIT_SECONDS,
            registry=self.registry,
        )
        self.request_time = Histogram(
            "runtime_kit_http_request_duration_seconds",
            "HTTP requests, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(service))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _StateCollector:
    """Gauges read from the service when scraped."""

    def __init__(self, service: MeteredParts) -> None:
        self.service = service

    def collect(self) -> Iterator[Metric]:
        service = self.service
        jobs = GaugeMetricFamily("runtime_kit_jobs", "Jobs by status", labels=["status"])
        rows = service.store.query("SELECT status, COUNT(*) FROM jobs GROUP BY status")
        for status, count in rows:
            jobs.add_metric([status], count)
        yield jobs
        yield GaugeMetricFamily(
            "runtime_kit_queue_depth", "Jobs waiting for a worker", value=service.scheduler.queued()
        )
        workers = GaugeMetricFamily("runtime_kit_workers", "Job slots", labels=["state"])
        busy = service.scheduler.busy()
        workers.add_metric(["busy"], busy)
        workers.add_metric(["idle"], max(service.executor.slots - busy, 0))
        yield workers
        yield GaugeMetricFamily(
            "runtime_kit_websocket_clients",
            "Websocket clients following jobs (messages or logs)",
            value=service.hub.watchers(),
        )
