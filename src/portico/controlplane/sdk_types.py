"""SdkType operations (API Gateway REST API reference: GetSdkTypes, GetSdkType).

The SDK types are those GetSdk documents (`android`, `javascript`, `objectivec`, `swift`, `java`,
`ruby`) with the configuration properties the Developer Guide lists for each ("Generate SDKs for
a REST API"). `ios-objective-c` and `ios-swift` are accepted as aliases by GetSdkType. Portico does
not generate SDKs (GetSdk answers NotImplementedException).
"""

from __future__ import annotations

from typing import Any

from portico.controlplane.apidoc import paginate
from portico.controlplane.errors import NotFoundException
from portico.controlplane.registry import APIGATEWAY, OpContext, Params

Doc = dict[str, Any]


def _prop(name: str, friendly: str, description: str, required: bool = False, default: str = "") -> Doc:
    prop: Doc = {"name": name, "friendlyName": friendly, "description": description, "required": required}
    if default:
        prop["defaultValue"] = default
    return prop


_PREFIX = _prop("classPrefix", "Prefix", "The prefix of the generated class names, e.g. SIMPLE_CALC.", True)

SDK_TYPES: tuple[Doc, ...] = (
    {
        "id": "android",
        "friendlyName": "Android",
        "description": "Java SDK for Android applications",
        "configurationProperties": [
            _prop("groupId", "Group ID", "The group ID of the project in pom.xml, e.g. com.mycompany.", True),
            _prop(
                "invokerPackage",
                "Invoker package",
                "The namespace of the generated client classes, e.g. com.mycompany.clientsdk.",
                True,
            ),
            _prop(
                "artifactId", "Artifact ID", "The name of the compiled .jar file without its version.", True
            ),
            _prop("artifactVersion", "Artifact version", "The artifact version, major.minor.patch.", True),
        ],
    },
    {
        "id": "javascript",
        "friendlyName": "JavaScript",
        "description": "JavaScript SDK for browsers and Node.js",
        "configurationProperties": [],
    },
    {
        "id": "objectivec",
        "friendlyName": "iOS (Objective-C)",
        "description": "Objective-C SDK for iOS applications",
        "configurationProperties": [_PREFIX],
    },
    {
        "id": "swift",
        "friendlyName": "iOS (Swift)",
        "description": "Swift SDK for iOS applications",
        "configurationProperties": [_PREFIX],
    },
    {
        "id": "java",
        "friendlyName": "Java SDK",
        "description": "Java SDK for Java applications",
        "configurationProperties": [
            _prop("serviceName", "Service Name", "The name of the SDK client class, without hyphens.", True),
            _prop("javaPackageName", "Java Package Name", "The namespace of the SDK library.", True),
            _prop(
                "javaBuildSystem", "Java Build System", "The build system: maven or gradle.", default="maven"
            ),
            _prop("javaGroupId", "Java Group Id", "The groupId of the project in pom.xml."),
            _prop("javaArtifactId", "Java Artifact Id", "The artifactId of the project in pom.xml."),
            _prop("javaArtifactVersion", "Java Artifact Version", "The version of the project in pom.xml."),
            _prop(
                "licenseText", "Source Code License Text", "The license text of the generated source code."
            ),
        ],
    },
    {
        "id": "ruby",
        "friendlyName": "Ruby",
        "description": "Ruby SDK for Ruby applications",
        "configurationProperties": [
            _prop("service.name", "Service Name", "The name of the SDK client class.", True),
            _prop("ruby.gem-name", "Ruby Gem Name", "The name of the gem holding the SDK."),
            _prop("ruby.gem-version", "Ruby Gem Version", "The version of the gem."),
        ],
    },
)
ALIASES = {"ios-objective-c": "objectivec", "ios-objectivec": "objectivec", "ios-swift": "swift"}


def find(sdk_type: str) -> Doc:
    wanted = ALIASES.get(sdk_type, sdk_type)
    for item in SDK_TYPES:
        if item["id"] == wanted:
            return item
    raise NotFoundException(f"Invalid SDK type specified: {sdk_type}")


@APIGATEWAY.op("GetSdkTypes", write=False)
async def get_sdk_types(ctx: OpContext, params: Params) -> Doc:
    return paginate(list(SDK_TYPES), params.get("position"), params.get("limit"))


@APIGATEWAY.op("GetSdkType", write=False)
async def get_sdk_type(ctx: OpContext, params: Params) -> Doc:
    return find(params["id"])
