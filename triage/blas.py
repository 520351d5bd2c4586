"""The same model, byte for byte, on every machine with AVX-512: pin OpenBLAS's kernels.

OpenBLAS picks its kernels by the processor it recognises, and kernels differ in the last bits of a
sum. The committed model is fitted with its AVX-512 ("SkylakeX") kernels, which it picks on the
Intel and AMD processors it knows; on a newer one it does not know (AMD's fifth Zen generation, for
one) it falls back to its AVX2 ("Haswell") kernels and the same corpus fits a model that differs in
its last bits, so ``hotline-triage train --check`` and the suite's refit test would call the
committed model stale; so does an environment that asks for the AVX2 kernels everywhere. Pinning
the AVX-512 kernels where the processor has them keeps the fit the same; elsewhere nothing is pinned
(those kernels would not run there), and a fit there may differ.

It takes effect only before NumPy loads: ``triage`` pins on import, and the test suite imports it
before anything that loads NumPy.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Final

_VARIABLE: Final = "OPENBLAS_CORETYPE"
_KERNELS: Final = "SkylakeX"
# What OpenBLAS's SkylakeX kernels use (AVX-512 Foundation, Conflict Detection, Byte and Word, Doubleword
# and Quadword, Vector Length).
_NEEDS: Final = frozenset({"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    """The first processor's flags, empty where the file is not there (not Linux) or says none."""
    try:
        text = cpuinfo.read_text(encoding="ascii", errors="replace")
    except OSError:
        return frozenset()
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return frozenset()


def pin_openblas_kernels(environ: MutableMapping[str, str] | None = None,
                         flags: frozenset[str] | None = None) -> str | None:
    """Set ``OPENBLAS_CORETYPE`` to the AVX-512 kernels where the processor has them, whatever it was
    set to (a machine's environment may ask for the AVX2 kernels everywhere, for its own reasons);
    return the kernels in force (None: OpenBLAS's own choice, or what the environment asks)."""
    environ = os.environ if environ is None else environ
    if (cpu_flags() if flags is None else flags) >= _NEEDS:
        environ[_VARIABLE] = _KERNELS
        return _KERNELS
    return environ.get(_VARIABLE) or None
