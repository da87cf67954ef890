"""Builds the two tarballs a deployment uploads (standard library only):

  python3 containers/tools/package.py training  out/training.tar.gz
      -> s3://<bucket>/code/training.tar.gz  (ModelDataUrl of the training model)
         model.py + its modules + serving.properties + requirements.txt + sd_lora/ (the LoRA template)
  python3 containers/tools/package.py model-setup out/model_setup.tar.gz --conda sd_env.tar.gz --base stable_diff.tar.gz
      -> s3://<bucket>/mme-models/model_setup.tar.gz  (invoked once per MME instance)
"""
import argparse
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAINING_FILES = ["model.py", "tar_input.py", "trainer.py", "artifact.py", "training_output.py", "serving.properties", "requirements.txt"]


def package_training(out: Path) -> list:
    entries = [(ROOT / "training" / name, name) for name in TRAINING_FILES]
    entries += [(ROOT / "mme" / "lora" / "config.pbtxt", "sd_lora/config.pbtxt"), (ROOT / "mme" / "lora" / "1" / "model.py", "sd_lora/1/model.py")]
    return _write(out, entries)


def package_model_setup(out: Path, conda: Path, base: Path) -> list:
    setup = ROOT / "mme" / "model_setup"
    entries = [(setup / "config.pbtxt", "model_setup/config.pbtxt"), (setup / "1" / "model.py", "model_setup/1/model.py")]
    entries += [(conda, "model_setup/1/sd_env.tar.gz"), (base, "model_setup/1/stable_diff.tar.gz")]
    return _write(out, entries)


def _write(out: Path, entries: list) -> list:
    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w:gz") as tar:
        for source, arcname in entries:
            if not source.is_file():
                raise FileNotFoundError(f"missing {source}")
            info = tar.gettarinfo(str(source), arcname=arcname)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(source, "rb") as handle:
                tar.addfile(info, handle)
    return [arcname for _, arcname in entries]


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["training", "model-setup"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--conda", type=Path, help="conda-pack of the LoRA environment (model-setup only)")
    parser.add_argument("--base", type=Path, help="tar.gz of stable_diff/ (SD 2.1 base, fp16) (model-setup only)")
    args = parser.parse_args(argv)
    if args.what == "training":
        names = package_training(args.out)
    else:
        if args.conda is None or args.base is None:
            parser.error("model-setup needs --conda and --base")
        names = package_model_setup(args.out, args.conda, args.base)
    print(f"{args.out}: {len(names)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
