"""parse of the training handler: the tar the async endpoint reads from InputLocation (matrix I-series)."""
import tarfile
import unittest

from tests.loader import JPEG, PNG, WEBP, load_module
from tests.tar_fixtures import build_tar, config_entry, photos

tar_input = load_module("training/tar_input.py", "dq_training_tar_input")
parse = tar_input.parse_training_tar
Error = tar_input.TrainingInputError


class ValidTarTest(unittest.TestCase):
    def test_returns_images_sorted_by_name_and_fills_config_defaults(self):
        data = build_tar([("b.jpg", JPEG), ("a.png", PNG), ("c.webp", WEBP), config_entry({"n_steps": 800, "class_prompt": "a photo of a man"})])
        result = parse(data)
        self.assertEqual([name for name, _ in result.images], ["a.png", "b.jpg", "c.webp"])
        self.assertEqual(result.images[1][1], JPEG)
        self.assertEqual(result.config["n_steps"], 800)
        self.assertEqual(result.config["class_prompt"], "a photo of a man")
        self.assertEqual(result.config["lora_r"], 128)
        self.assertEqual(result.config["concept_prompt"], "photo of <<TOK>>")

    def test_accepts_gzip_a_dot_slash_prefix_and_no_config(self):
        data = build_tar([(f"./{name}", body) for name, body in photos(15, "jpeg")], links=[("./", "", tarfile.DIRTYPE)], gzip=True)
        result = parse(data)
        self.assertEqual(len(result.images), 15)
        self.assertEqual(result.config, tar_input.CONFIG_DEFAULTS)

    def test_accepts_upper_case_extensions(self):
        self.assertEqual(len(parse(build_tar(photos(3, "JPG"))).images), 3)


class ImageCountTest(unittest.TestCase):
    def test_rejects_too_few_images(self):
        with self.assertRaisesRegex(Error, "expected 3-20 images at the tar root, found 2"):
            parse(build_tar(photos(2)))

    def test_rejects_too_many_images(self):
        with self.assertRaisesRegex(Error, "found 21"):
            parse(build_tar(photos(21)))

    def test_rejects_too_many_entries_before_reading_them_all(self):
        with self.assertRaisesRegex(Error, "too many entries"):
            parse(build_tar(photos(65)))


class FileTypeTest(unittest.TestCase):
    def test_rejects_unexpected_extensions_by_name(self):
        with self.assertRaisesRegex(Error, r"unexpected file\(s\) in input: notes.txt, x.gif"):
            parse(build_tar(photos(3) + [("notes.txt", b"hi"), ("x.gif", b"GIF89a")]))

    def test_rejects_content_that_does_not_match_the_extension(self):
        with self.assertRaisesRegex(Error, "image 01.jpg is not a JPG file"):
            parse(build_tar([("00.jpg", JPEG), ("01.jpg", PNG), ("02.jpg", JPEG)]))

    def test_rejects_oversized_images_from_the_header(self):
        big = JPEG + b"\x00" * (tar_input.MAX_IMAGE_BYTES)
        with self.assertRaisesRegex(Error, "00.jpg is .* bytes; the limit is"):
            parse(build_tar([("00.jpg", big)] + photos(3)[1:]))

    def test_rejects_duplicate_names(self):
        with self.assertRaisesRegex(Error, "duplicate entry 00.jpg"):
            parse(build_tar(photos(3) + [("00.jpg", JPEG)]))

    def test_rejects_bytes_that_are_not_a_tar(self):
        with self.assertRaisesRegex(Error, "not a readable tar archive"):
            parse(b"this is not a tar archive at all" * 40)


class HostileTarTest(unittest.TestCase):
    """Security checklist 'Uploads and archives': traversal, absolute paths, links and devices are refused."""

    def test_rejects_parent_directory_traversal(self):
        with self.assertRaisesRegex(Error, r"path traversal in input: \.\./evil.jpg"):
            parse(build_tar(photos(3) + [("../evil.jpg", JPEG)]))

    def test_rejects_traversal_hidden_in_the_middle_of_a_path(self):
        with self.assertRaisesRegex(Error, "path traversal"):
            parse(build_tar(photos(3) + [("a/../../evil.jpg", JPEG)]))

    def test_rejects_absolute_paths(self):
        with self.assertRaisesRegex(Error, "absolute or non-POSIX path in input: /etc/evil.jpg"):
            parse(build_tar(photos(3) + [("/etc/evil.jpg", JPEG)]))

    def test_rejects_symlinks_even_with_an_image_name(self):
        with self.assertRaisesRegex(Error, r"unsupported tar entry 03.jpg \(symlink\)"):
            parse(build_tar(photos(3), links=[("03.jpg", "/etc/passwd", tarfile.SYMTYPE)]))

    def test_rejects_hardlinks(self):
        with self.assertRaisesRegex(Error, r"\(hardlink\)"):
            parse(build_tar(photos(3), links=[("03.jpg", "00.jpg", tarfile.LNKTYPE)]))

    def test_rejects_device_files(self):
        with self.assertRaisesRegex(Error, r"\(device\)"):
            parse(build_tar(photos(3), links=[("03.jpg", "", tarfile.CHRTYPE)]))

    def test_rejects_nested_paths(self):
        with self.assertRaisesRegex(Error, "images must be at the tar root, found photos/00.jpg"):
            parse(build_tar([("photos/00.jpg", JPEG)] + photos(3)))


class ConfigTest(unittest.TestCase):
    def parse_config(self, config):
        return parse(build_tar(photos(3) + [config_entry(config)]))

    def test_rejects_unknown_keys_so_a_typo_never_trains_with_defaults(self):
        with self.assertRaisesRegex(Error, "config.json is invalid: unknown key nsteps"):
            self.parse_config({"nsteps": 500})

    def test_rejects_wrong_types_naming_the_key(self):
        cases = [
            ({"n_steps": "1000"}, "n_steps: expected int, got str"),
            ({"n_steps": True}, "n_steps: expected int, got boolean"),
            ({"n_steps": 10.5}, "n_steps: expected int, got float"),
            ({"train_text_encoder": "yes"}, "train_text_encoder: expected bool, got str"),
            ({"class_prompt": 7}, "class_prompt: expected str, got int"),
            ({"learning_rate": None}, "learning_rate: expected int, got NoneType"),
        ]
        for config, message in cases:
            with self.subTest(config=config), self.assertRaisesRegex(Error, message):
                self.parse_config(config)

    def test_rejects_out_of_range_values(self):
        cases = [
            ({"lora_r": 2048}, "lora_r: must be between 1 and 1024"),
            ({"learning_rate": 0}, "learning_rate: must be greater than 0"),
            ({"n_steps": 0}, "n_steps: must be between 1 and 10000"),
            ({"concept_prompt": ""}, "concept_prompt: length must be 1-1000"),
        ]
        for config, message in cases:
            with self.subTest(config=config), self.assertRaisesRegex(Error, message):
                self.parse_config(config)

    def test_reports_every_problem_at_once(self):
        with self.assertRaisesRegex(Error, "unknown key x; lora_r: .*n_steps: "):
            self.parse_config({"x": 1, "lora_r": 0, "n_steps": "a"})

    def test_rejects_a_config_that_is_not_a_json_object(self):
        with self.assertRaisesRegex(Error, "config.json must be a JSON object"):
            self.parse_config([1, 2])
        with self.assertRaisesRegex(Error, "config.json is not valid JSON"):
            parse(build_tar(photos(3) + [("config.json", b"{nope")]))

    def test_accepts_integer_learning_rate_and_float_alpha(self):
        config = self.parse_config({"learning_rate": 1, "lora_alpha": 64.5, "face_preprocessing": False}).config
        self.assertEqual((config["learning_rate"], config["lora_alpha"], config["face_preprocessing"]), (1, 64.5, False))


if __name__ == "__main__":
    unittest.main()
