"""Mapping templates (VTL) as API Gateway renders them: $input, $util, $context, overrides, Java semantics."""

from __future__ import annotations

import json
from typing import Any

import pytest

from portico.mapping import Overrides, RequestParams, TemplateError, compile_template

PETS_BODY = json.dumps(
    {
        "pets": [
            {"id": 1, "type": "dog", "price": 249.99},
            {"id": 2, "type": "cat", "price": 124.99},
            {"id": 3, "type": "fish", "price": 0.99},
        ]
    }
)


def render(source: str, **kwargs: Any) -> str:
    return compile_template(source).render(**kwargs).text


def overrides(source: str, **kwargs: Any) -> Overrides:
    return compile_template(source).render(**kwargs).overrides


# --- $input -----------------------------------------------------------------------------------------


def test_input_body_is_the_raw_payload() -> None:
    assert render("$input.body", body='{"a" : 1}\n') == '{"a" : 1}\n'
    assert render("[$input.body]", body="not json at all") == "[not json at all]"


def test_input_json_writes_compact_json_of_the_selection() -> None:
    body = '{"name": "Ann", "n": 3, "ok": true, "nil": null, "obj": {"a": [1, 2]}, "é": "ü"}'
    template = (
        "$input.json('$.name')|$input.json('$.n')|$input.json('$.ok')|$input.json('$.nil')|"
        "$input.json('$.obj')|$input.json('$.missing')|$input.json('$..a')|$input.json(\"$['é']\")"
    )
    assert render(template, body=body) == '"Ann"|3|true|null|{"a":[1,2]}|""|[[1,2]]|"ü"'
    assert render("$input.json('$')", body=body) == (
        '{"name":"Ann","n":3,"ok":true,"nil":null,"obj":{"a":[1,2]},"é":"ü"}'
    )


def test_empty_payload_reads_as_empty_object() -> None:
    assert render("$input.json('$')|$input.path('$').size()|$input.json('$.a')", body="") == '{}|0|""'


def test_input_path_gives_objects_for_velocity() -> None:
    template = (
        "#set($pets = $input.path('$.pets'))"
        "$pets.size() $pets[0].type $pets.get(1).price $input.path('$.pets[2].id') "
        "$input.path('$.pets[*].type').size() $input.path('$.pets').count()"
    )
    assert render(template, body=PETS_BODY) == "3 dog 124.99 3 3 3"


def test_developer_guide_request_and_response_example() -> None:
    template = (
        "{\n"
        '    "id" : "$input.params(\'id\')",\n'
        '    "count" : "$input.path(\'$.things\').size()",\n'
        "    \"things\" : $input.json('$.things')\n"
        "}"
    )
    body = '{"things" : {"1" : {}, "2" : {}, "3" : {}}}'
    out = render(template, body=body, params=RequestParams(path={"id": "abc"}))
    assert out == '{\n    "id" : "abc",\n    "count" : "3",\n    "things" : {"1":{},"2":{},"3":{}}\n}'
    assert json.loads(out) == {"id": "abc", "count": "3", "things": {"1": {}, "2": {}, "3": {}}}


def test_input_path_in_foreach_builds_a_json_array() -> None:
    template = (
        "#set($inputRoot = $input.path('$'))\n"
        "[\n"
        "#foreach($elem in $inputRoot.pets)\n"
        '  {"id": $elem.id, "kind": "$elem.type"}#if($foreach.hasNext),#end\n'
        "\n"
        "#end\n"
        "]"
    )
    out = render(template, body=PETS_BODY)
    assert (
        out == '[\n  {"id": 1, "kind": "dog"},\n  {"id": 2, "kind": "cat"},\n  {"id": 3, "kind": "fish"}\n]'
    )


def test_invalid_json_payload_fails_only_when_parsed() -> None:
    assert render("$input.body", body="<xml/>") == "<xml/>"
    with pytest.raises(TemplateError, match="not valid JSON"):
        render("$input.path('$')", body="<xml/>")


PARAMS = RequestParams(
    path={"petId": "7", "shared": "from-path"},
    querystring={"q": "cats & dogs", "shared": "from-query", "only": "query"},
    header={"Accept": "application/json", "X-Trace": "t-1", "only": "header"},
)


def test_input_params_map() -> None:
    assert render("$input.params()", params=PARAMS) == (
        "{path={petId=7, shared=from-path}, header={Accept=application/json, X-Trace=t-1, only=header}, "
        "querystring={q=cats & dogs, shared=from-query, only=query}}"
    )
    assert render("$input.params().header.get('X-Trace') $input.params().querystring.q", params=PARAMS) == (
        "t-1 cats & dogs"
    )
    assert render("$input.params().path.keySet()", params=PARAMS) == "[petId, shared]"


def test_input_params_by_name_searches_path_then_query_then_header() -> None:
    template = (
        "$input.params('shared')|$input.params('only')|$input.params('x-trace')|[$input.params('none')]"
    )
    assert render(template, params=PARAMS) == "from-path|query|t-1|[]"


def test_developer_guide_all_params_template() -> None:
    template = (
        "#set($allParams = $input.params())\n"
        "{\n"
        '  "params" : {\n'
        "    #foreach($type in $allParams.keySet())\n"
        "    #set($params = $allParams.get($type))\n"
        '    "$type" : {\n'
        "      #foreach($paramName in $params.keySet())\n"
        '      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"\n'
        "      #if($foreach.hasNext),#end\n"
        "      #end\n"
        "    }\n"
        "    #if($foreach.hasNext),#end\n"
        "    #end\n"
        "  }\n"
        "}"
    )
    params = RequestParams(path={"id": "1"}, querystring={"a": "x/y"}, header={})
    out = render(template, params=params)
    # Velocity 1.7 whitespace: a #set line disappears; other directives keep their indentation and eat
    # the newline that follows them.
    assert out == (
        "{\n"
        '  "params" : {\n'
        '        "path" : {\n'
        '            "id" : "1"\n'
        "                }\n"
        "    ,"
        '        "header" : {\n'
        "          }\n"
        "    ,"
        '        "querystring" : {\n'
        '            "a" : "x\\/y"\n'
        "                }\n"
        "          }\n"
        "}"
    )
    assert json.loads(out.replace("\\/", "/")) == {
        "params": {"path": {"id": "1"}, "header": {}, "querystring": {"a": "x/y"}}
    }


# --- $util ------------------------------------------------------------------------------------------


def test_escape_javascript_follows_commons_lang() -> None:
    body = json.dumps({"s": 'it\'s "q" \\ / \n\t\r\b\f \x01 é 😀 ~'})
    assert render("$util.escapeJavaScript($input.path('$.s'))", body=body) == (
        'it\\\'s \\"q\\" \\\\ \\/ \\n\\t\\r\\b\\f \\u0001 \\u00E9 \\uD83D\\uDE00 ~'
    )


def test_escape_javascript_then_unescape_single_quotes_as_the_guide_shows() -> None:
    template = "$util.escapeJavaScript($input.path('$.s')).replaceAll(\"\\\\'\",\"'\")"
    assert render(template, body=json.dumps({"s": 'it\'s "ok"'})) == 'it\'s \\"ok\\"'


def test_escape_javascript_of_json_and_null() -> None:
    assert render("$util.escapeJavaScript($input.json('$'))", body='{"a": "b"}') == '{\\"a\\":\\"b\\"}'
    assert render("[$util.escapeJavaScript($nothing)]") == "[]"
    assert render("$util.escapeJavaScript(12)") == "12"


def test_parse_json_developer_guide_example() -> None:
    body = json.dumps({"errorMessage": json.dumps({"key1": "var1", "key2": {"arr": [1, 2, 3]}})})
    template = (
        "#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))\n"
        "{\n"
        '   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]\n'
        "}\n"
    )
    assert render(template, body=body) == '{\n   "errorMessageObjKey2ArrVal" : 1\n}\n'


def test_parse_json_values() -> None:
    template = '#set($o = $util.parseJson(\'{"a":[1,{"b":true}],"c":"x"}\'))$o|$o.a|$o.c.length()'
    assert render(template) == '{a=[1,{"b":true}], c=x}|[1,{"b":true}]|1'
    with pytest.raises(TemplateError, match="parseJson"):
        render("$util.parseJson('{oops')")


def test_url_encode_and_decode_are_java_form_encoding() -> None:
    assert render("$util.urlEncode('a b&c=d/é~*._-')") == "a+b%26c%3Dd%2F%C3%A9%7E*._-"
    assert render("$util.urlDecode('a+b%26c%3Dd%2F%C3%A9')") == "a b&c=d/é"
    assert render("$util.urlEncode('x=a+b')") == "x%3Da%2Bb"


def test_base64_encode_and_decode_utf8_text() -> None:
    assert render("$util.base64Encode('héllo wörld')") == "aMOpbGxvIHfDtnJsZA=="
    assert render("$util.base64Decode('aMOpbGxvIHfDtnJsZA==')") == "héllo wörld"
    assert render("$util.base64Decode('aGk')") == "hi"
    with pytest.raises(TemplateError, match="base64"):
        render("$util.base64Decode('not base64!')")


# --- $context and $stageVariables -------------------------------------------------------------------

CONTEXT = {
    "stage": "prod",
    "requestId": "abcdefg-000-000-0000-abcdefg",
    "apiId": "abcd1234",
    "resourcePath": "/",
    "httpMethod": "GET",
    "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0", "apiKey": None},
    "authorizer": {"principalId": "user-1", "claims": {"sub": "1234-abcd", "email": "a@example.com"}},
}


def test_context_variables_nested() -> None:
    template = (
        '{"stage" : "$context.stage", "source_ip" : "$context.identity.sourceIp", '
        '"sub" : "$context.authorizer.claims.sub", "principal" : "$context.authorizer.principalId", '
        '"api_key" : "$context.identity.apiKey", "missing" : "$context.identity.nothing.deeper"}'
    )
    assert json.loads(render(template, context=CONTEXT)) == {
        "stage": "prod",
        "source_ip": "192.0.2.1",
        "sub": "1234-abcd",
        "principal": "user-1",
        "api_key": "",
        "missing": "",
    }


def test_rendering_does_not_change_the_callers_context() -> None:
    context = {"identity": {"sourceIp": "1.2.3.4"}}
    render("#set($context.stage = 'x')#set($context.requestOverride.header.a = 'b')", context=context)
    assert context == {"identity": {"sourceIp": "1.2.3.4"}}


def test_stage_variables_all_syntaxes() -> None:
    template = (
        "$stageVariables.env|$stageVariables['env']|${stageVariables['url']}|$stageVariables.get('env')"
    )
    assert render(template, stage_variables={"env": "beta", "url": "https://x"}) == "beta|beta|https://x|beta"


# --- overrides --------------------------------------------------------------------------------------


def test_request_overrides_from_the_developer_guide() -> None:
    template = (
        '#set($header1Override = "foo")\n'
        "#set($header3Value = \"$input.params('header1')$input.params('header2')\")\n"
        '$input.json("$")\n'
        "#set($context.requestOverride.header.header3 = $header3Value)\n"
        "#set($context.requestOverride.header.header1 = $header1Override)\n"
        "#set($context.requestOverride.querystring.page = 2)\n"
        "#set($context.requestOverride.path.petId = 'p-1')\n"
        "#set($context.requestOverride.header.multi = ['a', 'b'])\n"
    )
    params = RequestParams(header={"header1": "header1Val", "header2": "header2Val"})
    result = compile_template(template).render(body='{"a": 1}', params=params)
    assert result.text == '{"a":1}\n'
    assert result.overrides == Overrides(
        request_header={"header3": "header1Valheader2Val", "header1": "foo", "multi": ["a", "b"]},
        request_querystring={"page": "2"},
        request_path={"petId": "p-1"},
    )


def test_response_status_and_header_overrides() -> None:
    template = (
        "#set($inputRoot = $input.path('$'))\n"
        '$input.json("$")\n'
        '#if($inputRoot.toString().contains("error"))\n'
        "#set($context.responseOverride.status = 400)\n"
        "#set($context.responseOverride.header.Content-Type = 'text/plain')\n"
        '#set($context.responseOverride.header.X-Amz-Target = "AWSEvents.PutEvents")\n'
        "#end\n"
        "$context.responseOverride.status $context.responseOverride.header.X-Amz-Target"
    )
    # Velocity 1.7 identifiers may contain "-", so the header reads back under its full name
    failing = compile_template(template).render(body='{"errors": [{"message": "out of range"}]}')
    assert failing.overrides.response_status == 400
    assert failing.overrides.response_header == {
        "Content-Type": "text/plain",
        "X-Amz-Target": "AWSEvents.PutEvents",
    }
    assert failing.text == '{"errors":[{"message":"out of range"}]}\n400 AWSEvents.PutEvents'
    passing = compile_template(template).render(body='{"ok": true}')
    assert passing.overrides == Overrides()
    assert passing.text == '{"ok":true}\n '


def test_status_override_given_as_text() -> None:
    assert overrides("#set($context.responseOverride.status = '404')").response_status == 404
    with pytest.raises(TemplateError, match=r"responseOverride\.status"):
        overrides("#set($context.responseOverride.status = 'teapot')")


def test_an_override_may_be_set_only_once() -> None:
    template = (
        "#set($context.responseOverride.header.a = '1')\n#set($context.responseOverride.header.a = '2')\n"
    )
    with pytest.raises(TemplateError, match="already set"):
        render(template)


def test_overrides_do_not_leak_between_renders() -> None:
    template = compile_template(
        "#if($input.params('x') == 'y')#set($context.responseOverride.status = 201)#end"
    )
    assert template.render(params=RequestParams(querystring={"x": "y"})).overrides.response_status == 201
    assert template.render().overrides.response_status is None
    assert template.render(params=RequestParams(querystring={"x": "y"})).overrides.response_status == 201


# --- Java-style values ------------------------------------------------------------------------------


def test_java_rendering_of_values() -> None:
    template = (
        "#set($map = {'a': 1, 'b': ['x', 'y'], 'c': true, 'd': 2.5})$map|$map.b|$map.c|$input.path('$.big')"
    )
    assert render(template, body='{"big": 1e20}') == "{a=1, b=[x, y], c=true, d=2.5}|[x, y]|true|1.0E20"
    assert render("#set($l = [1, 2])$l $l.isEmpty() false $input.path('$.a')", body='{"a": [1, 2]}') == (
        "[1, 2] false false [1,2]"
    )


def test_json_objects_print_as_maps_with_json_arrays() -> None:
    assert render("$input.path('$')", body='{"a": 1, "b": [{"c": 5}], "d": {"e": null}}') == (
        '{a=1, b=[{"c":5}], d={e=null}}'
    )


def test_null_and_undefined_references_render_empty() -> None:
    assert render("[$foo][$!foo][${foo}][$!{foo}][$foo.bar()][$input.path('$.nope')]", body="{}") == (
        "[][][][][][]"
    )
    assert render("${foo|'fallback'} costs $5 and $ signs") == "fallback costs $5 and $ signs"


STRINGS = [
    ("$s.length()", "11"),
    ("$s.substring(6)", "World"),
    ("$s.substring(0, 5)", "Hello"),
    ("$s.indexOf('o')", "4"),
    ("$s.indexOf('o', 5)", "7"),
    ("$s.lastIndexOf('o')", "7"),
    ("$s.indexOf('zz')", "-1"),
    ("$s.contains('lo W')", "true"),
    ("$s.startsWith('Hell')", "true"),
    ("$s.endsWith('x')", "false"),
    ("$s.toLowerCase()", "hello world"),
    ("$s.toUpperCase()", "HELLO WORLD"),
    ("$padded.trim()", "x y"),
    ("$s.replace('l', 'L')", "HeLLo WorLd"),
    ("$s.replaceAll('[aeiou]', '*')", "H*ll* W*rld"),
    ("$s.replaceAll('(\\w+) (\\w+)', '$2 $1')", "World Hello"),
    ("$s.replaceFirst('l', '_')", "He_lo World"),
    ("$csv.split(',')", "[a, b, , c]"),
    ("$csv.split(',').size()", "4"),
    ("$s.split(' ')[1]", "World"),
    ("$s.matches('H.*d')", "true"),
    ("$s.matches('H')", "false"),
    ("$s.equals('Hello World')", "true"),
    ("$s.equalsIgnoreCase('hello world')", "true"),
    ("$s.isEmpty()", "false"),
    ("$empty.isEmpty()", "true"),
    ("$s.charAt(1)", "e"),
    ("$s.concat('!')", "Hello World!"),
    ("$s.toString()", "Hello World"),
    ("$s.empty", "false"),
]


@pytest.mark.parametrize(("expression", "expected"), STRINGS)
def test_java_string_methods(expression: str, expected: str) -> None:
    setup = "#set($s = 'Hello World')#set($padded = '  x y \t')#set($csv = 'a,b,,c,,')#set($empty = '')"
    assert render(setup + expression) == expected


def test_string_method_errors_fail_the_template() -> None:
    with pytest.raises(TemplateError, match="substring"):
        render("#set($s = 'abc')$s.substring(5)")
    with pytest.raises(TemplateError, match="line 2, column 1"):
        render("#set($s = 'abc')\n$s.charAt(9)")
    with pytest.raises(TemplateError, match="replaceAll"):
        render("#set($s = 'abc')$s.replaceAll('(', 'x')")


def test_list_methods() -> None:
    template = (
        "#set($l = ['a', 'b'])\n"
        "$l.size() $l.get(1) $l.isEmpty() $l.contains('b') $l.contains('z') $l.indexOf('b')\n"
        "#set($added = $l.add('c'))\n"
        "#set($old = $l.set(0, 'A'))\n"
        "$added $l $old $l.subList(1, 3) $l.add('d') $l.remove('d') $l.remove(0) $l"
    )
    assert render(template) == "2 b false true false 1\ntrue [A, b, c] a [b, c] true true A [b, c]"


def test_map_methods_and_entries() -> None:
    template = (
        "#set($m = {'k1': 'v1', 'k2': 2})"
        "$m.size() $m.get('k1') $m.k2 $m.keySet() $m.values() $m.containsKey('k2') $m.containsKey('x') "
        "$m.isEmpty() $m.entrySet() "
        "#foreach($e in $m.entrySet())$e.key:$e.value;#end\n"
        "#set($prev = $m.put('k1', 'new'))\n"
        "$prev $m.put('k3', 3)|$m"
    )
    assert render(template) == (
        "2 v1 2 [k1, k2] [v1, 2] true false false [k1=v1, k2=2] k1:v1;k2:2;v1 |{k1=new, k2=2, k3=3}"
    )


def test_to_string_of_payload_objects() -> None:
    template = (
        "$input.path('$').toString()|$input.path('$.a').toString()|$input.path('$').toString().contains('x=')"
    )
    assert render(template, body='{"x": "y", "a": ["b"]}') == '{x=y, a=["b"]}|["b"]|true'


# --- directives -------------------------------------------------------------------------------------


def test_foreach_counters_and_has_next() -> None:
    template = "#foreach($x in ['a', 'b', 'c'])$velocityCount:$foreach.index:$x#if($foreach.hasNext),#end#end"
    assert render(template) == "1:0:a,2:1:b,3:2:c"
    assert (
        render("#foreach($x in [1..3])$foreach.first/$foreach.last #end")
        == "true/false false/false false/true "
    )


def test_foreach_over_a_map_walks_its_values() -> None:
    assert render("#foreach($v in $input.path('$'))$v;#end", body='{"a": 1, "b": "two"}') == "1;two;"
    assert render("#foreach($k in $input.path('$').keySet())$k;#end", body='{"a": 1, "b": 2}') == "a;b;"


def test_foreach_over_null_or_scalars_does_nothing() -> None:
    assert render("[#foreach($x in $nothing)$x#end][#foreach($x in 'abc')$x#end]") == "[][]"
    assert render("[#foreach($x in [1..$nothing])$x#end]") == "[]"


def test_ranges() -> None:
    assert render("#set($n = 2)#foreach($i in [3..1])$i#end #foreach($i in [0..$n])$i#end") == "321 012"
    with pytest.raises(TemplateError, match="more than 1000000 items"):
        render("#foreach($i in [1..2000000])#end")


def test_foreach_keeps_set_variables_and_restores_the_loop_variable() -> None:
    template = "#set($x = 'outer')#foreach($x in [1, 2])#set($last = $x)#end$x $last"
    assert render(template) == "outer 2"


def test_nested_foreach_and_parent_scope() -> None:
    template = "#foreach($a in [1, 2])#foreach($b in ['x', 'y'])$a$b($foreach.parent.count) #end#end"
    assert render(template) == "1x(1) 1y(1) 2x(2) 2y(2) "


def test_break_leaves_the_innermost_loop() -> None:
    template = "#foreach($a in [1, 2])#foreach($b in [1, 2, 3])#if($b == 2)#break#end$a$b #end|#end"
    assert render(template) == "11 |21 |"


def test_break_outside_a_loop_and_stop_end_the_template() -> None:
    assert render("a#break b") == "a"
    assert render("a#stop b #set($context.responseOverride.status = 500)") == "a"
    assert overrides("a#stop b #set($context.responseOverride.status = 500)").response_status is None


def test_if_elseif_else_and_velocity_truthiness() -> None:
    template = "#foreach($v in [true, false, 0, '', 'x'])#if($v)T#elseif($v == false)F#else?#end#end"
    assert render(template) == "TFTTT"
    assert render("#if($missing)yes#else no#end") == " no"
    assert render("#if(!$missing && 1 < 2 || false)ok#end") == "ok"
    assert render(
        "#if($input.path('$.a') == 5 and $input.path('$.b') != 'x')both#end", body='{"a": 5, "b": "y"}'
    ) == ("both")


def test_equality_between_types_compares_strings() -> None:
    assert render("#if(5 == '5')eq#end #if(1 == 1.0)num#end #if('a' != 'b')ne#end") == "eq num ne"


def test_arithmetic_is_java_arithmetic() -> None:
    template = "#set($a = 7)#set($b = 2)#set($x = $a / $b)#set($y = $a % $b)#set($z = $a * $b - 1)$x $y $z"
    assert render(template) == "3 1 13"
    assert render("#set($n = 0 - 7)#set($q = $n / 2)#set($r = $n % 2)$q $r") == "-3 -1"
    assert render("#set($s = 'n' + 1)#set($f = 7.0 / 2)#set($d = 1 / 0)$s $f [$d]") == "n1 3.5 []"
    assert render("#set($i = $input.path('$.n') + 1)$i", body='{"n": 41}') == "42"


def test_set_with_null_keeps_the_previous_value() -> None:
    assert render("#set($a = 'kept')#set($a = $input.path('$.missing'))$a", body="{}") == "kept"


def test_string_literals_are_raw_like_velocity() -> None:
    assert render("#set($a = 'it''s')$a") == "it's"
    assert render('#set($a = "say ""hi""")$a') == 'say "hi"'
    assert render("#set($a = 'a\\nb')$a.length()") == "4"
    assert render('#set($who = "you")#set($a = "hi $who!")$a') == "hi you!"


def test_set_line_leaves_no_blank_line() -> None:
    assert render("a\n  #set($x = 1)\nb $x\n") == "a\nb 1\n"
    assert render("a  #set($x = 1)b") == "a  b"


def test_identifiers_may_contain_hyphens_like_velocity_1_7() -> None:
    assert render("#set($a-b = 3)$a-b ${a}-b #set($c = $a-b - 1)$c") == "3 -b 2"
    assert render("#set($x = 1)$x(1) $x.y(2)") == "1(1) "


def test_define_and_macro() -> None:
    assert render("#define($greet)Hello $name#end#set($name = 'Ann')$greet") == "Hello Ann"
    assert render("#macro(tag $name)<$name/>#end#tag('br')#tag(\"hr\")") == "<br/><hr/>"


def test_comments_are_dropped() -> None:
    assert render("a## comment\nb#* block\ncomment *#c") == "abc"


def test_python_internals_are_not_reachable() -> None:
    template = "[$input.__class__][$util.__init__()][$input._params][$context.keys()][$input.body.__len__()]"
    assert render(template, body="x", context={"a": 1}) == "[][][][][]"


# --- errors and reuse -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("#if($a) x", 1, 10),
        ("ok\n#foreach($x in) #end", 2, 12),
        ('{\n  "a": #set($a = )\n}', 2, 18),
        ("${a", 1, 4),
        ("#end", 1, 1),
    ],
)
def test_syntax_errors_report_line_and_column(source: str, line: int, column: int) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template(source)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert f"line {line}, column {column}" in str(caught.value)


def test_runtime_errors_are_template_errors() -> None:
    with pytest.raises(TemplateError, match="Index 5 out of bounds"):
        render("$input.path('$.a').get(5)", body='{"a": [1]}')
    with pytest.raises(TemplateError, match="must start with"):
        render("$input.json('a.b')", body="{}")
    with pytest.raises(TemplateError, match="no loader"):
        render("#include('other.vm')")


def test_a_compiled_template_renders_many_requests() -> None:
    template = compile_template('{"id": "$input.params(\'id\')", "n": $input.json(\'$.n\')}')
    outputs = [
        template.render(body=f'{{"n": {n}}}', params=RequestParams(path={"id": str(n)})).text
        for n in range(3)
    ]
    assert outputs == ['{"id": "0", "n": 0}', '{"id": "1", "n": 1}', '{"id": "2", "n": 2}']
    assert template.source.startswith('{"id"')
