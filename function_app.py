"""Azure Functions entry points: each trigger decodes its binding and calls one archiver function.

Wiring only. Queue names, the blob path and the schedule come from app settings (%SETTING%), so the
same file runs in Azure and under the local host (`python -m archiver host`).
"""

from __future__ import annotations

import azure.functions as func

from archiver import entrypoints

app = func.FunctionApp()


@app.timer_trigger(arg_name="timer", schedule="%DISCOVERY_SCHEDULE%", run_on_startup=False)
def discover(timer: func.TimerRequest) -> None:
    entrypoints.discover(past_due=timer.past_due)


@app.timer_trigger(arg_name="timer", schedule="%SWEEP_SCHEDULE%", run_on_startup=False)
def reconcile(timer: func.TimerRequest) -> None:
    entrypoints.reconcile(past_due=timer.past_due)


@app.queue_trigger(arg_name="msg", queue_name="%DISCOVERY_QUEUE%", connection="AzureWebJobsStorage")
def discover_users(msg: func.QueueMessage) -> None:
    entrypoints.discover_users(msg.get_body(), dequeue_count=msg.dequeue_count or 1)


@app.queue_trigger(arg_name="msg", queue_name="%MEETINGS_QUEUE%", connection="AzureWebJobsStorage")
def stage_meeting(msg: func.QueueMessage) -> None:
    entrypoints.stage_meeting(msg.get_body(), dequeue_count=msg.dequeue_count or 1)


@app.queue_trigger(arg_name="msg", queue_name="%FILES_QUEUE%", connection="AzureWebJobsStorage")
def stage_file(msg: func.QueueMessage) -> None:
    entrypoints.stage_file(msg.get_body(), dequeue_count=msg.dequeue_count or 1)


# Flex Consumption only supports Event Grid-sourced blob triggers; the path keeps it to manifests,
# which stage_meeting writes last as the commit marker of a staged meeting.
@app.blob_trigger(
    arg_name="manifest",
    path="%STAGING_CONTAINER%/manifests/{key}.json",
    connection="AzureWebJobsStorage",
    source=func.BlobSource.EVENT_GRID,
)
def import_meeting(manifest: func.InputStream) -> None:
    entrypoints.import_meeting(manifest.name or "", manifest.read())


@app.route(route="zoom/webhook", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def zoom_webhook(req: func.HttpRequest) -> func.HttpResponse:
    return _http(entrypoints.zoom_webhook(req.get_body(), dict(req.headers)))


@app.route(route="status", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
def status(req: func.HttpRequest) -> func.HttpResponse:
    return _http(entrypoints.status(dict(req.params)))


@app.route(route="log", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
def log(req: func.HttpRequest) -> func.HttpResponse:
    return _http(entrypoints.run_log(dict(req.params)))


@app.route(route="check", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
def check(req: func.HttpRequest) -> func.HttpResponse:
    return _http(entrypoints.check(dict(req.params)))


def _http(reply: entrypoints.HttpReply) -> func.HttpResponse:
    return func.HttpResponse(
        body=reply.body,
        status_code=reply.status,
        headers=dict(reply.headers),
        mimetype=reply.content_type,
    )
