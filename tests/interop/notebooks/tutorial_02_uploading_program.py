"""Run in .venv-legacy, from this folder: the calls of IBM's tutorial
``tutorials/02_uploading_program.ipynb`` (Qiskit-Partners/qiskit-runtime), cell by cell in
order, written anew with only the service and token changed (they come from ~/.qiskit/qiskitrc)
and our own program files (``hello_world.py``/``.json``: the notebook's are not in the archive).
Prints ``cell N: ...`` lines."""

import json
import os
import sys

# cell 5: the program template (defined, not run, in the notebook)
from qiskit.providers.ibmq.runtime import ProgramBackend, UserMessenger


def program(backend: ProgramBackend, user_messenger: UserMessenger, **kwargs):
    user_messenger.publish("an interim result")
    return "the final result"


def main(backend: ProgramBackend, user_messenger: UserMessenger, **kwargs):
    return program(backend, user_messenger, **kwargs)


print("cell 5: template defined")


# cells 14-25: a class with to_json/from_json, and a ResultDecoder for it (defined only; the
# notebook's decoder calls super().decoded(), which does not exist: never called there)
class MyCustomClass:
    def __init__(self, foo, bar):
        self._foo, self._bar = foo, bar

    def to_json(self):
        return json.dumps({"foo": self._foo, "bar": self._bar})

    @classmethod
    def from_json(cls, json_str):
        return cls(**json.loads(json_str))


from qiskit.providers.ibmq.runtime import ResultDecoder  # noqa: E402


class MyResultDecoder(ResultDecoder):
    @classmethod
    def decode(cls, data):
        data = super().decoded(data)
        return MyCustomClass.from_json(data)


print("cell 25: decoder defined")

# cell 30: the program run locally on Aer, its inputs through the wire format
sys.path.insert(0, os.getcwd())
import hello_world  # noqa: E402
from qiskit import Aer  # noqa: E402
from qiskit.providers.ibmq.runtime.utils import RuntimeDecoder, RuntimeEncoder  # noqa: E402

inputs = {"iterations": 3}
backend = Aer.get_backend("qasm_simulator")
user_messenger = UserMessenger()
serialized_inputs = json.dumps(inputs, cls=RuntimeEncoder)
deserialized_inputs = json.loads(serialized_inputs, cls=RuntimeDecoder)
print(f"cell 30: returned {hello_world.main(backend, user_messenger, **deserialized_inputs)!r}")

# cell 34: the metadata file
with open(os.path.join(os.getcwd(), "hello_world.json")) as file:
    print(f"cell 34: metadata name {json.loads(file.read())['name']}")

# cell 37: upload, from the files, with the provider of project qiskit-runtime
from qiskit import IBMQ  # noqa: E402

IBMQ.load_account()
provider = IBMQ.get_provider(project="qiskit-runtime")
print(f"cell 37: provider {provider}")
program_id = provider.runtime.upload_program(
    data=os.path.join(os.getcwd(), "hello_world.py"),
    metadata=os.path.join(os.getcwd(), "hello_world.json"),
)
print(f"cell 37: {program_id}")

# cell 41: a new description
provider.runtime.update_program(program_id=program_id, description="A new description.")
print(f"cell 41: {provider.runtime.program(program_id, refresh=True).description}")
