"""The trivial handler both Portico and serverless-offline serve in bench/lambda_run.py."""

import json


def hello(event, context):
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"hello": "world", "path": event["path"]}),
    }


def slow(event, context):
    import time

    time.sleep(0.5)
    return {"statusCode": 200, "body": "slow"}
