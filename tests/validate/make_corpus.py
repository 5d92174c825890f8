"""Writes tests/validate/corpus: a good base program, and one broken copy per defect.

Each ``bad/<case>/expected.txt`` lists the findings that case must yield, exactly, as
``file:line:col: CODE`` (written by hand here, then checked by test_corpus.py).  To add a
case, add a ``case(...)`` line and run ``python tests/validate/make_corpus.py``.
"""
import shutil
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus"
PROGRAM = '''"""Corpus base: a program with nothing wrong."""

from qiskit import QuantumCircuit, transpile


def main(backend, user_messenger, iterations, shots=1024, **kwargs):
    seed = kwargs.get("seed")
    for iteration in range(iterations):
        circuit = QuantumCircuit(1, 1)
        circuit.h(0)
        circuit.measure(0, 0)
        job = backend.run(transpile(circuit, backend), shots=shots, seed_simulator=seed)
        user_messenger.publish({"iteration": iteration, "counts": job.result().get_counts()})
    return "done"
'''
METADATA = '''{
  "name": "corpus-base",
  "description": "A program with nothing wrong.",
  "max_execution_time": 300,
  "spec": {
    "backend_requirements": {"min_num_qubits": 1},
    "parameters": {
      "$schema": "https://json-schema.org/draft/2019-09/schema",
      "type": "object",
      "properties": {
        "iterations": {"type": "integer", "minimum": 1},
        "shots": {"type": "integer", "minimum": 1},
        "seed": {"type": ["integer", "null"]}
      },
      "required": ["iterations"]
    },
    "return_values": {
      "$schema": "https://json-schema.org/draft/2019-09/schema",
      "type": "string"
    },
    "interim_results": {
      "$schema": "https://json-schema.org/draft/2019-09/schema",
      "type": "object",
      "properties": {
        "iteration": {"type": "integer"},
        "counts": {"type": "object"}
      }
    }
  }
}
'''
INPUTS = '''{
  "iterations": 2,
  "shots": 100
}
'''
METADATA_YAML = '''name: corpus-base
description: A program with nothing wrong.
max_execution_time: 300
spec:
  backend_requirements:
    min_num_qubits: 1
  parameters:
    $schema: https://json-schema.org/draft/2019-09/schema
    type: object
    properties:
      iterations: {type: integer, minimum: 1}
      shots: {type: integer, minimum: 1}
      seed: {type: [integer, "null"]}
    required: [iterations]
  return_values:
    type: string
'''
METADATA_V1 = '''{
  "name": "corpus-base",
  "description": "A program with nothing wrong.",
  "max_execution_time": 300,
  "version": "1.0",
  "backend_requirements": {"min_num_qubits": 1},
  "parameters": [
    {"name": "iterations", "description": "Circuits to run.", "type": "int", "required": true},
    {"name": "shots", "description": "Shots per circuit.", "type": "int", "required": false},
    {"name": "seed", "description": "Simulator seed.", "type": "int", "required": false}
  ],
  "return_values": [{"name": "-", "description": "A message.", "type": "str"}]
}
'''

def sub(text, old, new, count=1):
    assert text.count(old) >= 1, (old, text)
    return text.replace(old, new, count)

def write_program(directory, files, drop=()):
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    contents = {"program.py": PROGRAM, "metadata.json": METADATA, "inputs/example.json": INPUTS}
    contents.update(files or {})
    for rel, content in contents.items():
        if rel in drop or content is None:
            continue
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def case(name, expected, files=None, drop=(), description=""):
    write_program(OUT / "bad" / name, files, drop)
    lines = [f"# {description}", *expected]
    (OUT / "bad" / name / "expected.txt").write_text("\n".join(lines) + "\n")


def good(name, files=None, drop=()):
    write_program(OUT / "good" / name, files, drop)


M, P, I = METADATA, PROGRAM, INPUTS
# --- files and layout (RK0xx)
case("file-json-trailing-comma", ["metadata.json:4:29: RK002"],
     {"metadata.json": sub(M, '"max_execution_time": 300,', '"max_execution_time": 300,,')},
     description="metadata JSON with a doubled comma")
case("file-yaml-bad-indent", ["metadata.yaml:3:20: RK002"],
     {"metadata.yaml": sub(METADATA_YAML, "max_execution_time: 300", " max_execution_time: 300"), "metadata.json": None},
     description="YAML metadata with a mis-indented key")
case("file-update-conflict", ["program.py:7:1: RK005", "metadata.json:4:1: RK005"],
     {"program.py": sub(P, '    seed = kwargs.get("seed")\n', '<<<<<<< yours\n    seed = kwargs.get("seed", 1)\n=======\n    seed = kwargs.get("seed")\n>>>>>>> template\n'),
      "metadata.json": sub(M, '  "max_execution_time": 300,\n', '<<<<<<< yours\n  "max_execution_time": 600,\n=======\n  "max_execution_time": 300,\n>>>>>>> template\n')},
     description="conflict markers left by runtime-kit update, in the program and the metadata")
case("file-metadata-binary", ["metadata.json:0:0: RK001"],
     {"metadata.json": b'{"name": "x\x00\x00\x01"}'}, description="metadata file is binary")
case("file-metadata-not-utf8", ["metadata.json:0:0: RK001"],
     {"metadata.json": M.replace("nothing wrong", "nothing wr\u00f6ng").encode("latin-1")},
     description="metadata file in Latin-1, not UTF-8")
case("file-program-binary", ["program.py:0:0: RK001"],
     {"program.py": b"\x7fELF\x02\x01\x01\x00\x00\x00"}, description="program.py is a binary")
case("file-program-not-utf8", ["program.py:0:0: RK001"],
     {"program.py": P.replace("nothing wrong", "nothing wr\u00f6ng").encode("latin-1")},
     description="program.py in Latin-1")
case("layout-no-program", [".:0:0: RK003"], drop=("program.py",), description="no program module")
case("layout-two-mains", [".:0:0: RK003"],
     {"program.py": None, "first.py": P, "second.py": P}, description="two modules define main()")
case("layout-no-metadata", [".:0:0: RK004"], drop=("metadata.json",), description="no metadata")
case("layout-two-metadata", [".:0:0: RK004"], {"metadata.yaml": METADATA_YAML},
     description="metadata.json and metadata.yaml both present")
# --- metadata fields (RK1xx)
case("meta-missing-name", ["metadata.json:1:1: RK101"],
     {"metadata.json": sub(M, '  "name": "corpus-base",\n', "")}, description="no name")
case("meta-missing-max-execution-time", ["metadata.json:1:1: RK101"],
     {"metadata.json": sub(M, '  "max_execution_time": 300,\n', "")}, description="no max_execution_time")
case("meta-name-not-string", ["metadata.json:2:3: RK105"],
     {"metadata.json": sub(M, '"name": "corpus-base"', '"name": 42')}, description="name is a number")
case("meta-name-bad-characters", ["metadata.json:2:3: RK105"],
     {"metadata.json": sub(M, '"name": "corpus-base"', '"name": "my program!"')}, description="name with a space and '!'")
case("meta-name-too-long", ["metadata.json:2:3: RK105"],
     {"metadata.json": sub(M, '"name": "corpus-base"', '"name": "' + "x" * 65 + '"')}, description="65-character name")
case("meta-max-time-zero", ["metadata.json:4:3: RK106"],
     {"metadata.json": sub(M, '"max_execution_time": 300', '"max_execution_time": 0')}, description="max_execution_time 0")
case("meta-max-time-string", ["metadata.json:4:3: RK106"],
     {"metadata.json": sub(M, '"max_execution_time": 300', '"max_execution_time": "300"')}, description="max_execution_time a string")
case("meta-max-time-float", ["metadata.json:4:3: RK106"],
     {"metadata.json": sub(M, '"max_execution_time": 300', '"max_execution_time": 2.5')}, description="max_execution_time fractional")
case("meta-max-time-negative-yaml", ["metadata.yaml:3:1: RK106"],
     {"metadata.yaml": sub(METADATA_YAML, "max_execution_time: 300", "max_execution_time: -5"), "metadata.json": None},
     description="YAML metadata, negative max_execution_time")
case("meta-is-public-string", ["metadata.json:5:3: RK102"],
     {"metadata.json": sub(M, '  "max_execution_time": 300,\n', '  "max_execution_time": 300,\n  "is_public": "yes",\n')},
     description="is_public is a string")
case("meta-not-an-object", ["metadata.json:1:1: RK102"],
     {"metadata.json": '["name", "corpus-base"]\n'}, description="metadata is a JSON array")
case("meta-spec-not-object", ["metadata.json:2:3: RK102"],
     {"metadata.json": '{\n  "spec": [],\n  "name": "corpus-base",\n  "description": "d",\n  "max_execution_time": 300\n}\n',
      "inputs/example.json": None, "program.py": sub(P, "iterations, shots=1024", "iterations=1, shots=1024")},
     description="spec is a list")
case("meta-min-qubits-zero", ["metadata.json:6:30: RK107"],
     {"metadata.json": sub(M, '{"min_num_qubits": 1}', '{"min_num_qubits": 0}')}, description="min_num_qubits 0")
case("meta-backend-requirements-string", ["metadata.json:6:5: RK107"],
     {"metadata.json": sub(M, '{"min_num_qubits": 1}', '"5 qubits"')}, description="backend_requirements is a string")
case("meta-unknown-field", ["metadata.json:3:3: RK103"],
     {"metadata.json": sub(M, '  "description"', '  "author": "me",\n  "description"')}, description="unknown top-level field")
case("meta-unknown-spec-field", ["metadata.json:6:5: RK103"],
     {"metadata.json": sub(M, '    "backend_requirements"', '    "inputs": {},\n    "backend_requirements"')}, description="unknown spec field")
case("meta-v1-deprecated", ["metadata.json:1:1: RK104"],
     {"metadata.json": METADATA_V1, "inputs/example.json": None}, description="valid v1 metadata")
case("meta-description-missing", ["metadata.json:1:1: RK108"],
     {"metadata.json": sub(M, '  "description": "A program with nothing wrong.",\n', "")}, description="no description")
case("meta-description-blank", ["metadata.json:3:3: RK108"],
     {"metadata.json": sub(M, '"A program with nothing wrong."', '"  "')}, description="blank description")
case("meta-v1-parameter-without-name", ["metadata.json:1:1: RK104", "metadata.json:9:5: RK101"],
     {"metadata.json": sub(METADATA_V1, '{"name": "shots", ', '{'), "inputs/example.json": None},
     description="v1 parameter entry without a name (and shots then undeclared)")
# --- declared schemas (RK2xx)
case("schema-bad-type-name", ["metadata.json:12:19: RK201"],
     {"metadata.json": sub(M, '"shots": {"type": "integer"', '"shots": {"type": "int"')}, description="type 'int'")
case("schema-minimum-not-number", ["metadata.json:11:43: RK201"],
     {"metadata.json": sub(M, '"minimum": 1}', '"minimum": "one"}')}, description="minimum is a string")
case("schema-required-not-list", ["metadata.json:15:7: RK201"],
     {"metadata.json": sub(M, '"required": ["iterations"]', '"required": "iterations"')}, description="required is a string")
case("schema-bad-regex", ["metadata.json:13:47: RK201"],
     {"metadata.json": sub(M, '"seed": {"type": ["integer", "null"]}', '"seed": {"type": ["integer", "null"], "pattern": "[0-9"}')},
     description="pattern is not a valid regular expression")
case("schema-return-values-string", ["metadata.json:17:5: RK201"],
     {"metadata.json": sub(M, '''"return_values": {
      "$schema": "https://json-schema.org/draft/2019-09/schema",
      "type": "string"
    }''', '"return_values": "string"')}, description="return_values is not a schema")
case("schema-required-unknown", ["metadata.json:15:34: RK202"],
     {"metadata.json": sub(M, '"required": ["iterations"]', '"required": ["iterations", "shotz"]'), "inputs/example.json": None}, description="required names a missing property")
case("schema-nested-required-unknown", ["metadata.json:26:69: RK202"],
     {"metadata.json": sub(M, '"counts": {"type": "object"}', '"counts": {"type": "object", "properties": {}, "required": ["00"]}')},
     description="nested required names a missing property")
case("schema-unknown-dialect", ["metadata.json:22:7: RK203"],
     {"metadata.json": sub(M, '''      "$schema": "https://json-schema.org/draft/2019-09/schema",
      "type": "object",
      "properties": {
        "iteration"''', '''      "$schema": "https://example.com/my-schema",
      "type": "object",
      "properties": {
        "iteration"''')}, description="unknown $schema URI")
case("schema-parameters-not-object", ["metadata.json:9:7: RK204"],
     {"metadata.json": sub(M, '''"type": "object",
      "properties": {
        "iterations"''', '''"type": "array",
      "properties": {
        "iterations"'''), "inputs/example.json": None}, description="spec.parameters has type array")
case("schema-keyword-unknown-to-draft", ["metadata.json:13:47: RK205"],
     {"metadata.json": sub(M, '''"seed": {"type": ["integer", "null"]}''', '''"seed": {"type": ["integer", "null"], "prefixItems": [{"type": "integer"}]}''')},
     description="prefixItems under draft 2019-09, which ignores it")
# --- program source (RK3xx)
case("source-syntax-error", ["program.py:8:39: RK301"],
     {"program.py": sub(P, "for iteration in range(iterations):", "for iteration in range(iterations)")}, description="missing colon")
case("source-null-byte-after-8k", ["program.py:1:1: RK301"],
     {"program.py": P + "#" * 9000 + "\x00\n"}, description="a NUL byte late in the file")
case("source-no-main", ["program.py:1:1: RK302"],
     {"program.py": sub(P, "def main(", "def run(")}, description="main renamed run (file still named program.py)")
case("source-main-in-class", ["program.py:1:1: RK302"],
     {"program.py": sub(P.replace("\n    ", "\n        ").replace("def main(", "    def main("), "\n\n    def main(", "\n\nclass Program:\n    def main(")},
     description="main is a method, not module level")
case("source-main-args-swapped", ["program.py:6:1: RK303"],
     {"program.py": sub(P, "def main(backend, user_messenger,", "def main(user_messenger, backend,")}, description="(user_messenger, backend)")
case("source-main-messenger-misnamed", ["program.py:6:1: RK303"],
     {"program.py": sub(sub(P, "def main(backend, user_messenger,", "def main(backend, messenger,"), "user_messenger.publish", "messenger.publish")},
     description="second parameter named messenger")
case("source-main-async", ["program.py:6:1: RK303"],
     {"program.py": sub(P, "def main(", "async def main(")}, description="async def main")
case("source-main-keyword-only-messenger", ["program.py:6:1: RK303"],
     {"program.py": sub(P, "def main(backend, user_messenger,", "def main(backend, *, user_messenger,")}, description="user_messenger is keyword-only")
case("source-declared-unreachable", ["metadata.json:13:9: RK304"],
     {"program.py": sub(sub(P, ", **kwargs):", "):"), '    seed = kwargs.get("seed")\n', "    seed = None\n")},
     description="seed declared, main() has no seed and no **kwargs")
case("source-required-undeclared-default", ["program.py:6:47: RK305"],
     {"program.py": sub(P, "iterations, shots=1024,", "iterations, shots,")}, description="shots has no default but is optional")
case("source-undeclared-without-default", ["program.py:6:47: RK305"],
     {"program.py": sub(P, "iterations, shots=1024,", "iterations, depth, shots=1024,")}, description="depth neither declared nor defaulted")
case("source-keyword-only-undeclared", ["program.py:6:62: RK305"],
     {"program.py": sub(P, "shots=1024, **kwargs", "shots=1024, *, layout, **kwargs")}, description="keyword-only layout without default")
case("source-kwargs-subscript-undeclared", ["program.py:8:13: RK306"],
     {"program.py": sub(P, '    seed = kwargs.get("seed")\n', '    seed = kwargs.get("seed")\n    depth = kwargs["depth"]\n')}, description="kwargs['depth'] not declared")
case("source-kwargs-pop-undeclared", ["program.py:7:12: RK306"],
     {"program.py": sub(P, 'kwargs.get("seed")', 'kwargs.pop("sed", None)')}, description="kwargs.pop('sed') typo")
# --- imports (RK4xx)
case("import-missing-package", ["program.py:4:1: RK401"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nimport qiskit_nature_not_installed\n")},
     description="a package that is not installed")
case("import-missing-submodule", ["program.py:4:1: RK401"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.no_such_module import thing\n")},
     description="a qiskit submodule that does not exist")
case("import-in-function", ["program.py:7:5: RK401"],
     {"program.py": sub(P, '    seed = kwargs.get("seed")\n', '    import missing_helper_lib\n    seed = kwargs.get("seed")\n')},
     description="a missing import inside main()")
case("import-opflow", ["program.py:4:1: RK402"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.opflow import PauliSumOp\n")},
     description="qiskit.opflow, removed in qiskit 1.0")
case("import-ignis", ["program.py:4:1: RK402"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.ignis.mitigation import CompleteMeasFitter\n")},
     description="qiskit.ignis, retired without a faithful successor")
case("import-ibmq-provider-name", ["program.py:4:35: RK402"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.providers.ibmq import IBMQ\n")},
     description="IBMQ from qiskit.providers.ibmq, where runtime-kit serves RunnerResult only")
case("import-basicaer", ["program.py:3:47: RK402"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile, BasicAer\n")},
     description="BasicAer, removed from qiskit in 1.0")
case("import-providers-aer-missing-submodule", ["program.py:4:1: RK401"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.providers.aer.no_such_module import thing\n")},
     description="qiskit.providers.aer is qiskit_aer, which has no such module")
case("import-name-typo", ["program.py:4:35: RK403"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.circuit.random import random_circuitt\n")},
     description="a name the installed module does not have (read from its source, not imported)")
case("import-algorithms-alias", ["program.py:4:31: RK404"],
     {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n", "from qiskit import QuantumCircuit, transpile\nfrom qiskit.algorithms import VQE\n")},
     description="qiskit.algorithms, served as qiskit_algorithms, whose VQE has no QuantumInstance")
# --- example inputs (RK5xx)
case("inputs-wrong-type", ["inputs/example.json:2:3: RK501"],
     {"inputs/example.json": sub(I, '"iterations": 2', '"iterations": "two"')}, description="iterations is a string")
case("inputs-below-minimum", ["inputs/example.json:3:3: RK501"],
     {"inputs/example.json": sub(I, '"shots": 100', '"shots": 0')}, description="shots below its minimum")
case("inputs-missing-required", ["inputs/example.json:1:1: RK501"],
     {"inputs/example.json": '{\n  "shots": 100\n}\n'}, description="required iterations missing")
case("inputs-not-object", ["inputs/example.json:1:1: RK501"],
     {"inputs/example.json": '[2, 100]\n'}, description="inputs are a list")
case("inputs-undeclared", ["inputs/example.json:4:3: RK502"],
     {"inputs/example.json": sub(I, '"shots": 100', '"shots": 100,\n  "depth": 3')}, description="an input that is not declared")
case("inputs-bad-ndarray", ["inputs/example.json:4:3: RK503"],
     {"inputs/example.json": sub(I, '"shots": 100', '"shots": 100,\n  "seed": {"__type__": "ndarray", "__value__": "AAAA!!"}')},
     description="an encoded ndarray with broken base64")
case("inputs-invalid-json", ["inputs/example.json:3:3: RK002"],
     {"inputs/example.json": sub(I, '"iterations": 2,', '"iterations": 2')}, description="missing comma")

case("inputs-v1-wrong-type", ["metadata.json:1:1: RK104", "inputs/example.json:2:3: RK504"],
     {"metadata.json": METADATA_V1, "inputs/example.json": sub(I, '"iterations": 2', '"iterations": "two"')},
     description="v1 metadata, iterations a string: IBM's service took it (v1 types were not checked), so only a warning")
case("schema-yaml-required-unknown", ["metadata.yaml:14:28: RK202"],
     {"metadata.yaml": sub(METADATA_YAML, "required: [iterations]", "required: [iterations, shotz]"), "metadata.json": None,
      "inputs/example.json": None},
     description="YAML metadata, required names a missing property")

# --- program environments (RK6xx; RK605 needs --resolve: tests/environments)
case("environment-requirements-syntax", ["requirements.txt:2:11: RK601", "requirements.txt:3:1: RK602"],
     {"requirements.txt": "qiskit-terra==0.23.*\nqiskit-aer=0.12 # one =\n-e ./local\n"},
     description="a requirement with one '=', an editable path")
case("environment-pyproject-dependency", ["pyproject.toml:3:29: RK603"],
     {"pyproject.toml": '[project]\nname = "p"\ndependencies = ["numpy<2", "==1.0"]\n'},
     description="a dependency without a name")
case("environment-python-missing", [".python-version:1:1: RK604"],
     {".python-version": "3.99\n", "requirements.txt": "qiskit-terra==0.23.*\n"},
     description="a Python no host has")
case("environment-inline-block-in-a-directory", ["program.py:1:1: RK606"],
     {"program.py": '# /// script\n# dependencies = ["qiskit-terra==0.23.*"]\n# ///\n' + P},
     description="a # /// script block, which a directory's run, build and publish do not read")

# --- good programs
good("base")
good("environment-of-its-own", {
    "requirements.txt": "# written for qiskit-terra 0.23\nqiskit-terra==0.23.*\nnumpy<2\n",
    "program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n",
        "from qiskit import QuantumCircuit, transpile\nfrom qiskit.opflow import PauliSumOp\n"),
})
good("yaml-metadata", {"metadata.yaml": METADATA_YAML, "metadata.json": None})
good("main-py-and-kwargs-only", {"main.py": sub(P, "iterations, shots=1024, **kwargs", "**kwargs").replace("range(iterations)", 'range(kwargs["iterations"])').replace("shots=shots", 'shots=kwargs.get("shots")'), "program.py": None})
good("unusual-names", {"runtime_program.py": P, "program.py": None, "program-metadata.json": M, "metadata.json": None})
good("local-helper-and-guarded-import", {
    "helpers.py": "def angles():\n    return [0.1]\n",
    "program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n",
        "from qiskit import QuantumCircuit, transpile\n\nfrom helpers import angles\n\ntry:\n    import not_installed_accelerator\nexcept ImportError:\n    not_installed_accelerator = None\n"),
})
good("legacy-program-api-import", {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n",
    "from qiskit import QuantumCircuit, transpile\nfrom qiskit.providers.ibmq.runtime import UserMessenger\nfrom qiskit_ibm_runtime.program import ProgramBackend\n")})
good("legacy-served-qiskit-names", {"program.py": sub(P, "from qiskit import QuantumCircuit, transpile\n",
    "from qiskit import Aer, QuantumCircuit, execute, transpile\nfrom qiskit.compiler import schedule\n"
    "from qiskit.execute_function import execute as execute_function\n"
    "from qiskit.providers.aer import AerSimulator\nfrom qiskit.providers.aer.noise import NoiseModel\n"
    "import qiskit.algorithms.optimizers\nfrom qiskit.utils import algorithm_globals\n"
    "from qiskit.providers.ibmq import RunnerResult\n")})
good("encoded-inputs", {
    "metadata.json": sub(M, '"seed": {"type": ["integer", "null"]}',
        '"seed": {"type": ["integer", "null"]},\n        "angles": {"type": "array", "items": {"type": "number"}},\n        "circuit": {"type": "object", "description": "A QuantumCircuit."}'),
    "inputs/example.json": sub(I, '"shots": 100', '"shots": 100,\n  "angles": {"__type__": "ndarray", "__value__": [0.5, 1.5]},\n  "circuit": {"__type__": "QuantumCircuit", "__value__": "eJwL9Az29gzhZWJjYoAAxoJCBq40Bg4QkwEBmJD4YDo5syi5NLNE18QQpqS6tpARLMvIWMiADliR9WIBHu6JJakwbf+RAEwBACShFuM="}'),
})
good("v2-without-spec", {"metadata.json": '{\n  "name": "no-spec",\n  "description": "Takes anything.",\n  "max_execution_time": 60\n}\n', "inputs/example.json": None})
