"""``ResultDecoder``: turns a job's result text back into values; subclass it to post-process."""

from __future__ import annotations

import json
from typing import Any

from runtime_kit.errors import MalformedDocumentError
from runtime_kit.serialization import RuntimeDecoder


class ResultDecoder:
    """Decodes result and interim-result text with ``RuntimeDecoder``.

    Text that is not JSON at all (a plain-text result, a traceback) is returned unchanged,
    as the legacy decoder did.  A JSON document that is hostile or broken inside raises
    ``DecodeError``.  Subclass and override ``decode``, calling ``super().decode(data)``.
    """

    decoder: type[json.JSONDecoder] = RuntimeDecoder

    @classmethod
    def decode(cls, data: str) -> Any:
        """Decode ``data``; returns it unchanged when it is not JSON."""
        try:
            return json.loads(data, cls=cls.decoder)
        except MalformedDocumentError:
            return data
