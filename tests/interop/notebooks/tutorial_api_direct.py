"""Run in .venv-legacy: the calls of IBM's tutorial ``tutorials/API_direct.ipynb``
(Qiskit-Partners/qiskit-runtime), cell by cell in order, written anew, with only the service
URL and token changed (``RUNTIME_API_URL``, ``QE_TOKEN``).  Prints ``cell N: ...`` lines."""

import json
import os
import time

import requests

# cell 6: the token in every call's header
headers = {
    "Authorization": f"Bearer {os.environ['QE_TOKEN']}",
    "Content-Type": "application/json",
}
Runtime_API_URL = os.environ["RUNTIME_API_URL"]

# cell 8: the programs
response = requests.get(Runtime_API_URL + "programs", headers=headers)
list_of_programs = {}
if response.status_code == 200:
    list_of_programs = response.json()
else:
    print(f"Error:{response.status_code}")
    raise SystemExit(1)
print("Qiskit Runtime Programs:")
for program in list_of_programs["programs"]:
    print(f"cell 8: - {program['name']}: {program['description']} ")

# cell 10: the first program in full
qiskit_runtime_program = json.dumps(list_of_programs["programs"][0], indent=2)
print(f"cell 10: {json.dumps(sorted(json.loads(qiskit_runtime_program)))}")

# cell 12: hello-world on ibmq_montreal, in the notebook's instance
Runtime_program = "hello-world"
program_input = {"iterations": 2}


def run_runtime_program(program_name, program_input):
    params = json.dumps(
        {
            "program_id": Runtime_program,
            "hub": "ibm-q-internal",
            "group": "near-time",
            "project": "qiskit-runtime",
            "backend": "ibmq_montreal",
            "params": program_input,
        }
    )
    response = requests.post(Runtime_API_URL + "jobs", data=params, headers=headers)
    if response.status_code == 200:
        return 200, response.json()["id"]
    print(f"cell 12: {response.text}")
    return response.status_code, None


status, job_ID = run_runtime_program(Runtime_program, program_input)
print(f"cell 12: status: {status}, Job: {job_ID}")

# cell 14: poll the results: 204 while it runs
final_result = False
waits = 0
while not final_result:
    response = requests.get(Runtime_API_URL + "jobs/" + job_ID + "/results", headers=headers)
    if response.status_code == 200:
        print(f"cell 14: Final Result: {response.text}")
        final_result = True
    elif response.status_code == 204:
        waits += 1
        time.sleep(0.2)  # the notebook waits 2 s between polls
    else:
        print(f"cell 14: Error:{response.status_code}")
        break
print(f"cell 14: waited {waits > 0}")
