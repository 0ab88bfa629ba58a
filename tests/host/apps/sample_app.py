"""A function app exercising every trigger type; records what it was called with."""

from __future__ import annotations

import threading

import azure.functions as func

app = func.FunctionApp()
CALLS: list[tuple[str, object]] = []
RELEASE = threading.Event()


@app.queue_trigger(arg_name="msg", queue_name="%WORK_QUEUE%", connection="AzureWebJobsStorage")
def work(msg: func.QueueMessage) -> None:
    body = msg.get_body()
    CALLS.append(("work", (body, msg.dequeue_count)))
    if body.startswith(b"fail"):
        raise RuntimeError("asked to fail")


@app.blob_trigger(
    arg_name="blob",
    path="%WATCHED%/{key}/manifest.json",
    connection="AzureWebJobsStorage",
    source=func.BlobSource.EVENT_GRID,
)
def watched(blob: func.InputStream) -> None:
    data = blob.read()
    CALLS.append(("blob", (blob.name, data)))
    if data == b"fail":
        raise RuntimeError("asked to fail")


@app.timer_trigger(arg_name="timer", schedule="%SCHEDULE%", run_on_startup=False)
def tick(timer: func.TimerRequest) -> None:
    CALLS.append(("tick", timer.past_due))


@app.route(route="hello/{name}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
def hello(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(f"hello {req.route_params['name']}", mimetype="text/plain")


@app.route(route="open", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def open_door(req: func.HttpRequest) -> func.HttpResponse:
    return func.HttpResponse(req.get_body(), status_code=202)


@app.queue_trigger(arg_name="msg", queue_name="%SLOW_QUEUE%", connection="AzureWebJobsStorage")
def slow(msg: func.QueueMessage) -> None:
    CALLS.append(("slow", msg.get_body()))
    RELEASE.wait(timeout=30)
