"""The runtime service client: ``RuntimeService``, ``RuntimeProgram``, ``RuntimeJob``."""
