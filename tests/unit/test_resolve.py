from portico.dataplane.resolve import Target, resolve
from portico.wire import Request


def req(target: str, host: str = "localhost:4566") -> Request:
    return Request("GET", target, [("Host", host)])


def test_execute_api_host():
    t = resolve(req("/dev/pets/1?x=1", "abc123.execute-api.localhost:4566"))
    assert t == Target("abc123", "dev", "/pets/1", "abc123.execute-api.localhost", "abc123")


def test_aws_path_form():
    t = resolve(req("/_aws/execute-api/abc123/prod/a/b"))
    assert t is not None and (t.api_id, t.stage, t.path) == ("abc123", "prod", "/a/b")


def test_legacy_user_request_form():
    t = resolve(req("/restapis/abc123/dev/_user_request_/pets"))
    assert t is not None and (t.api_id, t.stage, t.path) == ("abc123", "dev", "/pets")
    root = resolve(req("/restapis/abc123/dev/_user_request_"))
    assert root is not None and root.path == "/"


def test_stage_root_and_double_slash_kept():
    t = resolve(req("/dev", "abc.execute-api.localhost"))
    assert t is not None and (t.stage, t.path) == ("dev", "/")
    t = resolve(req("/dev//pets", "abc.execute-api.localhost"))
    assert t is not None and t.path == "//pets"


def test_control_plane_paths_are_not_data_plane():
    assert resolve(req("/restapis/abc/stages")) is None
    assert resolve(req("/apikeys")) is None


def test_custom_domain_base_paths():
    from portico.dataplane.resolve import resolve_custom_domain

    maps = {"(none)": ("api1", "prod"), "v2": ("api2", "beta"), "open": ("api3", None)}
    t = resolve_custom_domain("api.example.com", "/pets/1", maps)
    assert t is not None and (t.api_id, t.stage, t.path, t.custom_domain) == ("api1", "prod", "/pets/1", True)
    t = resolve_custom_domain("api.example.com", "/v2/pets", maps)
    assert t is not None and (t.api_id, t.stage, t.path) == ("api2", "beta", "/pets")
    t = resolve_custom_domain("api.example.com", "/open/dev/x", maps)
    assert t is not None and (t.api_id, t.stage, t.path) == ("api3", "dev", "/x")
    assert resolve_custom_domain("api.example.com", "/x", {"v2": ("a", "b")}) is None
