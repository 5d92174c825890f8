"""Old source distributions uv no longer reads (``.tar.bz2``), repacked as ``.tar.gz`` from
the same index: python-constraint 1.4.0, which qiskit-terra 0.17-0.20 require, is one."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from runtime_kit.environments.builder import BuildPolicy, EnvironmentBuilder
from runtime_kit.environments.cache import EnvironmentCache
from runtime_kit.environments.declaration import EnvironmentSpec
from runtime_kit.environments.repacked import refused_releases, repack
from runtime_kit.errors import ProgramEnvironmentError
from tests.environments.local_index import LocalIndex, sdist

UV_REFUSAL = [
    "error: No solution found when resolving dependencies",
    "  cause: Because python-constraint==1.4.0 has a non-PEP 625-compliant source "
    "distribution filename and only python-constraint<=1.4.0 is available, we can conclude",
]


def test_uvs_refusal_names_the_release() -> None:
    assert refused_releases(UV_REFUSAL) == [("python-constraint", "1.4.0")]
    assert refused_releases(["error: no such package"]) == []


def test_the_release_is_repacked_unchanged(tmp_path: Path) -> None:
    old = sdist("3.0", "    pass", compression="bz2")
    index = LocalIndex({"probe-build-3.0.tar.bz2": old})
    with index.serving():
        made = repack("probe_build", "3.0", index.url, tmp_path)
        assert repack("probe-build", "3.0", index.url, tmp_path) == made  # once
        with pytest.raises(ProgramEnvironmentError, match="no old-style source distribution"):
            repack("probe-build", "9.9", index.url, tmp_path)
    assert made == tmp_path / "probe_build-3.0.tar.gz"
    with tarfile.open(fileobj=io.BytesIO(old)) as before, tarfile.open(made) as after:
        assert [m.name.replace("probe-build-", "probe_build-") for m in before] == after.getnames()
        for member in before.getmembers():
            twin = after.extractfile(member.name.replace("probe-build-", "probe_build-"))
            assert twin is not None and twin.read() == before.extractfile(member).read()
    assert index.requests.count("/files/probe-build-3.0.tar.bz2") == 1


def test_a_file_whose_digest_differs_is_refused(tmp_path: Path) -> None:
    index = LocalIndex({"probe-build-3.0.tar.bz2": sdist("3.0", "    pass", compression="bz2")})
    index.lie_about_digests = True
    with index.serving(), pytest.raises(ProgramEnvironmentError, match="its sha256 is not"):
        repack("probe-build", "3.0", index.url, tmp_path)
    assert not list(tmp_path.iterdir())


def test_a_build_repacks_what_uv_refuses_and_says_so(tmp_path: Path) -> None:
    """Only a .tar.bz2 of probe-build 3.0 on the index: uv refuses it, the builder repacks
    it, and the environment is built from it (its in-tree backend, no other package)."""
    index = LocalIndex({"probe-build-3.0.tar.bz2": sdist("3.0", "    pass", compression="bz2")})
    lines: list[str] = []
    with index.serving():
        builder = EnvironmentBuilder(
            EnvironmentCache(tmp_path / "envs"), policy=BuildPolicy(index_url=index.url)
        )
        built = builder.prepare(
            EnvironmentSpec(("probe-build==3.0",)), domain="me", log=lines.append
        )
    assert any(
        line.startswith("probe-build 3.0 is published only in a format uv no longer reads: "
                        "repacked as probe_build-3.0.tar.gz") for line in lines
    ), lines  # fmt: skip
    # nothing of runtime-kit's own environment changes: an overlay of the one package
    assert built.overlay and (built.path / "probe_build" / "report.json").is_file()
