"""The Corefile parser reads server blocks, nested blocks, quotes and imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from dnscert.dnslab.corefile import CorefileError, parse_corefile
from dnscert.dnslab.server import LabServer


def test_it_reads_blocks_ports_nested_directives_and_quotes(tmp_path: Path) -> None:
    config = tmp_path / "Corefile"
    config.write_text(
        "a.xa:5353 b.xa:5353 {  # two zones\n    bind 127.0.0.1 ::1\n"
        '    template IN TXT a.xa {\n        answer "a.xa. 60 TXT \\"x y\\""\n    }\n}\n'
    )
    (block,) = parse_corefile(config)
    assert block.zones == ["a.xa.", "b.xa."]
    assert block.port == 5353
    assert block.directives_named("bind")[0].args == ["127.0.0.1", "::1"]
    template = block.directives_named("template")[0]
    assert template.args == ["IN", "TXT", "a.xa"]
    assert template.block[0].args == ['a.xa. 60 TXT "x y"']


def test_it_expands_imports_relative_to_the_importing_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "inner.cfg").write_text("log\n")
    (tmp_path / "sub" / "outer.cfg").write_text("x. {\n    import inner.cfg\n}\n")
    (tmp_path / "main.cfg").write_text("import sub/outer.cfg\n")
    (block,) = parse_corefile(tmp_path / "main.cfg")
    assert [d.name for d in block.directives] == ["log"]


def test_it_names_the_file_of_an_unclosed_block(tmp_path: Path) -> None:
    (tmp_path / "bad.cfg").write_text("x. {\n    log\n")
    with pytest.raises(CorefileError, match=r"bad\.cfg"):
        parse_corefile(tmp_path / "bad.cfg")


def test_it_refuses_unknown_directives(tmp_path: Path) -> None:
    (tmp_path / "bad.cfg").write_text("x. {\n    bind 127.0.0.1\n    forward . 9.9.9.9\n}\n")
    with pytest.raises(CorefileError, match="'forward' is not supported"):
        LabServer.from_corefile(tmp_path / "bad.cfg")
