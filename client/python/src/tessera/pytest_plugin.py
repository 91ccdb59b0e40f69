"""pytest plugin (registered as entry point `tessera`): fixtures that run tesserad.

    def test_login(tesserad):            # a fresh tesserad per test
        client = tessera.Client(tesserad.grpc_address)

`tesserad_factory(flags=[...])` starts more (each stopped at the end of the
test). The binary is $TESSERA_TESSERAD (see tessera.testing.tesserad_path).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest

from tessera.testing import TesseradProcess


@pytest.fixture
def tesserad_factory() -> Iterator[Callable[..., TesseradProcess]]:
    started: list[TesseradProcess] = []

    def start(flags: Sequence[str] = ()) -> TesseradProcess:
        process = TesseradProcess(flags)
        started.append(process)
        return process.start()

    yield start
    for process in started:
        process.cleanup()


@pytest.fixture
def tesserad(tesserad_factory: Callable[..., TesseradProcess]) -> TesseradProcess:
    return tesserad_factory()
