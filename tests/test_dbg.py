import json
def test_dbg(client, app):
    r = client.get("/api/v1/openapi.json")
    print(r.status_code, json.dumps(r.get_json(), indent=1)[:6000])
    r = client.get("/api/v1/roles")
    print(r.status_code, r.headers, r.get_data(as_text=True))
    r = client.get("/api/v1/nothing")
    print(r.status_code, r.headers, r.get_data(as_text=True))
