"""Run in .venv-legacy: the calls of IBM's tutorial ``tutorials/01_circuit_runner.ipynb``
(Qiskit-Partners/qiskit-runtime), cell by cell in order, written anew, only the service and
token changed (~/.qiskit/qiskitrc).  Plots are not drawn (no matplotlib here): their data is
printed.  Cell 2 imports ``qiskit.ignis``, which the client's stack (qiskit-terra 0.23) does
not have: the error is printed, and cell 29 uses an ``expectation_value`` of our own (the
parity of the bits: ignis's computes that for counts without a diagonal operator).  Prints
``cell N: ...`` lines."""

from qiskit import IBMQ, QuantumCircuit
from qiskit.quantum_info import hellinger_fidelity
from qiskit.visualization import plot_histogram  # noqa: F401  (drawn in the notebook)

try:
    from qiskit.ignis.mitigation.expval import expectation_value
except ImportError as exc:
    print(f"cell 2: {type(exc).__name__}: {exc}")

    def expectation_value(counts):
        """The mean of (-1)**(number of ones) over the counts or probabilities."""
        total = sum(counts.values())
        parity = sum((-1) ** key.count("1") * value for key, value in counts.items())
        return parity / total, None


# cells 3-6
IBMQ.load_account()
provider = IBMQ.get_provider(project="qiskit-runtime")
print("cell 6: " + provider.run_circuits.__doc__.splitlines()[0])

# cells 8-9: the circuit and its exact distribution
N = 6
qc = QuantumCircuit(N)
qc.x(range(0, N))
qc.h(range(0, N))
for kk in range(N // 2, 0, -1):
    qc.ch(kk, kk - 1)
for kk in range(N // 2, N - 1):
    qc.ch(kk, kk + 1)
qc.measure_all()
exact_dist = {
    "000000": 0.015624999999999986,
    "000001": 0.015624999999999986,
    "000011": 0.031249999999999965,
    "000111": 0.06249999999999992,
    "100000": 0.015624999999999986,
    "100001": 0.015624999999999986,
    "100011": 0.031249999999999965,
    "100111": 0.06249999999999992,
    "110000": 0.031249999999999965,
    "110001": 0.031249999999999965,
    "110011": 0.06249999999999992,
    "110111": 0.12499999999999982,
    "111111": 0.4999999999999991,
}

# cells 11-16: run_circuits on ibmq_montreal
backend = provider.backend.ibmq_montreal
job = provider.run_circuits(qc, backend.name(), shots=2048, initial_layout=[0, 1, 4, 7, 10, 12])
res = job.result()
print(f"cell 13: {type(res).__name__}")
print(f"cell 14: counts {res.get_counts()}")
print(f"cell 16: {hellinger_fidelity(res.get_counts(), exact_dist)}")

# cell 18: the program
program = provider.runtime.program("circuit-runner")
print("cell 18: " + str(program).splitlines()[0])

# cells 20-22: the program by its id, with RunnerResult
from qiskit.providers.ibmq import RunnerResult  # noqa: E402

program_inputs = {
    "circuits": qc,
    "shots": 2048,
    "optimization_level": 0,
    "initial_layout": [0, 1, 4, 7, 10, 12],
    "measurement_error_mitigation": False,
}
options = {"backend_name": backend.name()}
job2 = provider.runtime.run(
    program_id="circuit-runner",
    options=options,
    inputs=program_inputs,
    result_decoder=RunnerResult,
)
res2 = job2.result()
print(f"cell 21: counts {res2.get_counts()}")
print(f"cell 22: {hellinger_fidelity(res2.get_counts(), exact_dist)}")

# cells 24-27: measurement error mitigation in the cloud (the backend object as its name)
try:
    job3 = provider.run_circuits(
        qc, backend, shots=2048, initial_layout=[0, 1, 4, 7, 10, 12],
        measurement_error_mitigation=True,
    )  # fmt: skip
except TypeError as exc:
    print(f"cell 24: {type(exc).__name__}: {exc}")
    job3 = provider.run_circuits(
        qc, backend.name(), shots=2048, initial_layout=[0, 1, 4, 7, 10, 12],
        measurement_error_mitigation=True,
    )  # fmt: skip
    print("cell 24: meant: backend.name()")
res3 = job3.result()
quasi = res3.get_quasiprobabilities()
quasi_binary = quasi.binary_probabilities()
print(f"cell 27: {type(quasi).__name__} {quasi_binary}")

# cell 29: expectation values
print("cell 29: Raw expectation value:", expectation_value(res3.get_counts())[0])
print("cell 29: Mitigated expectation value:", expectation_value(quasi_binary)[0])
print("cell 29: Exact expectation value:", expectation_value(exact_dist)[0])

# cells 31-33: the nearest probability distribution
nearest_probs = quasi.nearest_probability_distribution().binary_probabilities()
print(f"cell 31: {nearest_probs}")
print(f"cell 33: {hellinger_fidelity(nearest_probs, exact_dist)}")

# cells 35-37: what the result's header says
print(f"cell 35: {res3.results[0].header.measurement_mitigation_time}")
print(f"cell 37: {res3.results[0].header.final_measurement_mapping}")
