"""``RunnerResult``: a qiskit ``Result`` that is also a result decoder (legacy circuit-runner)."""

from __future__ import annotations

from typing import Any

from qiskit.exceptions import QiskitError
from qiskit.result import QuasiDistribution, Result

from runtime_kit.errors import DecodeError
from runtime_kit.program.result_decoder import ResultDecoder


class RunnerResult(Result, ResultDecoder):  # type: ignore[misc]  # qiskit publishes no types
    """Decodes a job result holding ``Result.to_dict()`` (or an encoded ``Result``)."""

    @classmethod
    def decode(cls, data: str) -> Result:
        """Decode ``data`` into a ``Result``.

        Raises:
            DecodeError: the text holds no result.
        """
        decoded = super().decode(data)
        if isinstance(decoded, Result):
            return cls.from_dict(decoded.to_dict())
        if not isinstance(decoded, dict):
            raise DecodeError("job result is not a Result", tag="Result")
        try:
            return cls.from_dict(decoded)
        except (KeyError, TypeError, ValueError) as exc:
            raise DecodeError(f"job result is not a Result ({exc!r})", tag="Result") from exc

    def get_quasiprobabilities(
        self, experiment: Any = None
    ) -> QuasiDistribution | list[QuasiDistribution]:
        """Quasi-probabilities of one experiment (or all, as a list when more than one).

        Raises:
            QiskitError: an experiment has no quasi-probabilities.
        """
        experiments = self.results if experiment is None else [self._get_experiment(experiment)]
        distributions = []
        for result in experiments:
            data = getattr(result.data, "quasiprobabilities", None)
            if data is None:
                raise QiskitError(f"No quasiprobabilities for experiment {result.header!r}.")
            header = result.header if isinstance(result.header, dict) else vars(result.header)
            width = len(header.get("final_measurement_mapping") or ())
            bits = {bin(int(key, 16))[2:].zfill(width): value for key, value in data.items()}
            distributions.append(QuasiDistribution(bits, shots=result.shots))
        return distributions[0] if len(distributions) == 1 else distributions
