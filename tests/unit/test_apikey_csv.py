"""The API key file format of ImportApiKeys (pure parser)."""

from __future__ import annotations

import pytest

from portico.controlplane.apikey_csv import KeyRow, parse_key_file, split_line
from portico.controlplane.errors import BadRequestException

KEY = "apikey1234abcdefghij0123456789"


def test_split_line_quotes_and_spaces():
    assert split_line(' a , "b,c" ,\'d,e\', "say ""hi""" ') == ["a", "b,c", "d,e", 'say "hi"']
    assert split_line("O'Brien,x") == ["O'Brien", "x"]
    assert split_line("") == [""]
    with pytest.raises(BadRequestException):
        split_line('a,"unterminated')


def test_documented_examples():
    assert parse_key_file(f"Key,name\n{KEY},MyFirstApiKey\n").rows == [KeyRow(2, "MyFirstApiKey", KEY)]
    full = parse_key_file(
        f"Name,key,description,Enabled,usageplanIds\nMyFirstApiKey,{KEY},An imported key,TRUE,c7y23b\n"
    )
    assert full.rows == [KeyRow(2, "MyFirstApiKey", KEY, "An imported key", True, ("c7y23b",))]
    multi = parse_key_file(f'Enabled,Name,key,UsageplanIds\ntrue,MyFirstApiKey,{KEY},"c7y23b,glvrsr"\n')
    assert multi.rows[0].usage_plan_ids == ("c7y23b", "glvrsr")
    single = parse_key_file(f"Enabled,Name,key,UsageplanIds\nfalse,K,{KEY},'c7y23b, glvrsr'\n")
    assert single.rows[0].usage_plan_ids == ("c7y23b", "glvrsr") and single.rows[0].enabled is False


def test_defaults_blank_lines_bom_and_unknown_columns():
    parsed = parse_key_file(f"\ufeffname,KEY,Extra\n\n  {KEY}x , {KEY}, whatever\n")
    assert parsed.rows == [KeyRow(3, f"{KEY}x", KEY, "", True, ())]
    assert parsed.warnings == []


def test_bad_rows_become_warnings():
    text = f"name,key,enabled\nshort,abc\n,{KEY}\nlong,{'k' * 129}\nbad,{KEY},maybe\n{'n' * 1025},{KEY}\nok,{KEY}\n"
    parsed = parse_key_file(text)
    assert [r.name for r in parsed.rows] == ["ok"]
    assert parsed.warnings == [
        "Line 2: a Key must have between 20 and 128 characters",
        "Line 3: a Name is required",
        "Line 4: a Key must have between 20 and 128 characters",
        "Line 5: Enabled must be true or false, not 'maybe'",
        "Line 6: a Name cannot exceed 1024 characters",
    ]


def test_header_must_name_name_and_key():
    with pytest.raises(BadRequestException, match=r"missing: name, key"):
        parse_key_file("description,enabled\nx,true\n")
    with pytest.raises(BadRequestException, match="empty"):
        parse_key_file("\n\n")
