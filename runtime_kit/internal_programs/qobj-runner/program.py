"""runtime-kit's internal ``qobj-runner``: the circuits of a legacy QASM Qobj, run on the
job's backend; the result as the legacy ``Result.from_dict`` reads it."""

from runtime_kit.qobj.circuits import qobj_circuits
from runtime_kit.qobj.results import legacy_result


def main(backend, user_messenger, qobj, job_id=""):
    """Run the Qobj's experiments with its shots, memory and seed; return the result dict."""
    run = qobj_circuits(qobj)
    result = backend.run(run.circuits, **run.run_options).result()
    return legacy_result(result, run, job_id=job_id, backend_name=str(backend.name))
