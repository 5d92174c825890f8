"""Qiskit Functions (qiskit-serverless): projects, their checks, local runs, and the
gateway API the service speaks for them."""
