"""/pets and /pets/{id}: a little CRUD through Lambda proxy integrations.

The pets live in this instance's memory: they persist from call to call while the instance is warm
(portico.yaml gives the function a concurrency of 1, so there is one instance), and start over when
it is replaced, e.g. after you edit this file.
"""

import json
import uuid

PETS = {
    "1": {"id": "1", "name": "Rex", "type": "dog"},
    "2": {"id": "2", "name": "Tom", "type": "cat"},
}


def answer(status, body=None):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": "" if body is None else json.dumps(body),
    }


def read_pet(event):
    try:
        pet = json.loads(event.get("body") or "{}")
    except ValueError:
        return None, answer(400, {"message": "the body must be JSON"})
    if not isinstance(pet, dict) or not isinstance(pet.get("name"), str):
        return None, answer(400, {"message": 'a pet needs a "name"'})
    return {key: str(pet[key]) for key in ("name", "type") if key in pet}, None


def handler(event, context):
    method = event["httpMethod"]
    if event["resource"] == "/pets":
        if method == "GET":
            return answer(200, list(PETS.values()))
        pet, error = read_pet(event)
        if error:
            return error
        pet = {"id": uuid.uuid4().hex[:8], "type": "unknown", **pet}
        PETS[pet["id"]] = pet
        return answer(201, pet)
    pet_id = event["pathParameters"]["id"]
    if pet_id not in PETS:
        return answer(404, {"message": f"no pet {pet_id}"})
    if method == "DELETE":
        del PETS[pet_id]
        return answer(204)
    if method == "PUT":
        pet, error = read_pet(event)
        if error:
            return error
        PETS[pet_id] = {**PETS[pet_id], **pet}
    return answer(200, PETS[pet_id])
