"""Run in .venv-legacy-py310: our own replica of qiskit-ibmq-provider 0.20.2's runtime
integration suite (``test/ibmq/runtime/test_runtime_integration.py``, 47 tests), written anew:
for each of its behaviours, the same provider calls in the same order, against a runtime-kit
service.  Prints one JSON object, behaviour name -> "ok", "skip: <why>" or "fail: <what>".

    python ibmq_runtime_suite.py URL TOKEN BACKEND [NAME ...]      (URL: <service>/api)

Like IBM's suite, a behaviour that needs a job in a state it cannot catch (queued behind
another, or running, on a fast machine) is skipped, not failed.  The two behaviours IBM ran
on its staging service only (a public upload, a visibility flip) run here too.
"""

import asyncio
import copy
import json
import logging
import os
import random
import sys
import tempfile
import threading
import time
import traceback
import uuid
from contextlib import contextmanager, suppress

from qiskit.providers.ibmq import IBMQ
from qiskit.providers.ibmq.exceptions import IBMQNotAuthorizedError
from qiskit.providers.ibmq.runtime import ResultDecoder
from qiskit.providers.ibmq.runtime.constants import API_TO_JOB_ERROR_MESSAGE
from qiskit.providers.ibmq.runtime.exceptions import (
    RuntimeDuplicateProgramError,
    RuntimeInvalidStateError,
    RuntimeJobFailureError,
    RuntimeJobNotFound,
    RuntimeProgramNotFound,
)
from qiskit.providers.jobstatus import JOB_FINAL_STATES, JobStatus
from qiskit.test.reference_circuits import ReferenceCircuits

#: The program every behaviour runs: ``iterations`` random circuits, each after
#: ``sleep_per_iteration`` seconds, publishing ``interim_results`` with the iteration; then
#: ``final_result`` published as the result (``final=True``), one line on stdout, a warning on
#: stderr and an INFO log record.  ``iterations`` is required: without it the job fails.
PROGRAM = """
import logging
import time
import warnings

from qiskit import QuantumCircuit, transpile

log = logging.getLogger("suite-program")


def random_circuit_for(backend, seed):
    import random

    rng = random.Random(seed)
    circuit = QuantumCircuit(5)
    for _ in range(4):
        qubits = rng.sample(range(5), 2)
        circuit.h(qubits[0])
        circuit.cx(qubits[0], qubits[1])
    circuit.measure_all()
    return transpile(circuit, backend)


def main(backend, user_messenger, **kwargs):
    iterations = kwargs["iterations"]
    pause = kwargs.pop("sleep_per_iteration", 0)
    interim = kwargs.pop("interim_results", {})
    final = kwargs.pop("final_result", {})
    for iteration in range(iterations):
        time.sleep(pause)
        circuit = random_circuit_for(backend, iteration)
        user_messenger.publish({"iteration": iteration, "interim_results": interim})
        backend.run(circuit).result()
    user_messenger.publish(final, final=True)
    print("a line on stdout")
    warnings.warn("a warning on stderr")
    log.info("an INFO record")
"""
METADATA = {"max_execution_time": 600, "description": "the suite's program"}
PREFIX = "suite-program"


class Check(Exception):
    """A behaviour did not hold."""


class Skip(Exception):
    """A behaviour could not be exercised here (as IBM's suite skips it)."""


def expect(condition, what):
    if not condition:
        raise Check(what)


@contextmanager
def raises(kind):
    try:
        yield
    except kind:
        return
    raise Check(f"{kind.__name__} was not raised")


class Coded:
    """A value that travels as the string of its ``to_json`` (its own ``from_json`` reads it)."""

    def __init__(self, value):
        self.value = value

    def to_json(self):
        return json.dumps({"value": self.value})

    @classmethod
    def from_json(cls, text):
        return cls(**json.loads(text))

    def __eq__(self, other):
        return isinstance(other, Coded) and self.value == other.value

    __hash__ = None  # equal by value, and mutable


def typed_values():
    return {"text": "bar", "number": 2.5, "complex": 1 - 1j, "coded": Coded("baz")}


class CodedDecoder(ResultDecoder):
    """Decodes a result and rebuilds its ``coded`` entry."""

    @classmethod
    def decode(cls, data):
        decoded = super().decode(data)
        if "coded" in decoded:
            decoded["coded"] = Coded.from_json(decoded["coded"])
        return decoded


class ConnectProxy:
    """An HTTP proxy that tunnels ``CONNECT`` requests, on 127.0.0.1 (the websocket client goes
    through it when the provider's credentials name it)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.tunnels = 0
        self.port = None
        started = threading.Event()
        threading.Thread(target=self._serve, args=(started,), daemon=True).start()
        started.wait(10)

    def _serve(self, started):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _client(self, reader, writer):
        request = await reader.readuntil(b"\r\n\r\n")
        method, target = request.split(b" ")[:2]
        if method != b"CONNECT":
            writer.close()
            return
        host, port = target.decode().rsplit(":", 1)
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
        self.tunnels += 1
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer)
        )

    @staticmethod
    async def _pipe(reader, writer):
        with suppress(ConnectionError, asyncio.IncompleteReadError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()


@contextmanager
def proxied(provider, proxies):
    try:
        provider.credentials.proxies = {"urls": proxies}
        yield
    finally:
        provider.credentials.proxies = None


class Suite:
    def __init__(self, url, token, backend_name):
        IBMQ.enable_account(token, url)
        self.provider = IBMQ.providers()[0]
        self.backend = self.provider.get_backend(backend_name)
        self.poll_s = 1 if self.backend.configuration().simulator else 5
        self.to_delete = []
        self.to_cancel = []
        metadata = {**copy.deepcopy(METADATA), "name": self.unique_name()}
        try:
            self.program_id = self.provider.runtime.upload_program(data=PROGRAM, metadata=metadata)
        except RuntimeDuplicateProgramError:
            self.program_id = metadata["name"]

    @staticmethod
    def unique_name():
        return f"{PREFIX}_{uuid.uuid4().hex}"

    def close(self):
        with suppress(Exception):
            self.provider.runtime.delete_program(self.program_id)

    def clean_up(self):
        for program_id in self.to_delete:
            with suppress(Exception):
                self.provider.runtime.delete_program(program_id)
        for job in self.to_cancel:
            with suppress(Exception):
                job.cancel()
            with suppress(Exception):
                self.provider.runtime.delete_job(job.job_id())
        self.to_delete, self.to_cancel = [], []

    # --- helpers (the suite's own) ------------------------------------------------------

    def upload(self, name=None, max_execution_time=300, data=None, is_public=False):
        metadata = copy.deepcopy(METADATA)
        metadata.update(
            name=name or self.unique_name(),
            max_execution_time=max_execution_time,
            is_public=is_public,
        )
        program_id = self.provider.runtime.upload_program(data=data or PROGRAM, metadata=metadata)
        self.to_delete.append(program_id)
        return program_id

    def run(
        self,
        program_id=None,
        iterations=1,
        interim_results=None,
        final_result=None,
        callback=None,
        log_level=None,
    ):
        inputs = {
            "iterations": iterations,
            "interim_results": interim_results or {},
            "final_result": final_result or {},
        }
        options = {"backend_name": self.backend.name()}
        if log_level:
            options["log_level"] = log_level
        job = self.provider.runtime.run(
            program_id=program_id or self.program_id,
            inputs=inputs,
            options=options,
            callback=callback,
        )
        self.to_cancel.append(job)
        return job

    def wait_for(self, job, status):
        pause = 1 if status == JobStatus.QUEUED else self.poll_s
        while job.status() not in (*JOB_FINAL_STATES, status):
            time.sleep(pause)
        if job.status() != status:
            raise Skip(f"job {job.job_id()} did not reach {status.name}")

    def valid(self, program):
        for field in ("name", "program_id", "description", "max_execution_time"):
            expect(getattr(program, field), f"the program has no {field}")
        expect(program.creation_date and program.update_date, "the program has no dates")

    def find(self, jobs, job):
        for listed in jobs:
            if listed.job_id() == job.job_id():
                expect(listed.program_id == job.program_id, "a listed job's program differs")
                expect(listed.inputs == job.inputs, "a listed job's inputs differ")
                return
        raise Check(f"job {job.job_id()} was not listed")

    # --- the behaviours -------------------------------------------------------------------

    def test_runtime_service(self):
        expect(self.provider.service("runtime"), "no runtime service")

    def test_list_programs(self):
        programs = self.provider.runtime.programs()
        expect(programs, "no programs listed")
        for program in programs:
            self.valid(program)
        expect(self.program_id in [p.program_id for p in programs], "own program not listed")

    def test_list_programs_with_limit_skip(self):
        for _ in range(3):
            self.upload()
        first = [p.program_id for p in self.provider.runtime.programs(limit=3, refresh=True)]
        expect(len(first) == 3, f"limit=3 gave {len(first)}")
        later = [p.program_id for p in self.provider.runtime.programs(limit=2, skip=1)]
        expect(len(later) == 2 and later == first[1:], f"limit=2 skip=1 gave {later}")

    def test_list_program(self):
        program = self.provider.runtime.program(self.program_id)
        expect(program.program_id == self.program_id, "another program came back")
        self.valid(program)

    def test_retrieve_program_data(self):
        program = self.provider.runtime.program(self.program_id)
        expect(program.data == PROGRAM, "the data is not what was uploaded")
        self.valid(program)

    def test_retrieve_unauthorized_program_data(self):
        program = self.provider.runtime.program("sample-program")
        self.valid(program)
        with raises(IBMQNotAuthorizedError):
            _ = program.data

    def test_upload_program(self):
        program_id = self.upload(max_execution_time=3000)
        program = self.provider.runtime.program(program_id)
        expect(program.max_execution_time == 3000, "max_execution_time not kept")

    def test_upload_program_file(self):
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as file:
            file.write(PROGRAM)
        try:
            program_id = self.upload(data=file.name)
            expect(self.provider.runtime.program(program_id), "not uploaded from a file")
        finally:
            os.remove(file.name)

    def test_upload_public_program(self):
        program_id = self.upload(max_execution_time=3000, is_public=True)
        program = self.provider.runtime.program(program_id)
        expect(program.max_execution_time == 3000 and program.is_public, "not public")

    def test_set_visibility(self):
        program_id = self.upload()
        before = self.provider.runtime.program(program_id).is_public
        self.provider.runtime.set_program_visibility(program_id, not before)
        after = self.provider.runtime.program(program_id, refresh=True).is_public
        expect(after != before, "visibility did not flip")

    def test_delete_program(self):
        program_id = self.upload()
        self.provider.runtime.delete_program(program_id)
        with raises(RuntimeProgramNotFound):
            self.provider.runtime.program(program_id, refresh=True)

    def test_double_delete_program(self):
        program_id = self.upload()
        self.provider.runtime.delete_program(program_id)
        with raises(RuntimeProgramNotFound):
            self.provider.runtime.delete_program(program_id)

    def test_update_program_data(self):
        first = 'def main(backend, user_messenger, **kwargs):\n    return "first"\n'
        second = 'def main(backend, user_messenger, **kwargs):\n    return "second"\n'
        program_id = self.upload(data=first)
        expect(self.provider.runtime.program(program_id).data == first, "first data")
        self.provider.runtime.update_program(program_id=program_id, data=second)
        expect(self.provider.runtime.program(program_id).data == second, "second data")

    def test_update_program_metadata(self):
        program_id = self.upload()
        before = self.provider.runtime.program(program_id)
        changed = {
            "name": self.unique_name(),
            "description": "changed",
            "max_execution_time": before.max_execution_time + 100,
            "spec": {"return_values": {"type": "object", "description": "what it returns"}},
        }
        self.provider.runtime.update_program(program_id=program_id, metadata=changed)
        after = self.provider.runtime.program(program_id, refresh=True)
        expect(after.name == changed["name"], "name")
        expect(after.description == changed["description"], "description")
        expect(after.max_execution_time == changed["max_execution_time"], "max_execution_time")
        expect(after.return_values == changed["spec"]["return_values"], "return_values")

    def test_run_program(self):
        job = self.run(final_result="baz")
        result = job.result()
        expect(job.status() == JobStatus.DONE and result == "baz", f"result {result!r}")

    def test_run_program_failed(self):
        options = {"backend_name": self.backend.name()}
        job = self.provider.runtime.run(program_id=self.program_id, inputs={}, options=options)
        job.wait_for_final_state()
        raw = self.provider.runtime._api_client.job_results(job.job_id())
        expect(job.status() == JobStatus.ERROR, f"status {job.status()}")
        expected = API_TO_JOB_ERROR_MESSAGE["FAILED"].format(job.job_id(), raw)
        expect(expected in job.error_message(), "error message")
        try:
            job.result()
        except RuntimeJobFailureError as exc:
            expect("KeyError" in str(exc), f"no KeyError in {exc}")
        else:
            raise Check("no RuntimeJobFailureError")

    def test_run_program_failed_ran_too_long(self):
        program_id = self.upload(max_execution_time=60)
        options = {"backend_name": self.backend.name()}
        inputs = {"iterations": 1, "sleep_per_iteration": 60}
        job = self.provider.runtime.run(program_id=program_id, inputs=inputs, options=options)
        job.wait_for_final_state()
        raw = self.provider.runtime._api_client.job_results(job.job_id())
        expect(job.status() == JobStatus.ERROR, f"status {job.status()}")
        template = API_TO_JOB_ERROR_MESSAGE["CANCELLED - RAN TOO LONG"]
        expect(template.format(job.job_id(), raw) in job.error_message(), "error message")
        with raises(RuntimeJobFailureError):
            job.result()

    def test_retrieve_job_queued(self):
        self.run(iterations=10)
        job = self.run(iterations=2)
        self.wait_for(job, JobStatus.QUEUED)
        retrieved = self.provider.runtime.job(job.job_id())
        expect(retrieved.job_id() == job.job_id(), "id")
        expect(retrieved.program_id == self.program_id, "program")

    def test_retrieve_job_running(self):
        job = self.run(iterations=10)
        self.wait_for(job, JobStatus.RUNNING)
        retrieved = self.provider.runtime.job(job.job_id())
        expect(retrieved.job_id() == job.job_id(), "id")
        expect(job.program_id == self.program_id, "program")

    def test_retrieve_job_done(self):
        job = self.run()
        job.wait_for_final_state()
        retrieved = self.provider.runtime.job(job.job_id())
        expect(retrieved.job_id() == job.job_id(), "id")
        expect(job.program_id == self.program_id, "program")

    def test_retrieve_all_jobs(self):
        job = self.run()
        self.find(self.provider.runtime.jobs(), job)

    def test_retrieve_jobs_limit(self):
        jobs = [self.run() for _ in range(3)]
        listed = self.provider.runtime.jobs(limit=2)
        expect(len(listed) == 2, f"limit=2 gave {len(listed)}")
        expect({j.job_id() for j in listed} <= {j.job_id() for j in jobs}, "not the latest")

    def test_retrieve_pending_jobs(self):
        job = self.run(iterations=10)
        self.wait_for(job, JobStatus.RUNNING)
        self.find(self.provider.runtime.jobs(pending=True), job)

    def test_retrieve_returned_jobs(self):
        job = self.run()
        job.wait_for_final_state()
        self.find(self.provider.runtime.jobs(pending=False), job)

    def test_retrieve_jobs_by_program_id(self):
        program_id = self.upload()
        job = self.run(program_id=program_id)
        job.wait_for_final_state()
        listed = self.provider.runtime.jobs(program_id=program_id)
        expect(listed[0].program_id == program_id and len(listed) == 1, "by program id")

    def test_cancel_job_queued(self):
        self.run(iterations=10)
        job = self.run(iterations=2)
        self.wait_for(job, JobStatus.QUEUED)
        job.cancel()
        expect(job.status() == JobStatus.CANCELLED, "not cancelled")
        time.sleep(10)
        expect(self.provider.runtime.job(job.job_id()).status() == JobStatus.CANCELLED, "later")

    def test_cancel_job_running(self):
        job = self.run(iterations=3)
        self.wait_for(job, JobStatus.RUNNING)
        job.cancel()
        expect(job.status() == JobStatus.CANCELLED, "not cancelled")
        time.sleep(10)
        expect(self.provider.runtime.job(job.job_id()).status() == JobStatus.CANCELLED, "later")

    def test_cancel_job_done(self):
        job = self.run()
        job.wait_for_final_state()
        with raises(RuntimeInvalidStateError):
            job.cancel()

    def test_delete_job(self):
        for status in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.DONE):
            if status == JobStatus.QUEUED:
                self.run(iterations=10)
            job = self.run(iterations=2)
            try:
                self.wait_for(job, status)
            except Skip:
                continue  # IBM's subtest is skipped; the others still run
            self.provider.runtime.delete_job(job.job_id())
            with raises(RuntimeJobNotFound):
                self.provider.runtime.job(job.job_id())

    def _streamed(self, marker):
        """A callback recording the last iteration, and what was wrong with any call."""
        seen = {"last": 0, "errors": []}

        def callback(job_id, interim):
            seen["last"] = interim["iteration"]
            if job_id != seen.get("job"):
                seen["errors"].append(f"job id {job_id}")
            if interim["interim_results"] != marker:
                seen["errors"].append(f"interim {interim}")

        return seen, callback

    def test_interim_result_callback(self):
        seen, callback = self._streamed("baz")
        job = self.run(iterations=3, interim_results="baz", callback=callback)
        seen["job"] = job.job_id()
        job.wait_for_final_state()
        expect(seen["last"] == 2, f"last iteration {seen['last']}")
        expect(not seen["errors"], str(seen["errors"]))
        expect(job._ws_client._server_close_code is not None, "the stream did not close")

    def test_stream_results(self):
        seen, callback = self._streamed("qux")
        job = self.run(iterations=3, interim_results="qux")
        seen["job"] = job.job_id()
        job.stream_results(callback)
        job.wait_for_final_state()
        expect(seen["last"] == 2, f"last iteration {seen['last']}")
        expect(not seen["errors"], str(seen["errors"]))
        expect(job._ws_client._server_close_code is not None, "the stream did not close")

    def test_stream_results_done(self):
        called = []
        job = self.run(interim_results="quux")
        job.wait_for_final_state()
        job._status = JobStatus.RUNNING  # lets stream_results() start on a finished job
        job.stream_results(lambda job_id, interim: called.append(interim))
        time.sleep(2)
        expect(not called, f"called back with {called}")
        expect(job._ws_client._server_close_code is not None, "the stream did not close")

    def test_callback_error(self):
        seen = {"last": 0}

        def callback(job_id, interim):
            if interim["iteration"] == 0:
                raise ValueError("Kaboom!")
            seen["last"] = interim["iteration"]

        records = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = records.append
        logger = logging.getLogger("qiskit.providers.ibmq.runtime")
        logger.addHandler(handler)
        try:
            job = self.run(iterations=3, interim_results="baz", callback=callback)
            job.wait_for_final_state()
        finally:
            logger.removeHandler(handler)
        expect(any("Kaboom" in handler.format(r) for r in records), "the error was not logged")
        expect(seen["last"] == 2, f"last iteration {seen['last']}")
        expect(job._ws_client._server_close_code is not None, "the stream did not close")

    def test_callback_cancel_job(self):
        seen = {"last": 0}

        def callback(job_id, interim):
            seen["last"] = interim["iteration"]

        for status in (JobStatus.QUEUED, JobStatus.RUNNING):
            if status == JobStatus.QUEUED:
                self.run(iterations=10)
            job = self.run(iterations=3, interim_results="baz", callback=callback)
            try:
                self.wait_for(job, status)
            except Skip:
                continue
            job.cancel()
            time.sleep(3)
            expect(job._ws_client._server_close_code is not None, f"{status.name}: not closed")
            expect(seen["last"] < 3, f"{status.name}: iteration {seen['last']}")

    def test_final_result(self):
        values = typed_values()
        job = self.run(final_result=values)
        expect(job.result(decoder=CodedDecoder) == values, "result")
        again = self.provider.runtime.job(job.job_id()).result(decoder=CodedDecoder)
        expect(again == values, "retrieved result")

    def test_job_status(self):
        job = self.run(iterations=1)
        time.sleep(random.randint(1, 5))
        expect(job.status(), "no status")

    def test_job_inputs(self):
        values = typed_values()
        inputs = {"iterations": 1, "interim_results": values}
        options = {"backend_name": self.backend.name()}
        job = self.provider.runtime.run(program_id=self.program_id, inputs=inputs, options=options)
        self.to_cancel.append(job)
        expect(job.inputs == inputs, "local inputs")
        retrieved = self.provider.runtime.job(job.job_id()).inputs["interim_results"]
        if "coded" in retrieved:
            retrieved["coded"] = Coded.from_json(retrieved["coded"])
        expect(retrieved == values, f"retrieved inputs {retrieved}")

    def test_job_backend(self):
        expect(self.run().backend() == self.backend, "backend")

    def test_job_program_id(self):
        expect(self.run().program_id == self.program_id, "program id")

    def test_wait_for_final_state(self):
        job = self.run()
        job.wait_for_final_state()
        expect(job.status() == JobStatus.DONE, f"status {job.status()}")

    def test_logout(self):
        self.provider.runtime.logout()
        self.upload()
        self.run()

    def test_run_circuit(self):
        job = self.provider.run_circuits(
            ReferenceCircuits.bell(), backend_name=self.backend.name(), shots=100
        )
        expect(sum(job.result().get_counts().values()) == 100, "shots")

    def test_job_creation_date(self):
        job = self.run(iterations=1)
        expect(job.creation_date, "no creation date")
        expect(self.provider.runtime.job(job.job_id()).creation_date, "retrieved: none")
        for listed in self.provider.runtime.jobs(limit=2):
            expect(listed.creation_date, "listed: none")

    def test_websocket_proxy(self):
        called = []
        proxy = ConnectProxy()
        with proxied(self.provider, {"https": f"http://127.0.0.1:{proxy.port}"}):
            job = self.run(iterations=1, callback=lambda job_id, interim: called.append(1))
            job.wait_for_final_state()
        expect(called, "no callback through the proxy")
        expect(proxy.tunnels >= 1, "the proxy carried nothing")

    def test_websocket_proxy_invalid_port(self):
        called = []
        with proxied(self.provider, {"https": "http://127.0.0.1:6666"}):
            job = self.run(iterations=1, callback=lambda job_id, interim: called.append(1))
            job.wait_for_final_state()
        expect(not called, "a callback through a proxy that does not exist")

    def test_job_logs(self):
        job = self.run(final_result="baz")
        records = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = records.append
        logger = logging.getLogger("qiskit.providers.ibmq")
        logger.addHandler(handler)
        try:
            job.logs()
        finally:
            logger.removeHandler(handler)
        expect(records, "no warning while the job runs")
        job.wait_for_final_state()
        logs = job.logs()
        expect("a line on stdout" in logs and "a warning on stderr" in logs, f"logs {logs!r}")

    def test_run_program_log_level(self):
        for level in ("INFO", "ERROR"):
            job = self.run(log_level=level)
            job.wait_for_final_state()
            shown = "INFO record" in job.logs()
            expect(shown == (level == "INFO"), f"{level}: logs {job.logs()!r}")


#: Behaviours whose check can lose a race inside the client itself, by the failure that race
#: makes: such a failure runs the behaviour once more.  test_callback_cancel_job: the provider
#: stops streaming by closing its websocket from the main thread while its reader thread
#: waits in select; when the main thread's close takes the service's close frame, the reader
#: waits out websocket-client's 10 s select timeout without calling on_close, so
#: ``_server_close_code`` is still None after the behaviour's 3 s.  The service sends the
#: close frame 50 ms before it answers the cancel (tests/service/test_edge.py; 20 runs of 20
#: passed on a loaded machine), but a machine loaded enough may still not schedule the
#: reader in between.
CLIENT_RACES = {"test_callback_cancel_job": ": not closed"}


def outcome_of(suite, name):
    try:
        getattr(suite, name)()
        return "ok"
    except Skip as exc:
        return f"skip: {exc}"
    except Exception:  # noqa: BLE001  (every failure is reported, then the next runs)
        return "fail: " + traceback.format_exc()[-1500:]
    finally:
        suite.clean_up()


def main(argv):
    url, token, backend_name = argv[:3]
    wanted = argv[3:]
    suite = Suite(url, token, backend_name)
    outcomes = {}
    names = [name for name in dir(Suite) if name.startswith("test_")]
    for name in names:
        if wanted and name not in wanted:
            continue
        started = time.monotonic()
        outcome = outcome_of(suite, name)
        race = CLIENT_RACES.get(name)
        if race and outcome.startswith("fail") and race in outcome.splitlines()[-1]:
            again = outcome_of(suite, name)
            outcome = again if again.startswith("fail") else f"{again} (once more: {race})"
        outcomes[name] = outcome
        took = time.monotonic() - started
        print(f"{name}: {outcome.splitlines()[0]} ({took:.1f} s)", file=sys.stderr)
    suite.close()
    print(json.dumps(outcomes))


if __name__ == "__main__":
    main(sys.argv[1:])
