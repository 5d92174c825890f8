"""Example 1, as a qiskit-ibmq-provider user wrote it: list the programs, show one."""

from qiskit import IBMQ

provider = IBMQ.load_account()
provider.runtime.pprint_programs()
program = provider.runtime.program("circuit-runner")
print(program)
