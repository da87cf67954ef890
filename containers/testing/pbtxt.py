"""Protobuf text format (Triton's config.pbtxt) -> dict, for the fields Triton model configs use.

`key: value` and `key { … }` / `key: { … }` / `key [ {…}, {…} ]` / `key: [ 1, 2 ]`; `#` comments. Fields that
are repeated in ModelConfig (input, output, instance_group, parameters, dims) are always lists.
"""
import re
from typing import Any, Dict, List, Tuple

REPEATED = {"input", "output", "instance_group", "parameters", "dims", "preferred_batch_size", "gpus"}
TOKEN = re.compile(r'\s*(?:(#[^\n]*)|("(?:[^"\\]|\\.)*")|([{}\[\]:,])|([^\s{}\[\]:,"#]+))')


def _tokens(text: str) -> List[str]:
    tokens, position = [], 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            if text[position:].strip() == "":
                break
            raise ValueError(f"config.pbtxt: cannot parse at {text[position:position + 30]!r}")
        position = match.end()
        if match.group(1) is None and match.group(0).strip():
            tokens.append(match.group(0).strip())
    return tokens


def _scalar(token: str) -> Any:
    if token.startswith('"'):
        return bytes(token[1:-1], "utf-8").decode("unicode_escape")
    if token in ("true", "false"):
        return token == "true"
    try:
        return int(token)
    except ValueError:
        try:
            return float(token)
        except ValueError:
            return token  # an enum such as TYPE_STRING or KIND_GPU


def _message(tokens: List[str], i: int, end: str) -> Tuple[Dict[str, Any], int]:
    result: Dict[str, Any] = {}
    while i < len(tokens) and tokens[i] != end:
        key = tokens[i]
        i += 1
        if tokens[i] == ":":
            i += 1
        value, i = _value(tokens, i)
        if key in REPEATED:
            result.setdefault(key, []).extend(value if isinstance(value, list) else [value])
        else:
            result[key] = value
        if i < len(tokens) and tokens[i] == ",":
            i += 1
    return result, i + 1


def _value(tokens: List[str], i: int) -> Tuple[Any, int]:
    if tokens[i] == "{":
        return _message(tokens, i + 1, "}")
    if tokens[i] == "[":
        items, i = [], i + 1
        while tokens[i] != "]":
            item, i = _value(tokens, i)
            items.append(item)
            if tokens[i] == ",":
                i += 1
        return items, i + 1
    return _scalar(tokens[i]), i + 1


def parse_pbtxt(text: str) -> Dict[str, Any]:
    tokens = _tokens(text)
    result, _ = _message(tokens + ["<end>"], 0, "<end>")
    return result
