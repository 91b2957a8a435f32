"""Parse the subset of the CoreDNS configuration language (the "Corefile") the lab serves.

A Corefile is a list of server blocks ``ZONE[:PORT]... { directives }``; a directive is a name,
arguments up to the end of the line and an optional nested block. ``import PATH`` (anywhere)
is replaced by the tokens of the files PATH names, relative to the importing file's folder.
"""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)


class CorefileError(ValueError):
    """The configuration cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Token:
    """One word of the configuration with the line it came from (``line`` is globally unique)."""

    text: str
    line: int
    quoted: bool = False
    source: str = ""


@dataclass
class Directive:
    """A directive: ``name args... { block }``."""

    name: str
    args: list[str]
    block: list[Directive] = field(default_factory=list)
    source: str = ""


@dataclass
class ServerBlock:
    """One server block: the zones it serves, its port and its directives in file order."""

    zones: list[str]
    port: int
    directives: list[Directive]

    def directives_named(self, name: str) -> list[Directive]:
        """The directives called ``name``, in file order."""
        return [d for d in self.directives if d.name == name]


class _Tokenizer:
    """Splits configuration text into tokens, expanding ``import`` lines as it goes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.next_line = 0
        self.depth = 0

    def tokenize_file(self, path: Path) -> list[Token]:
        self.depth += 1
        if self.depth > 20:
            raise CorefileError(f"{path}: import nesting deeper than 20 levels")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise CorefileError(f"cannot read configuration file {path}: {error}") from error
        tokens = self._tokenize_text(text, str(path))
        self.depth -= 1
        return tokens

    def _tokenize_text(self, text: str, source: str) -> list[Token]:
        tokens: list[Token] = []
        for raw_line in text.splitlines():
            self.next_line += 1
            words = _split_line(raw_line, source)
            if words and words[0][0] == "import" and not words[0][1]:
                tokens.extend(self._expand_import(words, source))
                continue
            line = self.next_line
            tokens.extend(Token(w, line, q, source) for w, q in words)
        return tokens

    def _expand_import(self, words: list[tuple[str, bool]], source: str) -> list[Token]:
        if len(words) != 2:
            raise CorefileError(f"{source}: import takes exactly one path")
        pattern = words[1][0]
        base = Path(source).parent if os.path.isfile(source) else self.root
        full = pattern if os.path.isabs(pattern) else str(base / pattern)
        paths = sorted(glob.glob(full))
        if not paths:
            raise CorefileError(f"{source}: import {pattern!r} matches no file")
        tokens: list[Token] = []
        for path in paths:
            tokens.extend(self.tokenize_file(Path(path)))
        return tokens


def _split_line(line: str, source: str) -> list[tuple[str, bool]]:
    """Split one line into (word, was_quoted) pairs; braces are words of their own."""
    words: list[tuple[str, bool]] = []
    current = ""
    index = 0
    while index < len(line):
        char = line[index]
        if char == '"':
            text, index = _quoted(line, index + 1, source)
            words.append((text, True))
            continue
        if char == "#" and not current:
            break
        if char.isspace() or char in "{}":
            if current:
                words.append((current, False))
                current = ""
            if char in "{}":
                words.append((char, False))
        else:
            current += char
        index += 1
    if current:
        words.append((current, False))
    return words


def _quoted(line: str, index: int, source: str) -> tuple[str, int]:
    """The quoted string starting at ``index`` (after the quote), honouring ``\\"``."""
    text = ""
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line) and line[index + 1] == '"':
            text += '"'
            index += 2
            continue
        if char == '"':
            return text, index + 1
        text += char
        index += 1
    # CoreDNS would read on into the next lines; the lab keeps the damage local.
    logger.warning("%s: unterminated quoted string in line %r", source, line)
    return text, index


class _Parser:
    """Builds server blocks and directives from a token list."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def server_blocks(self) -> list[ServerBlock]:
        blocks: list[ServerBlock] = []
        while self._peek() is not None:
            blocks.append(self._server_block())
        return blocks

    def _server_block(self) -> ServerBlock:
        keys: list[Token] = []
        while (token := self._peek()) is not None and not _is_open(token):
            keys.append(self._take())
        if token is None or not keys:
            where = keys[0].source if keys else "configuration"
            raise CorefileError(f"{where}: expected 'ZONE {{' to open a server block")
        self._take()
        zones, ports = zip(*(_split_key(k) for k in keys), strict=True)
        if len(set(ports)) != 1:
            raise CorefileError(f"{keys[0].source}: one server block uses several ports")
        return ServerBlock(list(zones), ports[0], self._directives(keys[0]))

    def _directives(self, opener: Token) -> list[Directive]:
        directives: list[Directive] = []
        while True:
            token = self._peek()
            if token is None:
                raise CorefileError(f"{opener.source}: block opened by {opener.text!r} not closed")
            if _is_close(token):
                self._take()
                return directives
            directives.append(self._directive())

    def _directive(self) -> Directive:
        head = self._take()
        args: list[str] = []
        while (token := self._peek()) is not None and token.line == head.line:
            if _is_open(token):
                self._take()
                return Directive(head.text, args, self._directives(head), head.source)
            if _is_close(token):
                break
            args.append(self._take().text)
        return Directive(head.text, args, [], head.source)


def _is_open(token: Token) -> bool:
    return token.text == "{" and not token.quoted


def _is_close(token: Token) -> bool:
    return token.text == "}" and not token.quoted


def _split_key(token: Token) -> tuple[str, int]:
    """``zone.:53`` -> ("zone.", 53); the default port is 53."""
    text = token.text
    for prefix in ("dns://", "dns:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    zone, sep, port = text.rpartition(":")
    if not sep:
        return _fqdn(text), 53
    if not port.isdigit():
        raise CorefileError(f"{token.source}: bad port in server block key {token.text!r}")
    return _fqdn(zone or "."), int(port)


def _fqdn(zone: str) -> str:
    return zone if zone.endswith(".") else zone + "."


def parse_corefile(path: str | Path) -> list[ServerBlock]:
    """Read the Corefile at ``path`` (imports relative to its folder) into server blocks."""
    config = Path(path).resolve()
    tokenizer = _Tokenizer(config.parent)
    return _Parser(tokenizer.tokenize_file(config)).server_blocks()


def parse_corefile_text(text: str, root: str | Path) -> list[ServerBlock]:
    """Parse configuration text whose imports and files are relative to ``root``."""
    tokenizer = _Tokenizer(Path(root).resolve())
    return _Parser(tokenizer._tokenize_text(text, "<text>")).server_blocks()
