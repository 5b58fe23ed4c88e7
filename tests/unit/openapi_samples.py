"""OpenAPI definitions shared by the import/export unit and integration tests."""

from __future__ import annotations

import json
from typing import Any

LAMBDA_URI = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"
)

# OpenAPI 2.0 using every API-level and operation-level extension REST APIs support.
SWAGGER: dict[str, Any] = {
    "swagger": "2.0",
    "info": {"title": "pets-v2", "description": "Pet store", "version": "1.2.3"},
    "basePath": "/v1",
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "x-amazon-apigateway-api-key-source": "AUTHORIZER",
    "x-amazon-apigateway-binary-media-types": ["image/png", "application/octet-stream"],
    "x-amazon-apigateway-minimum-compression-size": 1024,
    "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": True},
    "x-amazon-apigateway-importexport-version": "1.0",
    "x-amazon-apigateway-policy": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": ["execute-api:/*"],
            }
        ],
    },
    "x-amazon-apigateway-request-validators": {
        "all": {"validateRequestBody": True, "validateRequestParameters": True},
        "params-only": {"validateRequestBody": False, "validateRequestParameters": True},
    },
    "x-amazon-apigateway-request-validator": "params-only",
    "x-amazon-apigateway-gateway-responses": {
        "DEFAULT_4XX": {
            "responseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
            "responseTemplates": {"application/json": '{"message": $context.error.messageString}'},
        },
        "INVALID_API_KEY": {"statusCode": "429"},
    },
    "x-amazon-apigateway-documentation": {
        "version": "1.0",
        "documentationParts": [
            {"location": {"type": "API"}, "properties": {"description": "API description"}},
            {
                "location": {"type": "METHOD", "path": "/pets", "method": "GET"},
                "properties": {"summary": "List"},
            },
        ],
    },
    "tags": [{"name": "owner", "x-amazon-apigateway-tag-value": "team-a"}, {"name": "grouping-only"}],
    "securityDefinitions": {
        "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        "sigv4": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "awsSigv4",
        },
        "token-auth": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "oauth2",
            "x-amazon-apigateway-authorizer": {
                "type": "token",
                "authorizerUri": LAMBDA_URI.format(name="auth"),
                "identityValidationExpression": "^Bearer .+",
                "authorizerResultTtlInSeconds": 60,
            },
        },
        "cognito": {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {
                "type": "cognito_user_pools",
                "providerARNs": ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"],
            },
        },
    },
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {"name": "type", "in": "query", "required": False, "type": "string"},
                    {"name": "X-Trace", "in": "header", "required": True, "type": "string"},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "schema": {"$ref": "#/definitions/Pets"},
                        "headers": {"X-Count": {"type": "string"}},
                    }
                },
                "security": [{"api_key": []}],
                "x-amazon-apigateway-integration": {
                    "type": "http",
                    "httpMethod": "GET",
                    "uri": "http://petstore.example.com/pets",
                    "requestParameters": {
                        "integration.request.querystring.type": "method.request.querystring.type"
                    },
                    "passthroughBehavior": "when_no_templates",
                    "timeoutInMillis": 5000,
                    "cacheKeyParameters": ["method.request.querystring.type"],
                    "tlsConfig": {"insecureSkipVerification": True},
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseParameters": {
                                "method.response.header.X-Count": "integration.response.header.X-Total"
                            },
                        }
                    },
                },
            },
            "post": {
                "operationId": "createPet",
                "parameters": [
                    {"name": "pet", "in": "body", "required": True, "schema": {"$ref": "#/definitions/Pet"}}
                ],
                "responses": {"201": {"description": "created", "schema": {"$ref": "#/definitions/Pet"}}},
                "security": [{"token-auth": []}],
                "x-amazon-apigateway-request-validator": "all",
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": LAMBDA_URI.format(name="create"),
                    "contentHandling": "CONVERT_TO_TEXT",
                },
            },
        },
        "/pets/{petId}": {
            "parameters": [{"name": "petId", "in": "path", "required": True, "type": "string"}],
            "get": {
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}},
                "security": [{"cognito": ["pets/read"]}],
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": {"application/json": '{"statusCode": 200}'},
                    "responses": {
                        "default": {
                            "statusCode": "200",
                            "responseTemplates": {"application/json": '{"id": "$input.params(\'petId\')"}'},
                        },
                        "4\\d{2}": {"statusCode": "404"},
                    },
                },
            },
            "delete": {
                "security": [{"sigv4": []}],
                "responses": {"204": {"description": "gone"}},
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy",
                    "httpMethod": "DELETE",
                    "uri": "http://petstore.example.com/pets/{petId}",
                    "requestParameters": {"integration.request.path.petId": "method.request.path.petId"},
                },
            },
        },
        "/{proxy+}": {
            "x-amazon-apigateway-any-method": {
                "parameters": [{"name": "proxy", "in": "path", "required": True, "type": "string"}],
                "responses": {},
                "x-amazon-apigateway-auth": {"type": "AWS_IAM"},
                "x-amazon-apigateway-integration": {
                    "type": "http_proxy",
                    "httpMethod": "ANY",
                    "uri": "http://petstore.example.com/{proxy}",
                    "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
                },
            }
        },
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["name"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
        },
        "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
    },
}

SWAGGER_JSON = json.dumps(SWAGGER, indent=2).encode()

# OpenAPI 3.0 in YAML: servers with basePath, requestBody, components, line-numbered errors.
OAS3_YAML = b"""openapi: 3.0.1
info:
  title: pets-v3
  version: "2024-01-01"
servers:
  - url: https://example.com/{basePath}
    variables:
      basePath:
        default: /stage/api
    x-amazon-apigateway-endpoint-configuration:
      vpcEndpointIds: [vpce-0123]
paths:
  /items:
    get:
      parameters:
        - name: limit
          in: query
          required: true
          schema: {type: integer}
      responses:
        200:
          description: list
          headers:
            Link: {schema: {type: string}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Items'}
      security:
        - lambda-request: []
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Link: "'<next>'"
            responseTemplates:
              application/json: '[]'
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name: {type: string}
      responses:
        "201":
          description: created
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        requestTemplates:
          application/json: '{"TableName": "items"}'
        responses:
          default:
            statusCode: "201"
components:
  schemas:
    Item:
      type: object
      properties:
        name: {type: string}
    Items:
      type: array
      items: {$ref: '#/components/schemas/Item'}
  securitySchemes:
    lambda-request:
      type: apiKey
      name: Unused
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: method.request.header.X-User, method.request.querystring.tenant
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:req/invocations
        authorizerResultTtlInSeconds: 0
"""

BROKEN_YAML = b"""openapi: 3.0.1
info:
  title: broken
paths:
  /x:
    get:
      responses: {200: {description: ok}
    post: {}
"""
