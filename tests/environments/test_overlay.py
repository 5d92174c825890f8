"""Overlays: a declaration that only adds packages gets just those, built once per base (the
packages runtime-kit has installed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime_kit.environments import builder as builder_module
from runtime_kit.environments.builder import BuildPolicy, EnvironmentBuilder
from runtime_kit.environments.cache import EnvironmentCache
from runtime_kit.environments.declaration import EnvironmentSpec
from tests.environments.local_index import LocalIndex, sdist


def test_an_overlay_holds_only_what_it_adds_and_follows_its_base(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = LocalIndex({"probe_build-1.0.tar.gz": sdist("1.0", "    pass")})
    spec = EnvironmentSpec(("probe-build==1.0",))
    lines: list[str] = []
    with index.serving():
        builder = EnvironmentBuilder(
            EnvironmentCache(tmp_path / "envs"), policy=BuildPolicy(index_url=index.url)
        )
        first = builder.prepare(spec, domain="me", log=lines.append)
        assert first.overlay
        assert "1 package(s) to add to runtime-kit's own environment: probe-build==1.0" in lines
        names = sorted(path.name for path in first.path.iterdir() if not path.name.startswith("."))
        assert names == ["probe_build", "probe_build-1.0.dist-info"]
        again: list[str] = []
        assert builder.prepare(spec, domain="me", log=again.append) == first
        assert again == []  # remembered: no index, no build
        # runtime-kit's installed packages changed (an upgrade): resolved and built anew
        monkeypatch.setattr(builder_module, "installed_fingerprint", lambda: "another base")
        upgraded: list[str] = []
        second = builder.prepare(spec, domain="me", log=upgraded.append)
    assert second.overlay and second.key != first.key
    assert any(line.startswith("building environment ") for line in upgraded)
