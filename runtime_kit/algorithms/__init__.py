"""The algorithms behind IBM's public runtime programs, written anew for today's qiskit.

The built-in ``vqe``, ``qaoa`` and ``quantum-kernel-alignment`` programs
(``runtime_kit/builtin_programs/``) are thin: they read their inputs as legacy clients sent
them and call the modules here, which hold the work and are typed and tested as library code.

- ``inputs``: operators, initial points and auxiliary operators, coerced from what legacy
  clients send (``ProgramInputError`` for what cannot be used).
- ``estimation``: expectation values of a Pauli operator from measured counts, as opflow's
  ``PauliExpectation`` (and ``CVaRExpectation``) computed them for the legacy VQE.
- ``mitigation``: readout error mitigation of those counts (mthree).
- ``optimizers``: the ``optimizer`` input (an optimizer object, or IBM's dict form) as a
  qiskit-algorithms optimizer.
- ``variational``: the minimisation loop of VQE and QAOA, its interim results and its result.
- ``vqe``: the ``vqe`` program's work.
- ``qaoa``: the ``qaoa`` program's: its ansatz, its transpilation with swap strategies.
- ``kernel_alignment``: quantum kernel alignment (feature map, kernel matrix, SVM, SPSA).
"""
