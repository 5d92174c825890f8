"""Program bundles: what ``build`` writes and ``publish`` uploads."""

from runtime_kit.bundle.builder import Bundle, build_bundle, collect_files

__all__ = ["Bundle", "build_bundle", "collect_files"]
