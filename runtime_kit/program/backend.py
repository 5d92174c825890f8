"""``ProgramBackend``: the backend a program's ``main()`` receives.

It is a modern qiskit ``BackendV2`` around a real backend (Aer by default), and it keeps what
legacy programs called on the BackendV1 they were given: ``backend.name()`` as a method,
``backend.configuration()`` with ``n_qubits``/``basis_gates``/``coupling_map``, and
``run(circuits, timeout=None, **options)``.

V2 primitives work on it: qiskit's ``BackendSamplerV2(backend=backend)`` and
``BackendEstimatorV2(backend=backend)`` as on any backend, and Aer's
``SamplerV2.from_backend(backend)`` / ``EstimatorV2.from_backend(backend)``, which Aer would
otherwise turn into a fresh, unseeded simulator: given a ``ProgramBackend``, they run on the
wrapped simulator (an Aer copy of any other backend).

Every sampling call draws fresh shots: each ``run`` (and so each primitive call, and each
circuit of a batch) takes the next seed of the run's ``SeedStream`` unless the program gives
``seed_simulator`` itself, so a run repeats exactly under its one seed while its calls stay
independent of each other.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any

from qiskit.providers import BackendV2, Options

from runtime_kit.program.properties import BackendProperties
from runtime_kit.program.seeds import SeedStream

#: ``max_experiments`` of a backend without a limit: BackendV1 configurations always held a
#: number, and tools such as mthree divide by it.
UNLIMITED_EXPERIMENTS = 1_000_000


class BackendName(str):
    """A backend name that legacy code may also call: ``backend.name()`` (BackendV1 style)."""

    def __call__(self) -> str:
        return str(self)


@dataclass(frozen=True)
class BackendConfiguration:
    """The parts of a BackendV1 configuration that programs read."""

    backend_name: str
    backend_version: str
    n_qubits: int
    basis_gates: list[str]
    coupling_map: list[list[int]] | None
    max_shots: int
    max_experiments: int
    simulator: bool = True
    local: bool = True
    conditional: bool = True
    memory: bool = True
    open_pulse: bool = False
    gates: list[Any] = field(default_factory=list)
    online_date: str | None = None
    description: str | None = None
    processor_type: dict[str, Any] | None = None
    dt: float | None = None
    supported_instructions: list[str] | None = None

    @property
    def num_qubits(self) -> int:
        """``n_qubits`` by its other BackendV1 name (mthree reads this one)."""
        return self.n_qubits

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: What ``configuration()`` takes from a provider's configuration document as it is.
_DOCUMENTED = ("simulator", "local", "conditional", "memory", "online_date", "description",
               "processor_type", "supported_instructions")  # fmt: skip


def default_simulator(*, seed: int | None = None) -> BackendV2:
    """``AerSimulator`` with one thread: on small circuits and two cores, OpenMP threads
    cost far more than they give (a 10-qubit circuit ran ~6x slower with the default)."""
    from qiskit_aer import AerSimulator

    options: dict[str, Any] = {"max_parallel_threads": 1}
    if seed is not None:
        options["seed_simulator"] = seed
    return AerSimulator(**options)


class ProgramBackend(BackendV2):  # type: ignore[misc]  # qiskit publishes no types
    """The backend passed to ``main(backend, user_messenger, **kwargs)``.

    Args:
        backend: the backend that runs the circuits (default: ``default_simulator()``).
        name: the name programs see (default: the wrapped backend's).
        max_shots: reported by ``configuration()``.
        seed: the run's seed, from which each sampling call draws its own (default: the
            wrapped backend's ``seed_simulator``, if it has one; else calls are unseeded).
        configuration: gives the backend's configuration document as its provider serves
            it (called once, when first needed): ``configuration()`` takes what is not in
            the target from it (``simulator``, ``local``, ``max_shots``,
            ``max_experiments``, ``online_date``...).
        properties: gives its calibration properties document (None: none), which
            ``properties()`` returns as a ``BackendProperties``.
    """

    def __init__(
        self,
        backend: BackendV2 | None = None,
        *,
        name: str | None = None,
        max_shots: int = 1_000_000,
        seed: int | None = None,
        configuration: Callable[[], Mapping[str, Any]] | None = None,
        properties: Callable[[], Mapping[str, Any] | None] | None = None,
    ) -> None:
        self._backend = backend if backend is not None else default_simulator()
        if seed is None:
            given = getattr(self._backend.options, "seed_simulator", None)
            seed = given if isinstance(given, int) else None
        self._seeds = None if seed is None else SeedStream(seed)
        super().__init__(
            provider=None,
            name=name or self._backend.name,
            description=f"runtime-kit program backend around {self._backend.name}",
            backend_version=getattr(self._backend, "backend_version", None) or "0",
        )
        self._max_shots = max_shots
        self._configuration_document = functools.cache(configuration or dict)
        self._properties_document = functools.cache(properties or _none)
        _teach_aer_primitives()

    @property
    def name(self) -> BackendName:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = BackendName(value)

    @property
    def wrapped(self) -> BackendV2:
        """The backend that actually runs circuits."""
        return self._backend

    @property
    def target(self) -> Any:
        return self._backend.target

    @property
    def qubit_count(self) -> int:
        """Qubits the backend can run (simulators without a sized target: their maximum)."""
        limit: int | None = getattr(self._backend, "MAX_QUBITS_STATEVECTOR", None)
        if limit is None:  # BasicSimulator before qiskit 2.2 called it MAX_QUBITS_MEMORY
            limit = getattr(self._backend, "MAX_QUBITS_MEMORY", 0)
        qubits: int = self.target.num_qubits or limit or 0
        return qubits

    @property
    def max_circuits(self) -> int | None:
        circuits: int | None = self._backend.max_circuits
        return circuits

    @property
    def options(self) -> Options:
        return self._backend.options

    @classmethod
    def _default_options(cls) -> Options:
        return Options()

    def set_options(self, **fields: Any) -> None:
        self._backend.set_options(**fields)

    def run(self, circuits: Any, timeout: float | None = None, **options: Any) -> Any:
        """Run circuits on the wrapped backend; returns its job (``job.result()`` waits).

        ``timeout`` is accepted for legacy programs and bounds ``job.result()`` there.
        Without ``seed_simulator`` (or with ``None``: programs passing their optional seed
        through) the call takes the next seed of the run's stream.
        """
        if options.get("seed_simulator") is None:
            options.pop("seed_simulator", None)
            if self._seeds is not None:
                options["seed_simulator"] = self._seeds.next()
        job = self._backend.run(circuits, **options)
        if timeout is not None:
            job.result = _with_timeout(job.result, timeout)
        return job

    def session(self) -> AbstractContextManager[Any]:
        """Run the calls made in the ``with`` block in one session of the backend, where it
        has sessions (IBM Quantum hardware); on a simulator the block just runs, as in
        qiskit-ibm-runtime's local mode."""
        opened = getattr(self._backend, "session", None)
        return opened() if callable(opened) else contextlib.nullcontext()

    def configuration(self) -> BackendConfiguration:
        """BackendV1-style configuration, as legacy programs read it: qubits, basis and
        coupling map from the target, the rest from the provider's document."""
        target = self.target
        coupling = target.build_coupling_map()
        document = self._configuration_document()
        extra = {key: document[key] for key in _DOCUMENTED if key in document}
        return BackendConfiguration(
            backend_name=str(self.name),
            backend_version=str(self.backend_version),
            n_qubits=self.qubit_count,
            basis_gates=sorted(target.operation_names),
            coupling_map=[list(edge) for edge in coupling.get_edges()] if coupling else None,
            max_shots=int(document.get("max_shots") or self._max_shots),
            max_experiments=int(
                document.get("max_experiments") or self.max_circuits or UNLIMITED_EXPERIMENTS
            ),
            dt=target.dt,
            **extra,
        )

    def properties(self) -> BackendProperties | None:
        """The backend's calibration (BackendV1 API); None for a simulator, which has none."""
        document = self._properties_document()
        return None if document is None else BackendProperties(document)

    @property
    def seed(self) -> int | None:
        """The run's seed (None: unseeded)."""
        return None if self._seeds is None else self._seeds.seed

    @property
    def seeds(self) -> SeedStream | None:
        """The stream each sampling call takes its seed from (None: unseeded)."""
        return self._seeds


def _none() -> None:
    return None


def _aer_primitive(cls: Any, backend: ProgramBackend, from_backend: Any, options: Any) -> Any:
    """Aer's ``cls.from_backend`` for a ``ProgramBackend``: on its simulator, each ``run``
    seeded from the run's stream (unless the program seeded the primitive itself)."""
    from qiskit_aer import AerSimulator

    wrapped = backend.wrapped
    if getattr(wrapped, "runs_elsewhere", False):
        return _backend_primitive(cls, backend, options)
    if not isinstance(wrapped, AerSimulator) and wrapped.coupling_map is None:
        wrapped = AerSimulator()  # e.g. basic: ideal, all-to-all
    primitive = from_backend(cls, wrapped, **options)
    if backend.seeds is not None:
        _seed_each_run(primitive, backend.seeds)
    return primitive


def _backend_primitive(cls: Any, backend: ProgramBackend, options: Any) -> Any:
    """For a backend that runs elsewhere (IBM Quantum hardware), Aer's primitives would
    simulate a copy of it here: qiskit's backend primitives run on the device instead,
    through ``backend.run``, with the default shots or precision asked for."""
    from qiskit.primitives import BackendEstimatorV2, BackendSamplerV2
    from qiskit_aer.primitives import SamplerV2

    if cls is SamplerV2:
        shots = options.get("default_shots")
        asked = {"default_shots": shots} if shots else None
        return BackendSamplerV2(backend=backend, options=asked)
    precision = options.get("default_precision")
    chosen = {"default_precision": precision} if precision else None
    return BackendEstimatorV2(backend=backend, options=chosen)


def _seed_each_run(primitive: Any, seeds: SeedStream) -> None:
    """Give each ``primitive.run`` call the next seed of ``seeds``, where the primitive has
    none of its own: the sampler's ``seed``, the estimator's ``run_options`` (which also
    seed its precision noise).  Each call runs on a copy holding its seed: the primitive
    reads it later, in its job's thread, when the next call may already have been made."""
    import copy
    import dataclasses

    from qiskit_aer.primitives import SamplerV2

    run = type(primitive).run
    sampler = isinstance(primitive, SamplerV2)
    own_seed = primitive.seed if sampler else primitive.options.run_options.get("seed_simulator")
    if own_seed is not None:
        return

    def seeded_run(*args: Any, **kwargs: Any) -> Any:
        call = copy.copy(primitive)
        if sampler:
            call._seed = seeds.next()
        else:
            run_options = {**primitive.options.run_options, "seed_simulator": seeds.next()}
            call._options = dataclasses.replace(primitive.options, run_options=run_options)
        return run(call, *args, **kwargs)

    primitive.run = seeded_run


def _teach_aer_primitives() -> None:
    """Make Aer's ``SamplerV2``/``EstimatorV2.from_backend`` accept a ``ProgramBackend``.

    Aer only reuses a backend that is an ``AerSimulator``; any other it copies into a new
    simulator without the run's seeds, so a program's results would not repeat under
    ``--seed``.
    """
    try:
        from qiskit_aer.primitives import EstimatorV2, SamplerV2
    except ImportError:  # no Aer: nothing to teach
        return
    for cls in (SamplerV2, EstimatorV2):
        original = cls.__dict__["from_backend"].__func__
        if getattr(original, "_runtime_kit", False):
            continue

        def from_backend(
            cls: type[Any], /, backend: Any, _original: Any = original, **options: Any
        ) -> Any:
            if isinstance(backend, ProgramBackend):
                return _aer_primitive(cls, backend, _original, options)
            return _original(cls, backend, **options)

        from_backend._runtime_kit = True  # type: ignore[attr-defined]
        from_backend.__doc__ = original.__doc__
        cls.from_backend = classmethod(from_backend)


def _with_timeout(result: Any, timeout: float) -> Any:
    def result_with_timeout(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", timeout)
        return result(*args, **kwargs)

    return result_with_timeout
