"""The one container image: a base made from Debian's packages, the wheelhouse, and the build.

    python -m deploy.image base [--refresh]     # the base image (rootfs cached in ~/.cache/hotline)
    python -m deploy.image build [--base IMAGE] [--tag TAG]
    python -m deploy.image smoke --bootstrap HOST:PORT [--image TAG]   # see deploy.image_smoke

Production builds pass a registry's Python 3.11 image pinned by digest as ``--base``; where no
registry is reachable (these machines) the base is debootstrapped from the Debian mirror apt uses.
The build itself runs without a network: every wheel is downloaded beforehand with its hash
checked against the locks, and checked again when the image installs it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "hotline"
CONTAINERS_CONF = ROOT / "deploy" / "container" / "containers.conf"
CONTAINERFILE = ROOT / "deploy" / "container" / "Containerfile"
LOCKS = (ROOT / "requirements-runtime.lock", ROOT / "deploy" / "container" / "build-tools.lock")
DEFAULT_TAG = "localhost/hotline:dev"

# The base: Debian 12's Python 3.11, certificates and time zones (the phone intake and triage read
# America/New_York). Bump BASE_REVISION when the recipe changes; --refresh picks up security updates.
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "ca-certificates", "tzdata")
BASE_REVISION = 1
# Documentation, manuals, translations and apt's downloads are not needed at run time.
_TRIM = ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/man", "usr/share/info",
         "usr/share/locale", "usr/share/lintian", "var/log")
# The wheels must match the image's interpreter (CPython 3.11, glibc 2.36 on x86_64), whatever
# machine downloads them; pip does not widen a manylinux_2_36 platform to older ones by itself.
_PLATFORMS = (*(f"manylinux_2_{minor}_x86_64" for minor in range(36, 4, -1)),
              "manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64")
_WHEEL_TARGET = (*(arg for platform in _PLATFORMS for arg in ("--platform", platform)),
                 "--implementation", "cp", "--python-version", "3.11", "--abi", "cp311")


def say(message: str) -> None:
    print(f"==> {message}", file=sys.stderr, flush=True)


def podman_env() -> dict[str, str]:
    return {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}


def podman(*args: str, capture: bool = False, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], env=podman_env(), check=check, text=True,
                          stdout=subprocess.PIPE if capture else None)


def image_exists(name: str) -> bool:
    return podman("image", "exists", name, check=False).returncode == 0


def _privileged(argv: list[str]) -> list[str]:
    """debootstrap and the rootfs' root-owned files need root: sudo when not already root."""
    if os.geteuid() == 0:
        return argv
    if shutil.which("sudo") is None:
        raise SystemExit("debootstrap needs root: run as root or install sudo")
    return ["sudo", *argv]


def apt_mirror() -> str:
    """The Debian mirror apt already uses (deb822 or one-line sources), else deb.debian.org."""
    for path in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        if path.exists():
            for line in path.read_text().splitlines():
                match = re.match(r"^\s*(?:URIs:|deb)\s+(?:\[[^\]]*\]\s+)?(\S+)", line)
                if match and "security" not in match.group(1):
                    return match.group(1)
    return "http://deb.debian.org/debian"


def base_key() -> str:
    recipe = f"{SUITE} {' '.join(BASE_PACKAGES)} {' '.join(_TRIM)} {BASE_REVISION}"
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def base_tag() -> str:
    return f"localhost/hotline-base:{SUITE}-py311-{base_key()}"


def _debootstrap(tarball: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix="hotline-rootfs-", dir=tarball.parent))
    rootfs = work / "rootfs"
    try:
        say(f"debootstrap {SUITE} ({', '.join(BASE_PACKAGES)}) from {apt_mirror()}")
        subprocess.run(_privileged(["debootstrap", "--variant=minbase",
                                    f"--include={','.join(BASE_PACKAGES)}", SUITE, str(rootfs),
                                    apt_mirror()]), check=True, stdout=subprocess.DEVNULL)
        trims = [str(rootfs / path) for path in _TRIM]
        subprocess.run(_privileged(["sh", "-c", 'for d in "$@"; do rm -rf "$d"; mkdir -p "$d"; done',
                                    "trim", *trims]), check=True)
        # Keep the licences; drop the rest of /usr/share/doc. The host's name and resolver are
        # not the image's (the runtime mounts its own).
        doc = str(rootfs / "usr/share/doc")
        subprocess.run(_privileged(["find", doc, "-mindepth", "2", "!", "-type", "d", "!", "-name",
                                    "copyright", "-delete"]), check=True)
        subprocess.run(_privileged(["find", doc, "-mindepth", "1", "-type", "d", "-empty", "-delete"]),
                       check=True)
        for name in ("etc/hostname", "etc/resolv.conf", "etc/hosts"):
            subprocess.run(_privileged(["sh", "-c", ': > "$1"', "clear", str(rootfs / name)]), check=True)
        partial = tarball.with_suffix(".partial")
        subprocess.run(_privileged(["tar", "--numeric-owner", "--sort=name", "-C", str(rootfs),
                                    "-cf", str(partial), "."]), check=True)
        partial.rename(tarball)
    finally:
        subprocess.run(_privileged(["rm", "-rf", str(work)]), check=False)


def build_base(*, refresh: bool = False) -> str:
    """The base image from Debian's packages: imported from the cached rootfs, made if missing."""
    tag = base_tag()
    tarball = CACHE / "base" / f"{SUITE}-py311-{base_key()}.tar"
    if refresh:
        tarball.unlink(missing_ok=True)
        podman("rmi", "--force", tag, check=False)
    if image_exists(tag):
        return tag
    tarball.parent.mkdir(parents=True, exist_ok=True)
    if not tarball.exists():
        _debootstrap(tarball)
    say(f"importing {tarball.name} as {tag}")
    podman("import", "--quiet", "--change", "ENV PATH=/usr/local/bin:/usr/bin:/bin", str(tarball), tag,
           capture=True)
    return tag


def wheelhouse() -> Path:
    """Every wheel of the locks, hash-checked, for this lock content (cached)."""
    digest = hashlib.sha256(b"".join(lock.read_bytes() for lock in LOCKS)).hexdigest()[:16]
    house = CACHE / "wheels" / digest
    if (house / ".complete").exists():
        return house
    partial = house.with_name(f"{digest}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    say("downloading the image's wheels (hash-checked)")
    requirements = [arg for lock in LOCKS for arg in ("-r", str(lock))]
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--require-hashes", "--no-deps",
                    "--only-binary", ":all:", *_WHEEL_TARGET, "--dest", str(partial), *requirements],
                   check=True, env={k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"})
    (partial / ".complete").touch()
    shutil.rmtree(house, ignore_errors=True)
    partial.rename(house)
    return house


def check_base(base: str) -> None:
    """A base from a registry must be pinned by digest; a tag can change under the same name."""
    if not base.startswith("localhost/") and "@sha256:" not in base:
        raise SystemExit(f"pin the base image by digest (NAME@sha256:...), not {base!r}")


def version() -> str:
    described = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
                               capture_output=True, text=True, check=False)
    return described.stdout.strip() or "dev"


def build(*, base: str | None = None, tag: str = DEFAULT_TAG) -> str:
    base = base or build_base()
    check_base(base)
    house = wheelhouse()
    say(f"building {tag} on {base}")
    started = time.monotonic()
    podman("build", "--quiet", "--network", "none", "--layers", "--file", str(CONTAINERFILE),
           "--build-arg", f"BASE_IMAGE={base}", "--build-arg", f"VERSION={version()}",
           "--build-context", f"wheels={house}", "--tag", tag, str(ROOT), capture=True)
    # Earlier builds' images, untagged by this one; the build stage's layers stay as the cache.
    podman("image", "prune", "--force", "--filter", "label=org.opencontainers.image.title=hotline",
           capture=True, check=False)
    size = int(podman("image", "inspect", "--format", "{{.Size}}", tag, capture=True).stdout.strip())
    say(f"built {tag}: {size / 1e6:.0f} MB in {time.monotonic() - started:.0f} s")
    return tag


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.image", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    base_parser = sub.add_parser("base", help="make (or reuse) the base image from Debian's packages")
    base_parser.add_argument("--refresh", action="store_true", help="debootstrap again (security updates)")
    build_parser = sub.add_parser("build", help="build the image")
    build_parser.add_argument("--base", help="base image (default: the Debian base made here)")
    build_parser.add_argument("--tag", default=DEFAULT_TAG)
    smoke_parser = sub.add_parser("smoke", help="run every service's container against a broker")
    smoke_parser.add_argument("--bootstrap", required=True)
    smoke_parser.add_argument("--image", default=DEFAULT_TAG)
    args = parser.parse_args(argv)
    if args.action == "base":
        print(build_base(refresh=args.refresh))
    elif args.action == "build":
        print(build(base=args.base, tag=args.tag))
    else:
        from deploy.image_smoke import smoke

        smoke(image=args.image, bootstrap=args.bootstrap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
