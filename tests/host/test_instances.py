"""Two host processes serving one app against the same storage are two instances of it: a blob
version fires once, whichever saw it first, and neither stops serving when the other ends."""

from __future__ import annotations

import time

import pytest
from azure.storage.blob import BlobServiceClient

from archiver.host.blobs import HOSTS_CONTAINER, INCOMPLETE
from archiver.host.loader import load_functions
from archiver.host.runner import Host, default_host_id
from tests.host.support import calls, make_host

pytestmark = pytest.mark.integration


def test_a_running_host_and_run_once_fire_each_blob_once_and_the_host_keeps_serving(
    azurite, tmp_path
) -> None:
    serving = make_host(azurite, tmp_path)
    container = serving.functions[1].binding["path"].split("/")[0]
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    blobs = service.get_container_client(container)
    blobs.create_container()
    # More than twice the blob-trigger slots: the most both instances could have queued.
    names = [f"k{n}/manifest.json" for n in range(20)]
    for name in names:
        blobs.upload_blob(name, name.encode())
    serving.start()
    try:
        once = Host(
            "tests.host.apps.sample_app",
            serving._settings,
            tmp_path / "host.json",
            port=0,
            host_id=serving._host_id,
        )
        assert once.run_once(timeout=60).ok
        fired = sorted(name for name, _ in calls("blob"))
        assert fired == sorted(f"{container}/{name}" for name in names)  # each exactly once
        receipts = service.get_container_client(HOSTS_CONTAINER)
        prefix = f"blobreceipts/{serving._host_id}/"
        stored = list(receipts.list_blobs(name_starts_with=prefix, include=["metadata"]))
        assert len(stored) == len(names)
        assert not [r.name for r in stored if INCOMPLETE in (r.metadata or {})]
        # The instance still running keeps firing new blobs after the other one ended.
        blobs.upload_blob("late/manifest.json", b"late")
        deadline = time.monotonic() + 20
        while (f"{container}/late/manifest.json", b"late") not in calls("blob"):
            assert time.monotonic() < deadline, "the running host stopped firing blob triggers"
            time.sleep(0.1)
    finally:
        serving.stop(grace=5)
    assert len(calls("blob")) == len(names) + 1


def test_the_host_id_is_the_apps_same_settings_same_id_other_names_other_id() -> None:
    settings = {
        "AzureWebJobsStorage": "UseDevelopmentStorage=true",
        "WORK_QUEUE": "work",
        "SLOW_QUEUE": "slow",
        "WATCHED": "watched",
        "SCHEDULE": "0 */5 * * * *",
    }
    module = "tests.host.apps.sample_app"
    one = default_host_id(module, load_functions(module, settings))
    assert one == default_host_id(module, load_functions(module, dict(settings)))
    other = default_host_id(module, load_functions(module, {**settings, "WATCHED": "elsewhere"}))
    assert other != one
    assert len(one) <= 32  # the Functions host's host id limits
    assert one == one.lower()
