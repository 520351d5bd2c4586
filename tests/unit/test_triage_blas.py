"""OpenBLAS's kernels are pinned where the processor has AVX-512, so the refit is the same everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage.blas import cpu_flags, pin_openblas_kernels

pytestmark = pytest.mark.unit

AVX512 = frozenset({"fpu", "avx2", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})


def test_the_avx512_kernels_are_pinned_where_the_processor_has_them_whatever_was_asked() -> None:
    environ: dict[str, str] = {}
    assert pin_openblas_kernels(environ, AVX512) == "SkylakeX"
    assert environ == {"OPENBLAS_CORETYPE": "SkylakeX"}
    environ = {"OPENBLAS_CORETYPE": "Haswell"}
    assert pin_openblas_kernels(environ, AVX512) == "SkylakeX" and environ["OPENBLAS_CORETYPE"] == "SkylakeX"


def test_nothing_is_pinned_where_the_kernels_would_not_run() -> None:
    environ: dict[str, str] = {}
    assert pin_openblas_kernels(environ, frozenset({"avx2", "avx512f"})) is None and environ == {}
    environ = {"OPENBLAS_CORETYPE": "Haswell"}
    assert pin_openblas_kernels(environ, frozenset({"avx2"})) == "Haswell"


def test_the_flags_are_read_from_cpuinfo(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n\nprocessor\t: 1\nflags\t\t: fpu\n")
    assert cpu_flags(info) == {"fpu", "avx2", "avx512f"}
    assert cpu_flags(tmp_path / "missing") == frozenset()
