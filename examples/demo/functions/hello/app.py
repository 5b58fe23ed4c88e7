"""GET /hello?name=...: a Lambda proxy integration. Edit the message below and call again: Portico
starts a new instance with the new code (hot reload)."""

import json
import os


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name") or "world"
    body = {
        "message": f"{os.environ['GREETING']}, {name}!",
        "function": context.function_name,
        "requestId": event["requestContext"]["requestId"],
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}
