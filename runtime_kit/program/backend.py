"""``ProgramBackend``: the backend a program's ``main()`` receives.

It is a modern qiskit ``BackendV2`` around a real backend (Aer by default), and it keeps what
legacy programs called on the BackendV1 they were given: ``backend.name()`` as a method,
``backend.configuration()`` with ``n_qubits``/``basis_gates``/``coupling_map``, and
``run(circuits, timeout=None, **options)``.

V2 primitives work on it: qiskit's ``BackendSamplerV2(backend=backend)`` and
``BackendEstimatorV2(backend=backend)`` as on any backend, and Aer's
``SamplerV2.from_backend(backend)`` / ``EstimatorV2.from_backend(backend)``, which Aer would
otherwise turn into a fresh, unseeded simulator: given a ``ProgramBackend``, they run on the
wrapped simulator (an Aer copy of any other backend), seeded with the run's seed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from qiskit.providers import BackendV2, Options

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

    @property
    def num_qubits(self) -> int:
        """``n_qubits`` by its other BackendV1 name (mthree reads this one)."""
        return self.n_qubits

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    """

    def __init__(
        self,
        backend: BackendV2 | None = None,
        *,
        name: str | None = None,
        max_shots: int = 1_000_000,
    ) -> None:
        self._backend = backend if backend is not None else default_simulator()
        super().__init__(
            provider=None,
            name=name or self._backend.name,
            description=f"runtime-kit program backend around {self._backend.name}",
            backend_version=getattr(self._backend, "backend_version", None) or "0",
        )
        self._max_shots = max_shots
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
        ``seed_simulator=None`` leaves the backend's own seed in place (the harness seeds
        it), so that programs passing their optional seed through stay reproducible.
        """
        if "seed_simulator" in options and options["seed_simulator"] is None:
            del options["seed_simulator"]
        job = self._backend.run(circuits, **options)
        if timeout is not None:
            job.result = _with_timeout(job.result, timeout)
        return job

    def configuration(self) -> BackendConfiguration:
        """BackendV1-style configuration, as legacy programs read it."""
        target = self.target
        coupling = target.build_coupling_map()
        return BackendConfiguration(
            backend_name=str(self.name),
            backend_version=str(self.backend_version),
            n_qubits=self.qubit_count,
            basis_gates=sorted(target.operation_names),
            coupling_map=[list(edge) for edge in coupling.get_edges()] if coupling else None,
            max_shots=self._max_shots,
            max_experiments=self.max_circuits or UNLIMITED_EXPERIMENTS,
        )

    def properties(self) -> None:
        """Simulators have no calibration properties (BackendV1 API)."""
        return None

    @property
    def seed(self) -> int | None:
        """The wrapped simulator's ``seed_simulator`` (the run's seed under the harness)."""
        seed = getattr(self._backend.options, "seed_simulator", None)
        return seed if isinstance(seed, int) else None


def _aer_primitive(cls: Any, backend: ProgramBackend, from_backend: Any, options: Any) -> Any:
    """Aer's ``cls.from_backend`` for a ``ProgramBackend``: on its simulator, with its seed."""
    from qiskit_aer import AerSimulator
    from qiskit_aer.primitives import EstimatorV2

    wrapped = backend.wrapped
    if not isinstance(wrapped, AerSimulator) and wrapped.coupling_map is None:
        wrapped = AerSimulator(seed_simulator=backend.seed)  # e.g. basic: ideal, all-to-all
    if backend.seed is not None:
        if cls is EstimatorV2:  # Aer's estimator draws its precision noise from this seed
            primitive_options = dict(options.get("options") or {})
            run_options = {
                "seed_simulator": backend.seed,
                **primitive_options.get("run_options", {}),
            }
            options = {**options, "options": {**primitive_options, "run_options": run_options}}
        else:
            options = {"seed": backend.seed, **options}
    return from_backend(cls, wrapped, **options)


def _teach_aer_primitives() -> None:
    """Make Aer's ``SamplerV2``/``EstimatorV2.from_backend`` accept a ``ProgramBackend``.

    Aer only reuses a backend that is an ``AerSimulator``; any other it copies into a new
    simulator without its seed, so a program's results would not repeat under ``--seed``.
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
