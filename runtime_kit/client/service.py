"""``RuntimeService``: a runtime service as the legacy client showed it (reference §3).

Its methods keep the legacy names, parameters and order (``IBMRuntimeService`` of
qiskit-ibmq-provider 0.20), so legacy scripts carry over; the work is done by
``ProgramCatalog`` (programs) and ``JobCatalog`` (jobs), one idea each.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from runtime_kit.client.job import Callback, Decoder, RuntimeJob
from runtime_kit.client.jobs import JobCatalog
from runtime_kit.client.program import RuntimeProgram
from runtime_kit.client.programs import (
    ProgramCatalog,
    load_metadata,
    metadata_fields,
    program_data,
)
from runtime_kit.errors import InputValueError

if TYPE_CHECKING:
    from runtime_kit.bundle import Bundle


class RuntimeService:
    """A runtime service.

    Args:
        url, token: the service; default: ``RUNTIME_KIT_URL``/``RUNTIME_KIT_TOKEN``, else
            the user config of ``runtime-kit login``, else the per-user local service
            (started on first use).
        transport: an httpx transport to use instead of the network (tests).
        ca_file: the CA certificates to trust for an https service; default:
            ``RUNTIME_KIT_CA_FILE``, else the one ``runtime-kit login --ca-file`` stored for
            the service, else the default CAs (``SSL_CERT_FILE`` names another bundle).
        timeout_s: seconds each request may take; default ``RUNTIME_KIT_TIMEOUT_S``, else 60.
        retries: tries after the first for a request that failed on its way (connection
            errors; 502, 503, 429 for requests that repeating cannot do twice): default
            ``RUNTIME_KIT_RETRIES``, else 3; backoff doubles from 0.5 s, 30 s of waiting at
            most, ``Retry-After`` honoured.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        ca_file: Path | None = None,
        timeout_s: float | None = None,
        retries: int | None = None,
    ) -> None:
        from runtime_kit.client.config import connect

        self._http, self.source = connect(
            url, token, transport=transport, ca_file=ca_file, timeout_s=timeout_s, retries=retries
        )
        self.catalog = ProgramCatalog(self._http)
        self.job_catalog = JobCatalog(self._http)

    @property
    def url(self) -> str:
        return self._http.url

    def close(self) -> None:
        """Close the connections to the service."""
        self._http.close()

    def logout(self) -> None:
        """Legacy name of ``close``: the token stays valid (revoke it with ``tokens``)."""
        self.close()

    # --- programs -------------------------------------------------------------------------

    def programs(
        self, refresh: bool = False, limit: int | None = 20, skip: int = 0
    ) -> list[RuntimeProgram]:
        """Programs visible to this token (public and own), ``skip`` then ``limit`` of them."""
        return self.catalog.list(refresh=refresh, limit=limit, skip=skip)

    def pprint_programs(
        self, refresh: bool = False, detailed: bool = False, limit: int = 20, skip: int = 0
    ) -> None:
        """Print the programs as the legacy client did (``detailed``: every field)."""
        for program in self.programs(refresh, limit, skip):
            print("=" * 50)
            if detailed:
                print(program)
            else:
                print(f"{program.program_id}:\n  Name: {program.name}")
                print(f"  Description: {program.description}")

    def program(
        self, program_id: str, refresh: bool = False, *, version: str | None = None
    ) -> RuntimeProgram:
        """One program by id (``version``: that version's data, spec and cost).

        Raises:
            ProgramNotFoundError: no such program visible to this token.
        """
        return self.catalog.get(program_id, refresh=refresh, version=version)

    def find_program(self, name_or_id: str, *, version: str | None = None) -> RuntimeProgram:
        """The program of that id, or of that name (yours first); see ``ProgramCatalog.find``.

        Raises:
            ProgramNotFoundError: neither an id nor a visible program's name.
            AmbiguousProgramError: several visible programs have that name, none yours.
        """
        return self.catalog.find(name_or_id, version=version)

    def own_program(self, name: str) -> RuntimeProgram | None:
        """This token's program called ``name``, with its data; None if there is none."""
        return self.catalog.own(name)

    def upload_program(
        self,
        data: str | Path | None = None,
        metadata: Mapping[str, Any] | str | Path | None = None,
        version: str | None = None,
        *,
        source: str | None = None,
        path: str | Path | None = None,
        bundle: Bundle | None = None,
    ) -> str:
        """Upload a program; returns its id.

        Args:
            data: the path of a program file, or of a program directory (uploaded as a zip
                bundle when it holds more than the program file); ``path=`` is the same.
            metadata: a dict, or the path of a JSON/YAML metadata file (v1 or v2); default:
                the metadata of the program's directory.
            version: overrides the metadata's ``version``.
            source: the program's text instead of a file (``metadata`` then required).
            bundle: one ``runtime_kit.bundle.build_bundle`` made already.

        Raises:
            InputValueError: not exactly one of data/path/source/bundle, or no such path.
            DuplicateProgramError: you have a program of that name already.
        """
        text, loaded = program_data(
            data=data, source=source, path=path, bundle=bundle, metadata=metadata
        )
        return self.catalog.upload(text, loaded, version)

    def update_program(
        self,
        program_id: str,
        data: str | Path | None = None,
        metadata: Mapping[str, Any] | str | Path | None = None,
        name: str | None = None,
        description: str | None = None,
        max_execution_time: int | None = None,
        spec: Mapping[str, Any] | None = None,
        *,
        version: str | None = None,
        source: str | None = None,
        path: str | Path | None = None,
        bundle: Bundle | None = None,
    ) -> None:
        """Change a program.  New data (``data``/``path``, ``source`` or ``bundle``) with a
        ``version`` (given, or the metadata's) that the program lacks publishes that new
        version (earlier ones stay retrievable and runnable); otherwise the current
        version's data is replaced.  ``metadata`` and the named fields change the
        metadata (the fields win over the metadata's)."""
        new_data = None
        loaded: dict[str, Any] = {}
        if any(given is not None for given in (data, source, path, bundle)):
            new_data, loaded = program_data(
                data=data, source=source, path=path, bundle=bundle, metadata=metadata
            )
        elif metadata is not None:
            loaded = load_metadata(metadata)
        explicit = {"name": name, "description": description,
                    "max_execution_time": max_execution_time, "spec": spec}  # fmt: skip
        version = version or loaded.get("version")
        if (
            new_data is not None
            and version is not None
            and str(version) in self.program(program_id, refresh=True).versions
        ):
            version = None  # that version exists: replace its data
        self.catalog.update(
            program_id,
            data=new_data,
            fields=metadata_fields(loaded, explicit),
            version=None if version is None else str(version),
        )

    def delete_program(self, program_id: str) -> None:
        self.catalog.delete(program_id)

    def set_program_visibility(self, program_id: str, public: bool) -> None:
        self.catalog.set_visibility(program_id, public)

    # --- jobs -----------------------------------------------------------------------------

    def run(
        self,
        program_id: str,
        options: Mapping[str, Any] | Any = None,
        inputs: Mapping[str, Any] | Any = None,
        callback: Callback | None = None,
        result_decoder: Decoder | None = None,
        image: str | None = "",
        *,
        version: str | None = None,
    ) -> RuntimeJob:
        """Start a job (legacy order: options, then inputs).

        Args:
            program_id: the program's id.
            options: a dict or an object with attributes (legacy ``RuntimeOptions``):
                ``backend_name`` (or ``backend``), ``log_level``, ``max_execution_time``.
            inputs: a dict, or a ``ParameterNamespace`` (validated first).
            callback: called as ``callback(job_id, message)`` for each interim result, from
                a background thread (the result is ``job.result()``'s).
            result_decoder: a ``ResultDecoder`` subclass for the job's results.
            image: legacy; only empty.
            version: the program version to run (default: the latest).

        Raises:
            InputValueError: unknown options, or inputs that do not validate.
            ProgramNotFoundError: no such program (or version).
        """
        if hasattr(inputs, "validate") and hasattr(inputs, "inputs"):
            inputs.validate()
            inputs = inputs.inputs()
        if inputs is not None and not isinstance(inputs, Mapping):
            raise InputValueError(
                f"inputs must be a dict or a ParameterNamespace, got {type(inputs).__name__}"
            )
        chosen = _options_dict(options)
        if image:
            chosen["image"] = image
        job = self.job_catalog.submit(
            program_id, inputs or {}, chosen, version=version, result_decoder=result_decoder
        )
        if callback is not None:
            job.stream_results(callback)
        return job

    def job(self, job_id: str) -> RuntimeJob:
        return self.job_catalog.get(job_id)

    def jobs(
        self,
        limit: int | None = 10,
        skip: int = 0,
        pending: bool | None = None,
        program_id: str | None = None,
        *,
        instance: str | None = None,
    ) -> list[RuntimeJob]:
        """This token's jobs, newest first (``pending``: only queued/running ones;
        ``instance``: only those that ran under that ``HUB/GROUP/PROJECT``)."""
        return self.job_catalog.list(
            limit=limit, skip=skip, pending=pending, program_id=program_id, instance=instance
        )

    def delete_job(self, job_id: str) -> None:
        self.job_catalog.delete(job_id)

    # --- backends -------------------------------------------------------------------------

    def backends(self) -> list[str]:
        """The names of the backends the service lists: its simulators, IBM's device
        snapshots, its providers' (any ``generic-N``/``noisy-N`` runs too)."""
        return list(self._http.json("GET", "/backends")["devices"])

    def backend_configuration(self, name: str) -> dict[str, Any]:
        """The configuration document of backend ``name``, as IBM's API served one.

        Raises:
            ServiceError: no such backend (404), or the service failed.
        """
        configuration: dict[str, Any] = self._http.json("GET", f"/backends/{name}/configuration")
        return configuration

    def backend_properties(self, name: str) -> dict[str, Any] | None:
        """The calibration properties document of backend ``name``; None for a simulator.

        Raises:
            ServiceError: no such backend (404), or the service failed.
        """
        properties: dict[str, Any] = self._http.json("GET", f"/backends/{name}/properties")
        return properties or None


def _options_dict(options: Any) -> dict[str, Any]:
    """Run options as a dict: a mapping, None, or an object with attributes (legacy
    ``RuntimeOptions``, whose unset fields are None)."""
    if options is None:
        return {}
    if isinstance(options, Mapping):
        return dict(options)
    if hasattr(options, "__dict__"):
        return {key: value for key, value in vars(options).items() if value is not None}
    raise InputValueError(f"options must be a dict, got {type(options).__name__}")
