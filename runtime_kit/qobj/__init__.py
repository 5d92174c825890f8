"""Legacy Qobjs: what qiskit-ibmq-provider's ``backend.run`` uploads, run on today's qiskit
(``circuits``), and its results in the shape the legacy ``Result.from_dict`` reads
(``results``)."""
