"""The built-in ``quantum-kernel-alignment`` program: IBM's QKA, for today's qiskit.

It takes what IBM's program took and its tutorial sends (tutorials/qka.ipynb): a
``feature_map`` (the tutorial's ``FeatureMap``, which travels as its ``to_json`` text),
training ``data`` (N x D) and ``labels`` (+1/-1), ``initial_kernel_parameters``, ``maxiters``
(SPSA steps), ``C`` (the SVM's penalty) and ``initial_layout``.  Each step publishes
``{"cost", "kernel_parameters"}``; the result is ``{"aligned_kernel_parameters",
"aligned_kernel_matrix"}``.  The work is in ``runtime_kit.algorithms.kernel_alignment``.
"""

from runtime_kit.algorithms.kernel_alignment import FeatureMap, align_kernel


def main(
    backend,
    user_messenger,
    feature_map,
    data,
    labels,
    initial_kernel_parameters=None,
    maxiters=1,
    C=1,
    initial_layout=None,
):
    """Align the quantum kernel to the data; return its parameters and kernel matrix."""
    return align_kernel(
        FeatureMap.from_input(feature_map),
        backend,
        user_messenger.publish,
        data=data,
        labels=labels,
        initial_kernel_parameters=initial_kernel_parameters,
        maxiters=maxiters,
        C=C,
        initial_layout=initial_layout,
    )
