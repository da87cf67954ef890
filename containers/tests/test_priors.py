"""training/priors.py: class images cached per (model, class prompt, count, resolution), generated once
even when both DJL workers of an instance ask at the same time, and never seen half-written."""
import multiprocessing
import tempfile
import time
import unittest
from pathlib import Path

from tests.loader import load_module

priors = load_module("training/priors.py", "dq_priors")


def _image(seed: int):
    from PIL import Image

    return Image.new("RGB", (8, 8), (seed * 40 % 256, 10, 20))


def _worker(root: str, prompt: str, log: str, barrier) -> None:
    def generate(index):
        with open(log, "a") as handle:
            handle.write(f"{prompt}:{index}\n")
        time.sleep(0.05)  # long enough that the other worker arrives while this one generates
        return _image(index)

    barrier.wait()
    priors.cached_class_images(Path(root), "sd-2-1-base", prompt, 3, 64, generate)


class PriorsCacheTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name) / "priors"

    def tearDown(self):
        self.tmp.cleanup()

    def cached(self, prompt, count=2, model="sd-2-1-base", calls=None):
        def generate(index):
            if calls is not None:
                calls.append((prompt, index))
            return _image(index + len(prompt))

        return priors.cached_class_images(self.root, model, prompt, count, 64, generate)

    def test_two_workers_asking_together_generate_the_images_once(self):
        log = str(Path(self.tmp.name) / "calls.log")
        context = multiprocessing.get_context("fork")
        barrier = context.Barrier(2)
        workers = [context.Process(target=_worker, args=(str(self.root), "a photo of person", log, barrier)) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        self.assertEqual([w.exitcode for w in workers], [0, 0])
        self.assertEqual(Path(log).read_text().splitlines(), ["a photo of person:0", "a photo of person:1", "a photo of person:2"])

    def test_each_class_prompt_model_and_count_has_its_own_images(self):
        calls = []
        person = self.cached("a photo of person", calls=calls)
        dog = self.cached("a photo of dog", calls=calls)
        self.assertNotEqual(person[0].parent, dog[0].parent)
        self.assertNotEqual(person[0].read_bytes(), dog[0].read_bytes())
        self.assertNotEqual(self.cached("a photo of person", model="other-base")[0].parent, person[0].parent)
        self.assertEqual(len(self.cached("a photo of person", count=3)), 3)
        self.assertEqual(self.cached("a photo of person", calls=calls), person)  # a hit generates nothing
        self.assertEqual(calls, [("a photo of person", 0), ("a photo of person", 1), ("a photo of dog", 0), ("a photo of dog", 1)])

    def test_a_generation_that_dies_half_way_leaves_nothing_a_later_training_would_use(self):
        def broken(index):
            if index == 1:
                raise RuntimeError("CUDA out of memory")
            return _image(index)

        with self.assertRaisesRegex(RuntimeError, "out of memory"):
            priors.cached_class_images(self.root, "sd", "a photo of person", 2, 64, broken)
        self.assertEqual([p.name for p in self.root.iterdir() if not p.name.endswith(".lock")], [])
        calls = []
        self.assertEqual(len(self.cached("a photo of person", model="sd", calls=calls)), 2)
        self.assertEqual(len(calls), 2)


if __name__ == "__main__":
    unittest.main()
