"""The optional LLM engine against a local fake OpenAI-compatible chat-completions server."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from casepilot import llm, tools

pytestmark = pytest.mark.django_db


class FakeServer:
    """Answers POST /v1/chat/completions with scripted replies, one per request, and records requests."""

    def __init__(self):
        self.replies: list = []
        self.requests: list[dict] = []
        self.delay = 0.0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                time.sleep(outer.delay)
                reply = outer.replies.pop(0) if outer.replies else {"error": "no reply scripted"}
                status = reply.pop("_status", 200) if isinstance(reply, dict) else 200
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def tool_call(name: str, arguments, call_id: str = "call_1") -> dict:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {
        "choices": [
            {
                "message": {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}],
                }
            }
        ]
    }


def final(text: str) -> dict:
    return {"choices": [{"message": {"role": "assistant", "content": text}}]}


@pytest.fixture
def fake(settings):
    with FakeServer() as server:
        settings.CASEPILOT_LLM_BASE_URL = server.url
        settings.CASEPILOT_LLM_MODEL = "fake-model"
        settings.CASEPILOT_LLM_API_KEY = "sk-test"
        settings.CASEPILOT_LLM_TIMEOUT = 2
        yield server


def test_it_is_off_without_settings(settings):
    settings.CASEPILOT_LLM_BASE_URL = ""
    assert not llm.configured()


def test_the_model_answers_through_the_tools(fake, pilot_data):
    fake.replies = [
        tool_call("ptp_edit", {"code_a": "43239", "code_b": "43235"}),
        final("No: 43235 is column 2 to 43239 (modifier indicator 0), so it is not paid with it."),
    ]
    answer = llm.answer("Can 43239 and 43235 be billed together?")
    assert answer.engine == "llm"
    assert answer.text.startswith("No: 43235 is column 2 to 43239")
    assert [c.url for c in answer.citations] == [
        "/cpt/43239/edits/?role=column1&setting=practitioner&status=all",
        "/cpt/43239/edits/?role=column1&setting=outpatient&status=all",
    ]
    assert {c.code for c in answer.codes} == {"43239", "43235"}
    # What the model was sent: the tools, then the tool's facts.
    first, second = fake.requests
    assert first["path"] == "/v1/chat/completions"
    assert first["auth"] == "Bearer sk-test"
    assert first["body"]["model"] == "fake-model"
    assert {t["function"]["name"] for t in first["body"]["tools"]} >= {"lookup_code", "ptp_edit", "mue", "fee_schedule"}
    tool_message = second["body"]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_1"
    assert "Modifier indicator 0: Not allowed" in " ".join(json.loads(tool_message["content"])["facts"])


def test_bad_tool_arguments_are_sent_back_as_errors(fake, pilot_data):
    fake.replies = [
        tool_call("mue", "{not json"),
        tool_call("mue", {"units": 3}, call_id="call_2"),
        tool_call("no_such_tool", {}, call_id="call_3"),
        tool_call("mue", {"code": "J1100", "units": "many"}, call_id="call_4"),
        tool_call("mue", {"code": "J1100"}, call_id="call_5"),
        final("J1100 has an MUE of 120 units per day."),
    ]
    answer = llm.answer("How many units of J1100?")
    assert answer.engine == "llm"
    errors = [json.loads(r["body"]["messages"][-1]["content"]) for r in fake.requests[1:5]]
    assert errors == [
        {"error": "The arguments were not valid JSON."},
        {"error": "Missing arguments: code."},
        {"error": "Unknown tool 'no_such_tool'."},
        {"error": "Argument units must be a integer."},
    ]
    assert answer.citations[0].url == "/hcpcs/J1100/"


def test_invented_codes_are_stripped(fake, pilot_data):
    fake.replies = [
        tool_call("lookup_code", {"code": "E11"}),
        final("Use E11.9 or E11.21, or maybe E11.99 or 99999 for this."),
    ]
    answer = llm.answer("Which diabetes code?")
    assert "E11.9" in answer.text
    assert "E11.21" in answer.text
    assert "E11.99" not in answer.text
    assert "99999" not in answer.text
    assert answer.text.count("[code removed]") == 2
    assert {c.code for c in answer.codes} == {"E11.9", "E11.21"}


def test_a_timeout_falls_back_to_the_default_engine(fake, pilot_data, settings):
    settings.CASEPILOT_LLM_TIMEOUT = 0.3
    fake.delay = 1.0
    fake.replies = [final("too late")]
    answer = llm.answer("Is E11 billable?")
    assert answer.engine == "default"
    assert "E11 (Type 2 diabetes mellitus) is not billable" in answer.text


@pytest.mark.parametrize("reply", [{"_status": 500, "error": "boom"}, {"choices": []}, final("   ")])
def test_a_server_error_or_bad_reply_falls_back(fake, pilot_data, reply):
    fake.replies = [reply]
    answer = llm.answer("What is CPT code 99213?")
    assert answer.engine == "default"
    assert "99213" in answer.text


def test_an_unreachable_server_falls_back(settings, pilot_data):
    settings.CASEPILOT_LLM_BASE_URL = "http://127.0.0.1:9/v1"
    settings.CASEPILOT_LLM_MODEL = "fake-model"
    assert llm.answer("Is E11 billable?").engine == "default"


def test_the_page_uses_the_llm_and_redacts_phi_before_sending(fake, pilot_data, client, settings):
    settings.CASEPILOT_RATE = "1000/m"
    fake.replies = [tool_call("is_billable", {"code": "E11"}), final("E11 is not billable; E11.9 is.")]
    response = client.post("/casepilot/", {"question": "Patient: John Smith, DOB 01/02/1950. Is E11 billable?"})
    assert response.status_code == 200
    assert "E11 is not billable; E11.9 is." in response.content.decode()
    sent = json.dumps(fake.requests[0]["body"]["messages"])
    assert "Smith" not in sent
    assert "1950" not in sent


def test_the_llm_engine_streams_progress_for_each_tool_call(fake, pilot_data):
    fake.replies = [tool_call("mue", {"code": "J1100"}), final("J1100: 120 units per day.")]
    events = list(llm.run("How many units of J1100?"))
    assert events[0] == ("progress", "Checking the MUEs of J1100…")
    assert [kind for kind, _ in events] == ["progress", "text", "done"]


def test_the_model_gets_no_locked_details_past_the_cap(fake, pilot_data):
    codes = ["E11.9", "E11.21", "I21.4", "M48.56XA"]
    fake.replies = [
        *(tool_call("icd10cm_notes", {"code": c}, call_id=f"call_{i}") for i, c in enumerate(codes)),
        final("Here are the notes."),
    ]
    answer = llm.answer("Notes of E11.9, E11.21, I21.4 and M48.56XA", cap=tools.DetailCap(3, "guest"))
    sent = [json.loads(r["body"]["messages"][-1]["content"]) for r in fake.requests[1:]]
    assert [bool(s["facts"]) for s in sent] == [True, True, True, False]
    assert sent[3]["data"]["withheld"] == ["M48.56XA"]
    assert "Not shown for 1 more code: M48.56XA" in answer.text
    assert "M48.56XA" in {c.code for c in answer.codes}


def test_the_model_calls_the_coders_method_tools(fake, pilot_data):
    fake.replies = [
        tool_call("drug_units", {"code": "J1100", "dose": "10 mg"}),
        tool_call("coding_rules", {"question": "What does Excludes1 mean?"}, call_id="call_2"),
        final("Bill 10 units of J1100."),
    ]
    answer = llm.answer("Dexamethasone 10 mg: units of J1100? And what is Excludes1?")
    assert answer.engine == "llm"
    facts = [json.loads(r["body"]["messages"][-1]["content"])["facts"] for r in fake.requests[1:]]
    assert facts[0][0].startswith("10 units of J1100")
    assert "I.A.12.a" in " ".join(facts[1])
    assert {"code_case", "pair_check", "drug_units", "coding_rules"} <= {
        t["function"]["name"] for t in fake.requests[0]["body"]["tools"]
    }
