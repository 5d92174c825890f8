"""``runtime-kit backends list|show``: the backends runtime-kit runs programs on, here."""

from __future__ import annotations

import argparse
import json
from typing import Any

from runtime_kit.cli.parsers import CommandGroup, backend_provider_option, json_option

EPILOG = """The backends of `runtime-kit run --backend`: the simulators, IBM's device snapshots
(from the installed qiskit-ibm-runtime) and those of --backend-provider.  `jobs submit`
runs on what the service offers (GET /backends).

exit codes: 0 done, 2 usage error or an unknown backend, 3 a provider that cannot be loaded."""


def _group_options(parser: argparse.ArgumentParser) -> None:
    backend_provider_option(parser)
    json_option(parser)


def build_group() -> CommandGroup:
    group = CommandGroup(
        "backends", "List the backends programs run on; show one.", EPILOG, _group_options
    )
    group.add("list", "list the backends (simulators, device snapshots, providers')")
    show = group.add("show", "show a backend: qubits, basis, coupling map, median errors, T1/T2")
    show.add_argument("name", metavar="NAME", help="a backend's name or alias")
    return group


def build_parser() -> argparse.ArgumentParser:
    return build_group().parser


def run(argv: list[str]) -> int:
    args = build_group().parse(argv)
    from runtime_kit.backends.ibm_quantum.provider import open_if_chosen
    from runtime_kit.backends.summary import list_backends, show_backend

    open_if_chosen(args.backend_providers, args.ibm_quantum_credentials)
    if args.command == "list":
        listed = list_backends(args.backend_providers)
        print(json.dumps(listed) if args.json else _table(listed))
        return 0
    shown = show_backend(args.name, args.backend_providers)
    print(json.dumps(shown) if args.json else _details(shown))
    return 0


def _table(listed: list[dict[str, Any]]) -> str:
    width = max(len(backend["name"]) for backend in listed)
    lines = [f"{'NAME':{width}}  QUBITS  KIND       PROVIDER    ALIASES"]
    for backend in listed:
        qubits = "-" if backend["num_qubits"] is None else str(backend["num_qubits"])
        kind = "simulator" if backend["simulator"] else "device"
        aliases = ", ".join(backend["aliases"])
        lines.append(
            f"{backend['name']:{width}}  {qubits:>6}  {kind:9}  {backend['provider']:10}  {aliases}"
        )
    return "\n".join(line.rstrip() for line in lines)


def _details(shown: dict[str, Any]) -> str:
    kind = "simulator" if shown["simulator"] else "device"
    also = f"; also {', '.join(shown['aliases'])}" if shown["aliases"] else ""
    lines = [f"{shown['name']} ({kind}, provider {shown['provider']}{also})"]
    if shown["description"]:
        lines.append(f"  {shown['description']}")
    processor = f", {shown['processor']}" if shown["processor"] else ""
    lines.append(f"  qubits: {shown['num_qubits']}{processor}")
    lines.append(f"  basis: {', '.join(shown['basis_gates'])}")
    coupling = shown["coupling_map"]
    if coupling is None:
        lines.append("  coupling: all to all")
    else:
        pairs = " ".join(f"{a}-{b}" for a, b in coupling)
        lines.append(f"  coupling: {len(coupling)} directed pairs: {pairs}")
    calibration = shown["calibration"]
    if calibration is not None:
        lines.append(f"  calibrated: {calibration['last_update_date']}")
        lines.append(
            f"  median T1 {_number(calibration['t1_us'])} us, T2 {_number(calibration['t2_us'])}"
            f" us, readout error {_number(calibration['readout_error'])}"
        )
        errors = ", ".join(
            f"{gate} {_number(value)}" for gate, value in calibration["gate_errors"].items()
        )
        lines.append(f"  median gate errors: {errors or 'none given'}")
        if calibration["faulty_qubits"]:
            faulty = ", ".join(map(str, calibration["faulty_qubits"]))
            lines.append(f"  not operational: qubits {faulty}")
    return "\n".join(lines)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}" if value >= 0.01 else f"{value:.2e}"
