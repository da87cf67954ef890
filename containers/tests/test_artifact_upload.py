"""artifact.upload_artifact against a real HTTP endpoint that fails: boto3 retries are the only retry layer
(a loop around upload_file multiplied botocore's attempts: 3 × 5 requests for one transient outage)."""
import http.server
import os
import tempfile
import threading
import unittest
from pathlib import Path

from tests.loader import load_module

artifact = load_module("training/artifact.py", "dq_artifact_upload")


class FailingS3(http.server.BaseHTTPRequestHandler):
    status = 503
    requests = 0

    def do_PUT(self):  # noqa: N802 - http.server's naming
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = f"<Error><Code>{'SlowDown' if self.status == 503 else 'AccessDenied'}</Code><Message>no</Message></Error>".encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class UploadRetryTest(unittest.TestCase):
    def setUp(self):
        FailingS3.requests = 0
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FailingS3)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.tmp = tempfile.TemporaryDirectory()
        self.file = Path(self.tmp.name) / "lora-x.tar.gz"
        self.file.write_bytes(b"x" * 1024)
        self.saved = dict(os.environ)
        (Path(self.tmp.name) / "aws-config").write_text("[default]\ns3 =\n    addressing_style = path\n")
        os.environ.update(
            {
                "AWS_ENDPOINT_URL_S3": f"http://127.0.0.1:{self.server.server_port}",
                "AWS_ACCESS_KEY_ID": "test",
                "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(Path(self.tmp.name) / "aws-config"),
                "AWS_REQUEST_CHECKSUM_CALCULATION": "when_required",
            }
        )

    def tearDown(self):
        os.environ.clear()
        os.environ.update(self.saved)
        self.server.shutdown()
        self.server.server_close()
        self.tmp.cleanup()

    def test_a_transient_failure_is_retried_by_botocore_alone(self):
        FailingS3.status = 503
        self.assertEqual(artifact.UPLOAD_ATTEMPTS, 5)
        saved, artifact.UPLOAD_ATTEMPTS = artifact.UPLOAD_ATTEMPTS, 2  # botocore's backoff grows to 20 s; two attempts show the layering
        try:
            with self.assertRaisesRegex(Exception, "SlowDown"):
                artifact.upload_artifact(self.file, "dreamqueue", "mme-models/lora-x.tar.gz")
        finally:
            artifact.UPLOAD_ATTEMPTS = saved
        self.assertEqual(FailingS3.requests, 2)

    def test_a_permanent_failure_is_not_retried(self):
        FailingS3.status = 403
        with self.assertRaisesRegex(Exception, "AccessDenied"):
            artifact.upload_artifact(self.file, "dreamqueue", "mme-models/lora-x.tar.gz")
        self.assertEqual(FailingS3.requests, 1)


if __name__ == "__main__":
    unittest.main()
