#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs (Fuzz/Corpus/{tokenizer,safetensors,requests}); standard library only.

The seeds are committed; rerun this after changing an input layout (see each target's doc comment) and commit the
result. Inputs the fuzzer found are added by hand next to them (regression-*), never by this script.
"""
import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures", "tokenizers")
FAMILIES = ["bert-wordpiece", "mpnet-wordpiece", "roberta-bpe", "xlmr-unigram"]  # the target's fixture order


def write(kind, name, data):
    directory = os.path.join(CORPUS, kind)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as handle:
        handle.write(data)


def clear(kind):
    directory = os.path.join(CORPUS, kind)
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            if not name.startswith("regression-"):
                os.remove(os.path.join(directory, name))


def fixture_texts():
    """Every eighth text of the golden fixtures (edge cases, scripts, emoji, specials), short enough to mutate."""
    rows = [json.loads(line) for line in open(os.path.join(FIXTURES, "bert-wordpiece", "tokenize.jsonl"), encoding="utf-8")]
    return [(row["label"], row["text"]) for row in rows[::8] if len(row["text"].encode()) <= 2000]


def reduced(family, words):
    """The family's tokenizer.json with its vocabulary cut to a few hundred entries, every other stage unchanged."""
    tokenizer = json.load(open(os.path.join(FIXTURES, family, "tokenizer.json"), encoding="utf-8"))
    model = tokenizer["model"]
    specials = {token["content"] for token in tokenizer.get("added_tokens", [])}
    if model["type"] == "WordPiece":
        def keep(token):
            bare = token[2:] if token.startswith("##") else token
            return token in specials or token == model["unk_token"] or (len(bare) == 1 and ord(bare) < 128) or bare in words
        model["vocab"] = {token: i for token, i in model["vocab"].items() if keep(token)}
    elif model["type"] == "BPE":
        merges = model["merges"][:300]
        pieces = set()
        for merge in merges:
            left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
            pieces.update([left, right, left + right])
        model["merges"] = merges
        model["vocab"] = {token: i for token, i in model["vocab"].items() if i < 262 or token in pieces or token in specials}
    elif model["type"] == "Unigram":
        model["vocab"] = model["vocab"][:400]
    if tokenizer.get("normalizer") and tokenizer["normalizer"].get("type") == "Precompiled":
        # The charsmap alone is 320 KB; the fixture target covers it. Here: the normalizers it stands for.
        tokenizer["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]}
    return tokenizer


def wordlevel(normalizer, pre_tokenizer, post_processor=None, decoder=None, truncation=None, padding=None):
    words = ["[UNK]", "[CLS]", "[SEP]", "[PAD]", "hello", "world", "the", "a", "1", "2", "3", "!", ",", ".", "▁hello", "ab"]
    return {
        "version": "1.0", "truncation": truncation, "padding": padding,
        "added_tokens": [
            {"id": 1, "content": "[CLS]", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
            {"id": 2, "content": "[SEP]", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True},
            {"id": 16, "content": "<mask>", "single_word": True, "lstrip": True, "rstrip": False, "normalized": True, "special": False},
        ],
        "normalizer": normalizer, "pre_tokenizer": pre_tokenizer, "post_processor": post_processor, "decoder": decoder,
        "model": {"type": "WordLevel", "vocab": {word: i for i, word in enumerate(words)}, "unk_token": "[UNK]"},
    }


def synthetic():
    """Small tokenizers that reach the components the four fixtures do not use."""
    bert_processing = {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]}
    template = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [1], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [2], "tokens": ["[SEP]"]}}}
    yield "wordlevel-unicode", wordlevel(
        {"type": "Sequence", "normalizers": [{"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"},
                                              {"type": "Strip", "strip_left": True, "strip_right": True}, {"type": "NFC"}]},
        {"type": "Sequence", "pretokenizers": [{"type": "Whitespace"}, {"type": "Digits", "individual_digits": True}]},
        bert_processing, {"type": "WordPiece", "prefix": "##", "cleanup": False},
        {"max_length": 8, "strategy": "OnlyFirst", "stride": 0, "direction": "Left"},
        {"strategy": "BatchLongest", "direction": "Left", "pad_to_multiple_of": 4, "pad_id": 3, "pad_type_id": 0, "pad_token": "[PAD]"})
    yield "wordlevel-replace-split", wordlevel(
        {"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"String": "ab"}, "content": "a b"},
                                              {"type": "Replace", "pattern": {"Regex": "[0-9]+"}, "content": "1"},
                                              {"type": "Prepend", "prepend": "▁"}, {"type": "NFKC"}]},
        {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "\\s+|[!,.]"}, "behavior": "Isolated", "invert": False},
            {"type": "Punctuation", "behavior": "Removed"}, {"type": "CharDelimiterSplit", "delimiter": "_"}]},
        template, {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "Strip", "content": " ", "start": 1, "stop": 0},
            {"type": "Fuse"}]},
        {"max_length": 5, "strategy": "LongestFirst", "stride": 0, "direction": "Right"})
    yield "wordlevel-split-behaviors", wordlevel(
        {"type": "NFD"},
        {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": False},
            {"type": "Split", "pattern": {"Regex": "(?i)hello"}, "behavior": "MergedWithNext", "invert": True},
            {"type": "Split", "pattern": {"Regex": "\\p{L}+"}, "behavior": "Contiguous", "invert": False},
            {"type": "WhitespaceSplit"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}]},
        {"type": "Sequence", "processors": [bert_processing, {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True}]},
        {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never", "split": True},
        {"max_length": 6, "strategy": "OnlySecond", "stride": 0, "direction": "Right"},
        {"strategy": {"Fixed": 12}, "direction": "Right", "pad_to_multiple_of": None, "pad_id": 3, "pad_type_id": 1, "pad_token": "[PAD]"})
    vocab = {"<unk>": 0, "<0x41>": 1, "<0xC3>": 2, "<0xA9>": 3, "h": 4, "e": 5, "l": 6, "o": 7, "he": 8, "ll": 9, "hell": 10,
             "hello</w>": 11, "o</w>": 12, "w": 13, "r": 14, "d</w>": 15, "wo": 16, "wor": 17}
    yield "bpe-byte-fallback", {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [],
        "normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": False},
        "post_processor": {"type": "RobertaProcessing", "sep": ["o</w>", 12], "cls": ["h", 4], "trim_offsets": False, "add_prefix_space": True},
        "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "BPEDecoder", "suffix": "</w>"}, {"type": "ByteLevel"}]},
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None, "end_of_word_suffix": "</w>",
                  "fuse_unk": True, "byte_fallback": True, "ignore_merges": False, "vocab": vocab,
                  "merges": ["h e", "l l", "he ll", "hell o</w>", "w o", "wo r"]}}
    yield "unigram-tiny", {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": [
            {"id": 0, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True, "strip_accents": True, "lowercase": False},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True, "split": True},
        "post_processor": None, "decoder": {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True},
        "model": {"type": "Unigram", "unk_id": 0, "byte_fallback": True, "vocab": [
            ["<unk>", 0.0], ["▁", -2.0], ["▁hello", -3.0], ["hel", -4.0], ["lo", -4.5], ["▁w", -5.0], ["orld", -5.5],
            ["<0x41>", -10.0], ["<0xE4>", -10.0], ["<0xB8>", -10.0], ["<0x96>", -10.0], ["a", -6.0], ["b", -6.0]]}}


def tokenizer_seeds():
    clear("tokenizer")
    texts = fixture_texts()
    for family_index, family in enumerate(FAMILIES):
        for text_index, (label, text) in enumerate(texts):
            # [selector, limit, repeats]: limits 1…64 in turn, the text once, or 16 times for every fifth seed.
            header = bytes([2 * family_index, (text_index * 7) % 64, 4 if text_index % 5 == 0 else 0])
            write("tokenizer", f"fixture-{family}-{label}", header + text.encode())
    words = {word.lower().strip(".,!?") for _, text in texts for word in text.split()}
    sample = "Hello, world! Héllo wörld 123 <mask> [CLS] naïve 日本語 🙂 ab_c".encode()
    for family_index, family in enumerate(FAMILIES):
        document = json.dumps(reduced(family, words), ensure_ascii=False, separators=(",", ":")).encode()
        write("tokenizer", f"json-{family}", bytes([2 * family_index + 1, 5, 0]) + document + b"\0" + sample)
    for name, document in synthetic():
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        write("tokenizer", f"json-{name}", bytes([1, 3, 1]) + data + b"\0" + sample)


def safetensors(tensors, metadata=None, header_padding=0):
    """A safetensors file: `tensors` is a list of (name, dtype, shape, data bytes), laid out in order."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, payload in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header, separators=(",", ":")).encode() + b" " * header_padding
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    clear("safetensors")
    f32 = struct.pack("<6f", 1, -2, 3.5, 0, float("inf"), 1e-40)
    write("safetensors", "f32-matrix", safetensors([("w", "F32", [2, 3], f32)], {"format": "pt"}))
    write("safetensors", "f32-unaligned", safetensors([("w", "F32", [3], f32[:12])], header_padding=1))
    write("safetensors", "mixed-dtypes", safetensors([
        ("a.f16", "F16", [2], struct.pack("<2e", 1.5, -0.25)),
        ("b.bf16", "BF16", [2], b"\x80\x3f\x00\xc0"),
        ("c.f64", "F64", [1, 1], struct.pack("<d", 3.25)),
        ("d.ids", "I64", [3], struct.pack("<3q", 0, 1, -1)),
        ("e.bool", "BOOL", [2], b"\x01\x00"),
        ("f.u8", "U8", [1], b"\x07"),
    ], {"note": "mixed"}))
    write("safetensors", "empty-and-scalar", safetensors([("empty", "F32", [0, 4], b""), ("scalar", "F32", [], struct.pack("<f", 2))]))
    write("safetensors", "no-tensors", safetensors([], {}))
    write("safetensors", "zero-length-header", struct.pack("<Q", 0))
    overlapping = b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    write("safetensors", "overlapping-offsets", struct.pack("<Q", len(overlapping)) + overlapping + b"\0" * 4)
    huge = b'{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,16]}}'
    write("safetensors", "overflowing-shape", struct.pack("<Q", len(huge)) + huge + b"\0" * 16)


def request_seeds():
    clear("requests")
    bodies = {
        "embed-single": {"inputs": "What is Deep Learning?", "normalize": True, "truncate": False, "truncation_direction": "Right",
                         "prompt_name": "query", "dimensions": 128},
        "embed-batch": {"inputs": ["a", "b\u00e9\U0001F600", ""]},
        "similarity": {"inputs": {"source_sentence": "That is a happy person", "sentences": ["That is a happy dog", "Today is sunny"]},
                       "truncate": True, "prompt_name": None},
        "rerank": {"query": "What is Deep Learning?", "texts": ["Deep Learning is...", "cheese"], "truncate": False,
                   "raw_scores": True, "return_text": True},
        "tokenize": {"inputs": ["test \u2581 <s>", "x"], "add_special_tokens": False, "prompt_name": "q"},
        "decode-single": {"ids": [101, 7592, 102], "skip_special_tokens": False},
        "decode-batch": {"ids": [[101, 102], [], [-1, 9223372036854775807]]},
        "openai-text": {"input": "hello", "model": "m", "encoding_format": "float", "dimensions": 3},
        "openai-texts": {"input": ["hello", "world"], "encoding_format": "base64"},
        "openai-ids": {"input": [101, 7592, 102]},
        "openai-id-lists": {"input": [[101, 30523, 102], [1]]},
    }
    for name, body in bodies.items():
        write("requests", name, json.dumps(body, ensure_ascii=False).encode())
    write("requests", "escapes", b'{"inputs": "\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/ \\u0000", "query": "\\ud800", "texts": ["\\u2028"]}')
    write("requests", "numbers", b'{"ids": [1e3, -0, 1.5, 18446744073709551616], "dimensions": 1e400, "input": [[]]}')


if __name__ == "__main__":
    tokenizer_seeds()
    safetensors_seeds()
    request_seeds()
