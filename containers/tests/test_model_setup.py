"""model_setup: the per-instance bootstrap unpacks safely and only once."""
import io
import tarfile
import tempfile
import unittest
from pathlib import Path

from tests.loader import load_module

setup = load_module("mme/model_setup/1/model.py", "dq_model_setup")


def write_tar(path: Path, entries):
    with tarfile.open(path, "w:gz") as tar:
        for name, body, kind in entries:
            info = tarfile.TarInfo(name)
            info.type = kind
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
            info.size = len(body) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(body) if kind == tarfile.REGTYPE else None)


class SetupInstanceTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.model_dir, self.temp = root / "model_setup" / "1", root / "instance-tmp"
        self.model_dir.mkdir(parents=True)
        self.temp.mkdir()
        (self.model_dir / "sd_env.tar.gz").write_bytes(b"conda-pack")

    def tearDown(self):
        self.tmp.cleanup()

    def base_model(self, entries):
        write_tar(self.model_dir / "stable_diff.tar.gz", entries)

    def test_unpacks_the_conda_pack_and_base_model_into_the_instance_temp_dir(self):
        self.base_model([("stable_diff", b"", tarfile.DIRTYPE), ("stable_diff/model_index.json", b"{}", tarfile.REGTYPE)])
        self.assertEqual(setup.setup_instance(self.model_dir, self.temp), "Model env setup successful.")
        self.assertEqual((self.temp / "conda" / "sd_env.tar.gz").read_bytes(), b"conda-pack")
        self.assertEqual((self.temp / "stable_diff" / "model_index.json").read_text(), "{}")

    def test_a_second_call_on_the_same_instance_changes_nothing(self):
        self.base_model([("stable_diff/model_index.json", b"{}", tarfile.REGTYPE)])
        setup.setup_instance(self.model_dir, self.temp)
        (self.model_dir / "sd_env.tar.gz").write_bytes(b"newer")
        (self.model_dir / "stable_diff.tar.gz").unlink()
        setup.setup_instance(self.model_dir, self.temp)
        self.assertEqual((self.temp / "conda" / "sd_env.tar.gz").read_bytes(), b"conda-pack")

    def test_refuses_a_base_model_archive_that_escapes_its_folder(self):
        cases = [
            ([("stable_diff/../../evil", b"x", tarfile.REGTYPE)], "unsafe path"),
            ([("/abs/evil", b"x", tarfile.REGTYPE)], "unsafe path"),
            ([("stable_diff/link", b"", tarfile.SYMTYPE)], "links and special files"),
            ([("elsewhere/model_index.json", b"{}", tarfile.REGTYPE)], "outside stable_diff/"),
        ]
        for entries, message in cases:
            with self.subTest(message=message):
                self.base_model(entries)
                with self.assertRaisesRegex(setup.ArchiveError, message):
                    setup.setup_instance(self.model_dir, self.temp)
                self.assertFalse((self.temp / "stable_diff").exists())
                self.assertFalse((Path(self.tmp.name) / "evil").exists())

    def test_names_a_missing_pack(self):
        with self.assertRaisesRegex(FileNotFoundError, "stable_diff.tar.gz is missing"):
            setup.setup_instance(self.model_dir, self.temp)

    def test_answers_with_one_message(self):
        self.assertIsNone(setup.parse_request({"input_args": None}))
        self.assertEqual(setup.format_message("ok"), ["ok"])


if __name__ == "__main__":
    unittest.main()
