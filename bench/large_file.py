"""One meeting with one N MB recording, end to end through the local host, against a raw copy.

Reports the archiver's peak RSS, wall time and MB/s, and the same bytes moved by a minimal loop
with the same SDKs (sim download -> Azurite blocks -> sim upload session when it fits in a mailbox)
measured in the same run. Last line: JSON with peak_rss_mb and throughput_ratio.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import Bench, print_table

MIB = 1024 * 1024


def seed(bench: Bench, size_mb: int) -> str:
    sims = bench.sims
    sims.control("POST", "/zoom/users", {"id": "host", "email": "ann@contoso.com"})
    sims.control("POST", "/m365/mailboxes", {"address": "ann@contoso.com"})
    # The raw copy uploads to another mailbox: each has its own 150 MB / 5 min upload budget.
    sims.control("POST", "/m365/mailboxes", {"address": "raw@contoso.com"})
    start = (datetime.now(UTC) - timedelta(hours=3)).isoformat()
    meeting = sims.control(
        "POST",
        "/zoom/meetings",
        {
            "uuid": "large-file==",
            "id": 81000000000,
            "host_id": "host",
            "topic": "large file",
            "start_time": start,
            "participants": [{"name": "Ann", "email": "ann@contoso.com"}],
            "files": [{"file_type": "MP4", "size": size_mb * MIB}],
        },
    )
    return str(meeting["files"][0]["id"])


def raw_copy(bench: Bench, size: int) -> float:
    """Seconds for the minimal loop: download -> stage blocks -> (upload session)."""
    from azure.storage.blob import BlobBlock, BlobServiceClient

    env, ca = bench.values, bench.values["REQUESTS_CA_BUNDLE"]
    os.environ["REQUESTS_CA_BUNDLE"] = ca  # msal's own session trusts the simulators' CA
    started = time.perf_counter()
    session = requests.Session()
    auth = base64.b64encode(
        f"{env['ZOOM_CLIENT_ID']}:{env['ZOOM_CLIENT_SECRET']}".encode()
    ).decode()
    token = session.post(
        env["ZOOM_OAUTH_URL"],
        params={"grant_type": "account_credentials", "account_id": env["ZOOM_ACCOUNT_ID"]},
        headers={"Authorization": f"Basic {auth}"},
        verify=ca,
    ).json()["access_token"]
    recordings = session.get(
        f"{env['ZOOM_API_URL']}/meetings/large-file%3D%3D/recordings",
        headers={"Authorization": f"Bearer {token}"},
        verify=ca,
    ).json()
    url = recordings["recording_files"][0]["download_url"]
    blob = BlobServiceClient.from_connection_string(
        env["AzureWebJobsStorage"]
    ).get_container_client("rawcopy")
    if not blob.exists():
        blob.create_container()
    client = blob.get_blob_client("file")
    blocks, buffer = [], bytearray()
    with session.get(
        url, headers={"Authorization": f"Bearer {token}"}, stream=True, verify=ca
    ) as response:
        for chunk in response.iter_content(MIB):
            buffer += chunk
            if len(buffer) >= 4 * MIB:
                name = base64.b64encode(f"{len(blocks):08d}".encode()).decode()
                client.stage_block(name, bytes(buffer[: 4 * MIB]))
                blocks.append(BlobBlock(name))
                del buffer[: 4 * MIB]
    if buffer:
        name = base64.b64encode(f"{len(blocks):08d}".encode()).decode()
        client.stage_block(name, bytes(buffer))
        blocks.append(BlobBlock(name))
    client.commit_block_list(blocks)
    if size <= 150 * MIB:
        _raw_upload(bench, session, client, size)
    return time.perf_counter() - started


def _raw_upload(bench: Bench, session: requests.Session, blob, size: int) -> None:  # type: ignore[no-untyped-def]
    import msal

    env, ca = bench.values, bench.values["REQUESTS_CA_BUNDLE"]
    app = msal.ConfidentialClientApplication(
        env["GRAPH_CLIENT_ID"],
        authority=f"{env['GRAPH_AUTHORITY_HOST']}/{env['GRAPH_TENANT_ID']}",
        client_credential=env["GRAPH_CLIENT_SECRET"],
        instance_discovery=False,
    )
    token = app.acquire_token_for_client(scopes=["https://127.0.0.1/.default"])["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    base = f"{env['GRAPH_URL']}/users/raw@contoso.com"
    message = session.post(
        f"{base}/mailFolders/inbox/messages", json={"subject": "raw"}, headers=headers, verify=ca
    ).json()
    upload = session.post(
        f"{base}/messages/{message['id']}/attachments/createUploadSession",
        json={"AttachmentItem": {"attachmentType": "file", "name": "raw.mp4", "size": size}},
        headers=headers,
        verify=ca,
    ).json()["uploadUrl"]
    chunk = 12 * 320 * 1024
    for offset in range(0, size, chunk):
        length = min(chunk, size - offset)
        data = blob.download_blob(offset=offset, length=length).readall()
        session.put(
            upload,
            data=data,
            verify=ca,
            headers={"Content-Range": f"bytes {offset}-{offset + length - 1}/{size}"},
        ).raise_for_status()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size-mb", type=int, default=2048)
    args = parser.parse_args()
    size = args.size_mb * MIB
    with tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
        bench = Bench(Path(tmp))
        try:
            seed(bench, args.size_mb)
            settings = bench.write_settings(FALLBACK_MAILBOX="ann@contoso.com")
            archiver = bench.run_archiver(
                "run", "--once", "--settings", str(settings), "--timeout", "3600"
            )
            raw_s = raw_copy(bench, size)
        finally:
            bench.close()
    path = "upload session" if size <= 150 * MIB else "archive container (OVERSIZE_POLICY=link)"
    mbps, raw_mbps = args.size_mb / archiver.wall_s, args.size_mb / raw_s
    print_table(
        [
            ("file", f"{args.size_mb} MB -> staging/archive blob -> {path}"),
            (
                "archiver wall",
                f"{archiver.wall_s:.1f} s ({mbps:.1f} MB/s), exit {archiver.returncode}",
            ),
            ("archiver peak RSS", f"{archiver.peak_rss_mb:.0f} MB"),
            ("archiver CPU", f"{archiver.cpu_s:.1f} s"),
            ("raw copy wall", f"{raw_s:.1f} s ({raw_mbps:.1f} MB/s)"),
            ("throughput ratio", f"{mbps / raw_mbps:.2f} (archiver / raw)"),
        ]
    )
    print(
        json.dumps(
            {
                "size_mb": args.size_mb,
                "peak_rss_mb": round(archiver.peak_rss_mb, 1),
                "archiver_mb_s": round(mbps, 2),
                "raw_mb_s": round(raw_mbps, 2),
                "throughput_ratio": round(mbps / raw_mbps, 3),
                "ok": archiver.returncode == 0,
            }
        )
    )
    return 0 if archiver.returncode == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
