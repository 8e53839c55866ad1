"""Protocol-buffer text format: a printer matching ``google.protobuf.text_format`` output and
a tokenizer/parser (no ``eval``) for reading it back.
"""

from __future__ import annotations

import re
from typing import Any

from .fields import Field, MapField, MessageField, RepeatedMessageField, round_float32
from .message import Message

__all__ = ["MessageToString", "Parse", "Merge", "ParseError", "CEscape", "CUnescape"]


class ParseError(ValueError):
    """Raised for malformed text; the message starts with ``line:column``."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        if line is not None:
            message = f"{line}:{column} : {message}"
        super().__init__(message)
        self.line = line
        self.column = column

    def GetLine(self) -> int | None:  # noqa: N802 - protobuf API
        return self.line

    def GetColumn(self) -> int | None:  # noqa: N802 - protobuf API
        return self.column


# --- escaping --------------------------------------------------------------------------------
def _str_escapes() -> dict[int, str]:
    table = {i: f"\\{i:03o}" for i in range(128) if not 32 <= i < 127}
    table.update({ord("\t"): r"\t", ord("\n"): r"\n", ord("\r"): r"\r", ord('"'): r"\"",
                  ord("'"): r"\'", ord("\\"): r"\\"})
    return table


_STR_ESCAPES = _str_escapes()
_BYTE_ESCAPES = [_STR_ESCAPES.get(i, chr(i)) if i < 128 else f"\\{i:03o}" for i in range(256)]


def CEscape(text: str | bytes, as_utf8: bool) -> str:  # noqa: N802 - protobuf API
    """Escapes text like protobuf: C escapes, octal for other non-printable bytes."""
    if as_utf8 and isinstance(text, str):
        return text.translate(_STR_ESCAPES)
    if isinstance(text, str):
        text = text.encode("utf-8")
    if as_utf8:
        try:
            return text.decode("utf-8").translate(_STR_ESCAPES)
        except UnicodeDecodeError:
            pass
    return "".join([_BYTE_ESCAPES[c] for c in text])


_SIMPLE_UNESCAPES = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92,
                     "'": 39, '"': 34, "?": 63}
_HEX = "0123456789abcdefABCDEF"


def CUnescape(text: str) -> bytes:  # noqa: N802 - protobuf API
    """Decodes C escapes (``\\n``, ``\\123``, ``\\x7f``, ``\\u00e9``) into UTF-8 bytes."""
    out = bytearray()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "\\":
            j = text.find("\\", i)
            j = n if j < 0 else j
            out += text[i:j].encode("utf-8")
            i = j
            continue
        if i + 1 >= n:
            raise ValueError("Invalid escape sequence: trailing backslash")
        e = text[i + 1]
        i += 2
        if e in _SIMPLE_UNESCAPES:
            out.append(_SIMPLE_UNESCAPES[e])
        elif "0" <= e <= "7":
            j = i
            while j < n and j < i + 2 and "0" <= text[j] <= "7":
                j += 1
            val = int(e + text[i:j], 8)
            if val > 255:
                raise ValueError(f"Octal escape out of range: \\{e}{text[i:j]}")
            out.append(val)
            i = j
        elif e in "xX":
            j = i
            while j < n and j < i + 2 and text[j] in _HEX:
                j += 1
            if j == i:
                raise ValueError("Invalid hex escape: \\x with no digits")
            out.append(int(text[i:j], 16))
            i = j
        elif e in "uU":
            width = 4 if e == "u" else 8
            digits = text[i:i + width]
            if len(digits) != width or any(d not in _HEX for d in digits):
                raise ValueError(f"Invalid unicode escape: \\{e}{digits}")
            out += chr(int(digits, 16)).encode("utf-8", "surrogatepass")
            i += width
        else:
            raise ValueError(f"Invalid escape sequence: \\{e}")
    return bytes(out)


# --- printing --------------------------------------------------------------------------------
def _shortest_float(value: float) -> float:
    """The shortest decimal that round-trips through float32 (protobuf's ToShortestFloat)."""
    precision = 6
    rounded = float(f"{value:.{precision}g}")
    while round_float32(rounded) != value and precision < 17:
        precision += 1
        rounded = float(f"{value:.{precision}g}")
    return rounded


def format_scalar(field: Any, value: Any, as_utf8: bool = True) -> str:
    """The text-format spelling of one scalar value of ``field``."""
    kind = field.kind
    if kind == "string":
        return '"' + CEscape(value, as_utf8) + '"'
    if kind == "bytes":
        return '"' + CEscape(value, False) + '"'
    if kind == "enum":
        name = field.enum_type.name_of(value) if field.enum_type is not None else None
        return name if name is not None else str(value)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return str(value) if value != value else str(_shortest_float(value))
    return str(value)


class _Printer:
    def __init__(self, as_utf8: bool, as_one_line: bool, pointy: bool, short: bool) -> None:
        self.out: list[str] = []
        self.as_utf8 = as_utf8
        self.nl = " " if as_one_line else "\n"
        self.one_line = as_one_line
        self.open, self.close = ("<", ">") if pointy else ("{", "}")
        self.short = short

    def message(self, msg: Message, indent: int) -> None:
        for f, v in msg.ListFields():
            if f.is_map:
                for key in sorted(v):
                    self.map_entry(f, key, v[key], indent)
            elif f.repeated:
                if self.short and f.kind not in ("message", "string", "bytes"):
                    vals = ", ".join(format_scalar(f, x, self.as_utf8) for x in v)
                    self.out.append(f"{' ' * indent}{f.name}: [{vals}]{self.nl}")
                else:
                    for x in v:
                        self.field(f, x, indent)
            else:
                self.field(f, v, indent)

    def submessage(self, name: str, indent: int, body: Any) -> None:
        out = self.out
        if self.one_line:
            out.append(f"{' ' * indent}{name} {self.open} ")
            body(indent)
            out.append(f"{self.close} ")
        else:
            out.append(f"{' ' * indent}{name} {self.open}\n")
            body(indent + 2)
            out.append(f"{' ' * indent}{self.close}\n")

    def field(self, f: Field, value: Any, indent: int) -> None:
        if isinstance(value, Message):
            self.submessage(f.name, indent, lambda ind: self.message(value, ind))
        else:
            self.out.append(f"{' ' * indent}{f.name}: {format_scalar(f, value, self.as_utf8)}"
                            f"{self.nl}")

    def map_entry(self, f: MapField, key: Any, value: Any, indent: int) -> None:
        entry = f.entry_cls

        def body(ind: int) -> None:
            if not entry.key.is_default(key):
                self.field(entry.key, key, ind)
            if f.value_kind is None or not entry.value.is_default(value):
                self.field(entry.value, value, ind)
        self.submessage(f.name, indent, body)


def MessageToString(message: Message, as_utf8: bool = True, as_one_line: bool = False,  # noqa: N802
                    pointy_brackets: bool = False, use_short_repeated_primitives: bool = False,
                    indent: int = 0) -> str:
    """Text format of ``message``, identical to ``google.protobuf.text_format``'s output."""
    p = _Printer(as_utf8, as_one_line, pointy_brackets, use_short_repeated_primitives)
    p.message(message, indent)
    result = "".join(p.out)
    return result.rstrip() if as_one_line else result


# --- tokenizing ------------------------------------------------------------------------------
_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r\f\v]+|\#[^\n]*)
    |(?P<nl>\n)
    |(?P<tok>[a-zA-Z_][0-9a-zA-Z_+-]*
        |(?:[0-9+-]|\.[0-9])[0-9a-zA-Z_.+-]*
        |"(?:[^"\n\\]|\\.)*"?
        |'(?:[^'\n\\]|\\.)*'?
        |.)""", re.VERBOSE)
_IDENT = re.compile(r"[a-zA-Z_][0-9a-zA-Z_]*\Z")
_FLOAT_INF = re.compile(r"-?inf(inity)?f?\Z", re.IGNORECASE)
_FLOAT_NAN = re.compile(r"-?nanf?\Z", re.IGNORECASE)
_OCTAL_INT = re.compile(r"(-?)0([0-7]+)\Z")
_INT_RANGES = {
    "int32": (-(1 << 31), (1 << 31) - 1), "sint32": (-(1 << 31), (1 << 31) - 1),
    "sfixed32": (-(1 << 31), (1 << 31) - 1), "enum": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1), "sint64": (-(1 << 63), (1 << 63) - 1),
    "sfixed64": (-(1 << 63), (1 << 63) - 1), "uint32": (0, (1 << 32) - 1),
    "fixed32": (0, (1 << 32) - 1), "uint64": (0, (1 << 64) - 1), "fixed64": (0, (1 << 64) - 1),
}


class _Tokenizer:
    def __init__(self, text: str) -> None:
        self.tokens: list[tuple[str, int, int]] = []
        line, line_start = 1, 0
        for m in _TOKEN.finditer(text):
            if m.lastgroup == "nl":
                line, line_start = line + 1, m.end()
            elif m.lastgroup == "tok":
                self.tokens.append((m.group(), line, m.start() - line_start + 1))
        self.i = 0
        self.end_pos = (line, len(text) - line_start + 1)

    @property
    def token(self) -> str:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else ""

    def at_end(self) -> bool:
        return self.i >= len(self.tokens)

    def error(self, message: str, previous: bool = False) -> ParseError:
        i = self.i - 1 if previous and self.i > 0 else self.i
        line, col = self.tokens[i][1:] if i < len(self.tokens) else self.end_pos
        return ParseError(message, line, col)

    def next(self) -> str:
        tok = self.token
        self.i += 1
        return tok

    def try_consume(self, tok: str) -> bool:
        if self.token == tok and not self.at_end():
            self.i += 1
            return True
        return False

    def consume(self, tok: str) -> None:
        if not self.try_consume(tok):
            raise self.error(f'Expected "{tok}", found "{self.token}".')

    def consume_identifier(self) -> str:
        tok = self.token
        if not _IDENT.match(tok):
            raise self.error(f'Expected identifier, found "{tok}".')
        self.i += 1
        return tok

    def consume_bytes(self) -> bytes:
        parts = []
        while self.token[:1] in ("'", '"') and not self.at_end():
            tok = self.token
            if len(tok) < 2 or tok[-1] != tok[0]:
                raise self.error(f"String missing ending quote: {tok!r}")
            try:
                parts.append(CUnescape(tok[1:-1]))
            except ValueError as e:
                raise self.error(str(e)) from None
            self.i += 1
        if not parts:
            raise self.error(f"Expected string but found: {self.token!r}")
        return b"".join(parts)


# --- parsing ---------------------------------------------------------------------------------
def _parse_int(text: str) -> int:
    m = _OCTAL_INT.match(text)
    if m:
        text = m.group(1) + "0o" + m.group(2)
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"Couldn't parse integer: {text}") from None


def _parse_float(text: str) -> float:
    try:
        if not re.search(r"[_xXoObB]", text):  # reject Python-only spellings like 1_000
            return float(text)
    except ValueError:
        pass
    if _FLOAT_INF.match(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _FLOAT_NAN.match(text):
        return float("nan")
    if text[-1:] in "fF" and not re.search(r"[_xXoObB]", text):
        try:
            return float(text[:-1])
        except ValueError:
            pass
    raise ValueError(f"Couldn't parse float: {text}")


class _Parser:
    def __init__(self, text: str, allow_overwrite: bool) -> None:
        self.tok = _Tokenizer(text)
        self.overwrite = allow_overwrite

    def parse(self, msg: Message) -> None:
        while not self.tok.at_end():
            self.field(msg)

    def message_body(self, msg: Message, end: str, depth: int) -> None:
        if depth > 100:
            raise self.tok.error("Message nested too deeply")
        while not self.tok.try_consume(end):
            if self.tok.at_end():
                raise self.tok.error(f'Expected "{end}".')
            self.field(msg, depth)

    def field(self, msg: Message, depth: int = 0) -> None:
        tok = self.tok
        if tok.token == "[":
            raise tok.error("Extensions and Any expansions are not supported.")
        name = tok.consume_identifier()
        f = msg._fields_by_name.get(name)
        if f is None:
            raise tok.error(f'Message type "{msg._full_name}" has no field named "{name}".',
                            previous=True)
        if f.oneof is not None and not self.overwrite:
            which = msg.WhichOneof(f.oneof)
            if which is not None and which != name:
                raise tok.error(f'Field "{name}" is specified along with field "{which}", '
                                f'another member of oneof "{f.oneof}" for message type '
                                f'"{msg._full_name}".', previous=True)
        is_msg = f.kind == "message"
        if is_msg:
            tok.try_consume(":")
        else:
            tok.consume(":")
        if f.repeated and tok.try_consume("["):
            if not tok.try_consume("]"):
                while True:
                    self.value(msg, f, depth)
                    if tok.try_consume("]"):
                        break
                    tok.consume(",")
        else:
            self.value(msg, f, depth)
        if not tok.try_consume(","):
            tok.try_consume(";")

    def value(self, msg: Message, f: Field, depth: int) -> None:
        if f.kind != "message":
            v = self.scalar(f)
            if f.repeated:
                getattr(msg, f.name).append(v)
                return
            if not self.overwrite:
                present = (f.number in msg._values) if f.oneof is not None else \
                    not f.is_default(getattr(msg, f.name))
                if present:
                    raise self.tok.error(f'Message type "{msg._full_name}" should not have '
                                         f'multiple "{f.name}" fields.', previous=True)
            setattr(msg, f.name, v)
            return
        tok = self.tok
        if tok.try_consume("<"):
            end = ">"
        else:
            tok.consume("{")
            end = "}"
        if isinstance(f, MapField):
            entry = f.entry_cls()
            self.message_body(entry, end, depth + 1)
            m = getattr(msg, f.name)
            if f.value_kind is not None:
                m[entry.key] = entry.value
            else:
                m.get_or_create(entry.key).CopyFrom(entry.value)
        elif isinstance(f, RepeatedMessageField):
            self.message_body(getattr(msg, f.name).add(), end, depth + 1)
        else:
            assert isinstance(f, MessageField)
            if not self.overwrite and msg.HasField(f.name):
                raise tok.error(f'Message type "{msg._full_name}" should not have multiple '
                                f'"{f.name}" fields.', previous=True)
            sub = getattr(msg, f.name)
            sub.SetInParent()
            self.message_body(sub, end, depth + 1)

    def scalar(self, f: Any) -> Any:
        tok = self.tok
        kind = f.kind
        if kind in ("string", "bytes"):
            b = tok.consume_bytes()
            if kind == "bytes":
                return b
            try:
                return b.decode("utf-8")
            except UnicodeDecodeError as e:
                raise tok.error(f"Couldn't parse string: {e}", previous=True) from None
        text = tok.token
        if tok.at_end():
            raise tok.error("Unexpected end of input, expected a value.")
        try:
            if kind == "bool":
                if text in ("true", "t", "1", "True"):
                    v: Any = True
                elif text in ("false", "f", "0", "False"):
                    v = False
                else:
                    raise ValueError('Expected "true" or "false".')
            elif kind in ("float", "double"):
                v = _parse_float(text)
            elif kind == "enum" and _IDENT.match(text):
                if f.enum_type is None or text not in f.enum_type._by_name:
                    name = f.enum_type.full_name if f.enum_type is not None else "?"
                    raise ValueError(f'Enum type "{name}" has no value named {text}.')
                v = f.enum_type.Value(text)
            else:
                v = _parse_int(text)
                lo, hi = _INT_RANGES[kind]
                if not lo <= v <= hi:
                    raise ValueError(f"Integer out of range for {kind}: {text}")
        except ValueError as e:
            raise tok.error(str(e)) from None
        tok.next()
        return v


def Parse(text: str | bytes, message: Message) -> Message:  # noqa: N802 - protobuf API
    """Parses text format into ``message`` (not cleared first); singular fields may not repeat."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    _Parser(text, allow_overwrite=False).parse(message)
    return message


def Merge(text: str | bytes, message: Message) -> Message:  # noqa: N802 - protobuf API
    """Like :func:`Parse` but later values of singular fields overwrite earlier ones."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    _Parser(text, allow_overwrite=True).parse(message)
    return message
