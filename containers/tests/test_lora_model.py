"""parse / format of the Triton LoRA model: KServe v2 [N,1] tensors in, base64 JPEGs [N,1] out."""
import base64
import json
import unittest

from tests.loader import JPEG, PNG, load_module

lora = load_module("mme/lora/1/model.py", "dq_lora_model")
RequestError = lora.RequestError


def gen_args(seed=1, steps=30, guidance=7.5, **extra):
    return json.dumps({"num_inference_steps": steps, "guidance_scale": guidance, "seed": seed, **extra})


def kserve_body(prompts, negatives=None, args=None, shape=None):
    """The body libs/aws encodeGenerationRequest sends."""
    n = len(prompts)
    tensor = lambda name, data: {"name": name, "shape": shape or [len(data), 1], "datatype": "BYTES", "data": data}  # noqa: E731
    inputs = [tensor("prompt", prompts), tensor("negative_prompt", negatives or [""] * n)]
    inputs.append(tensor("gen_args", args or [gen_args(seed=i) for i in range(n)]))
    return {"inputs": inputs}


class KServeRequestTest(unittest.TestCase):
    def test_parses_every_row_of_an_n_by_1_request_not_just_the_first(self):
        body = kserve_body(["photo of <<qzvkfe>> person, astronaut", "b", "c"], ["blur", "", "text"], [gen_args(7, 25, 6.0), gen_args(8), gen_args(9, 40, 9)])
        rows = lora.parse_inputs(lora.tensors_from_kserve(body))
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows[0], lora.Row("photo of <<qzvkfe>> person, astronaut", "blur", 25, 6.0, 7))
        self.assertEqual(rows[1], lora.Row("b", "", 30, 7.5, 8))
        self.assertEqual((rows[2].negative_prompt, rows[2].num_inference_steps, rows[2].guidance_scale, rows[2].seed), ("text", 40, 9.0, 9))

    def test_uses_prompts_as_sent_without_rewriting_a_placeholder(self):
        # The API already inserted the model's trigger phrase; the model trained on config.json's
        # concept_prompt as sent, so nothing may be substituted here (a "<<TOK>>" -> "zwx" rewrite was a
        # path API-created models never take).
        (row,) = lora.parse_inputs({"prompt": [["a <<TOK>> astronaut"]]})
        self.assertEqual(row.prompt, "a <<TOK>> astronaut")
        self.assertFalse(hasattr(lora, "CONCEPT_TOKEN"))

    def test_accepts_the_full_batch_of_eight(self):
        self.assertEqual(len(lora.parse_inputs(lora.tensors_from_kserve(kserve_body([f"p{i}" for i in range(8)])))), 8)

    def test_rejects_more_than_max_batch_size_rows(self):
        with self.assertRaisesRegex(RequestError, "batch of 9 rows; between 1 and 8 allowed"):
            lora.parse_inputs(lora.tensors_from_kserve(kserve_body([f"p{i}" for i in range(9)])))

    def test_rejects_an_empty_batch(self):
        with self.assertRaisesRegex(RequestError, "batch of 0 rows"):
            lora.parse_inputs({"prompt": []})

    def test_rejects_inputs_with_different_row_counts(self):
        body = kserve_body(["a", "b"], ["x"], [gen_args(), gen_args()])
        with self.assertRaisesRegex(RequestError, "input negative_prompt has 1 rows, prompt has 2"):
            lora.parse_inputs(lora.tensors_from_kserve(body))

    def test_rejects_a_shape_that_does_not_match_the_data(self):
        with self.assertRaisesRegex(RequestError, r"shape must be \[N,1\]"):
            lora.tensors_from_kserve(kserve_body(["a", "b"], shape=[3, 1]))
        with self.assertRaisesRegex(RequestError, r"shape must be \[N,1\]"):
            lora.tensors_from_kserve(kserve_body(["a", "b"], shape=[2]))

    def test_rejects_non_bytes_datatypes_and_a_body_without_inputs(self):
        body = kserve_body(["a"])
        body["inputs"][0]["datatype"] = "FP32"
        with self.assertRaisesRegex(RequestError, "datatype must be BYTES"):
            lora.tensors_from_kserve(body)
        with self.assertRaisesRegex(RequestError, "inputs array"):
            lora.tensors_from_kserve({})

    def test_rejects_rows_that_are_not_one_value_wide(self):
        with self.assertRaisesRegex(RequestError, r"exactly one value \(shape \[N,1\]\)"):
            lora.parse_inputs({"prompt": [["a", "b"]]})

    def test_requires_a_non_empty_prompt(self):
        with self.assertRaisesRegex(RequestError, "input prompt is required"):
            lora.parse_inputs({"negative_prompt": [[b""]]})
        with self.assertRaisesRegex(RequestError, "prompt must not be empty"):
            lora.parse_inputs({"prompt": [[b"  "]]})

    def test_decodes_triton_bytes_and_rejects_invalid_utf8(self):
        rows = lora.parse_inputs({"prompt": [[b"caf\xc3\xa9"]], "gen_args": [[gen_args(3).encode()]]})
        self.assertEqual((rows[0].prompt, rows[0].seed), ("café", 3))
        with self.assertRaisesRegex(RequestError, "not UTF-8"):
            lora.parse_inputs({"prompt": [[b"\xff\xfe"]]})

    def test_uses_defaults_when_the_optional_inputs_are_absent(self):
        (row,) = lora.parse_inputs({"prompt": [["portrait"]]})
        self.assertEqual(row, lora.Row("portrait", "", 30, 7.5, 0))


class GenArgsTest(unittest.TestCase):
    def test_parses_seed_steps_and_guidance(self):
        self.assertEqual(lora.parse_gen_args(gen_args(42, 50, 8)), {"num_inference_steps": 50, "guidance_scale": 8.0, "seed": 42})

    def test_accepts_integral_floats_for_integer_fields(self):
        self.assertEqual(lora.parse_gen_args(gen_args(1.0, 30.0))["num_inference_steps"], 30)

    def test_rejects_bad_gen_args_with_a_reason(self):
        cases = [
            ("{", "not valid JSON"),
            ("[1]", "must be a JSON object"),
            (json.dumps({"num_inference_steps": 30, "guidance_scale": 7.5}), r"missing \['seed'\]"),
            (gen_args(sampler="ddim"), r"unknown \['sampler'\]"),
            (gen_args(seed=-1), "seed must be between 0 and 4294967295"),
            (gen_args(seed=2**32), "seed must be between"),
            (gen_args(steps=30.5), "num_inference_steps must be an integer"),
            (gen_args(steps=0), "num_inference_steps must be between 1 and 150"),
            (gen_args(guidance=True), "guidance_scale must be a number"),
            (gen_args(guidance="7"), "guidance_scale must be a number"),
            (gen_args(guidance=31), "guidance_scale must be between"),
        ]
        for text, message in cases:
            with self.subTest(text=text), self.assertRaisesRegex(RequestError, message):
                lora.parse_gen_args(text)


class BatchPlanTest(unittest.TestCase):
    def row(self, steps=30, guidance=7.5, seed=0):
        return lora.Row("p", "", steps, guidance, seed)

    def test_one_pipeline_call_for_eight_rows_with_the_same_settings(self):
        self.assertEqual(lora.plan_batches([self.row(seed=i) for i in range(8)]), [list(range(8))])

    def test_splits_rows_by_steps_and_guidance_keeping_order(self):
        rows = [self.row(30), self.row(50), self.row(30), self.row(30, 9.0), self.row(50)]
        self.assertEqual(lora.plan_batches(rows), [[0, 2], [1, 4], [3]])

    def test_chunks_merged_requests_at_max_batch_size(self):
        self.assertEqual(lora.plan_batches([self.row() for _ in range(11)], 8), [list(range(8)), [8, 9, 10]])


class ResponseFormatTest(unittest.TestCase):
    def test_formats_base64_jpegs_as_an_n_by_1_tensor(self):
        jpegs = [JPEG + bytes([i]) for i in range(3)]
        rows = lora.format_images(jpegs)
        self.assertEqual([len(r) for r in rows], [1, 1, 1])
        self.assertEqual([base64.b64decode(r[0]) for r in rows], jpegs)

    def test_kserve_output_has_the_contract_shape(self):
        body = lora.kserve_output([JPEG, JPEG])
        self.assertEqual(list(body), ["outputs"])
        (out,) = body["outputs"]
        self.assertEqual((out["name"], out["shape"], out["datatype"]), ("generated_image", [2, 1], "BYTES"))
        self.assertEqual(base64.b64decode(out["data"][1]), JPEG)
        json.dumps(body)  # serialisable as the response body

    def test_refuses_to_answer_with_something_that_is_not_a_jpeg(self):
        with self.assertRaisesRegex(ValueError, "image 1 is not a JPEG"):
            lora.format_images([JPEG, PNG])


class MergedRequestsTest(unittest.TestCase):
    def test_generates_rows_of_all_requests_together_and_splits_them_back(self):
        calls = []

        def generate(rows):
            calls.append([r.prompt for r in rows])
            return [JPEG + r.prompt.encode() for r in rows]

        first = lora.parse_inputs({"prompt": [["a"], ["b"]]})
        second = lora.parse_inputs({"prompt": [["c"], ["d"], ["e"]]})
        refused = RequestError("batch of 9 rows")
        answers = lora.answer_requests([first, refused, second], generate)
        self.assertEqual(calls, [["a", "b", "c", "d", "e"]])
        self.assertEqual([base64.b64decode(r[0])[len(JPEG):] for r in answers[0]], [b"a", b"b"])
        self.assertIs(answers[1], refused)
        self.assertEqual([base64.b64decode(r[0])[len(JPEG):] for r in answers[2]], [b"c", b"d", b"e"])

    def test_does_not_call_the_pipeline_when_every_request_is_refused(self):
        answers = lora.answer_requests([RequestError("x")], lambda rows: self.fail("no rows to generate"))
        self.assertIsInstance(answers[0], RequestError)


class ConfigPbtxtTest(unittest.TestCase):
    def test_declares_batch_of_eight_with_dynamic_batching_and_the_contract_tensors(self):
        from tests.loader import CONTAINERS

        text = (CONTAINERS / "mme" / "lora" / "config.pbtxt").read_text()
        self.assertIn("max_batch_size: 8", text)
        self.assertIn("dynamic_batching", text)
        for name in ("prompt", "negative_prompt", "gen_args", "generated_image"):
            self.assertIn(f'name: "{name}"', text)
        self.assertIn("/tmp/conda/sd_env.tar.gz", text)
        self.assertEqual(lora.MAX_BATCH_SIZE, 8)


if __name__ == "__main__":
    unittest.main()
