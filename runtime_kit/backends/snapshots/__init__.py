"""The built-in provider ``snapshots``: IBM's devices as qiskit-ibm-runtime's ``fake_provider``
recorded them (configuration, calibration, coupling map, basis), served under their own names
(``ibmq_montreal``, ``ibm_sherbrooke``; the ``fake_*`` names as aliases) and simulated by Aer
with their noise.

Naming a device reads a generated table (``table``) and nothing else; the snapshot files are
read from the installed qiskit-ibm-runtime without importing it (``files``); the job's
process makes the device's ``Target`` and noise (``device``) and runs circuits on a
``DeviceSimulator`` (``simulator``), which refuses what the device could not run
(``runnable``).
"""
