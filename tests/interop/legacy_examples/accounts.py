"""IBMQ.enable_account(token, url=...) and what the provider lists: backends with their
configuration, status and properties.  Usage: python accounts.py TOKEN URL"""

import sys

from qiskit import IBMQ
from qiskit.providers.ibmq.exceptions import IBMQAccountCredentialsInvalidUrl

token, url = sys.argv[1:3]
provider = IBMQ.enable_account(token, url=url)
print(f"provider: {provider}")
print(f"providers: {IBMQ.providers()}")
print(f"backends: {[backend.name() for backend in provider.backends()]}")

backend = provider.get_backend("ibmq_qasm_simulator")
config = backend.configuration()
print(f"ibmq_qasm_simulator: {config.n_qubits} qubits, simulator {config.simulator}")
status = backend.status()
print(f"status: {status.operational} {status.status_msg} {status.pending_jobs}")
print(f"properties: {backend.properties()}")

noisy = provider.backend.noisy_5
config = noisy.configuration()
print(f"noisy-5: {config.n_qubits} qubits, simulator {config.simulator}")
properties = noisy.properties()
print(f"readout errors: {[properties.readout_error(qubit) for qubit in range(5)]}")
print(f"runtime: {provider.runtime is not None}")

montreal = provider.get_backend("ibmq_montreal")
config = montreal.configuration()
print(
    f"ibmq_montreal: {config.n_qubits} qubits, simulator {config.simulator}, "
    f"{len(config.coupling_map)} couplings, basis {config.basis_gates}"
)
properties = montreal.properties()
print(f"montreal t1: {properties.t1(0)}")
print(f"montreal cx: {properties.gate_error('cx', [0, 1])}")

try:
    IBMQ.save_account(token, url=url)
except IBMQAccountCredentialsInvalidUrl:
    print("save_account: refuses any url but IBM's (the provider's own check)")
