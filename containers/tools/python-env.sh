#!/usr/bin/env bash
# Creates or updates .venv/ at the repository root from containers/requirements.txt (the one Python lock).
# Idempotent and fast when satisfied: the lock's sha256 is stamped in the venv; a matching stamp means done.
# torch==2.13.0 there is the CPU wheel this machine's pip finds on disk; never ask for another torch spec.
#   bash containers/tools/python-env.sh        -> prints the venv's python path on its last line
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
lock="$root/containers/requirements.txt"
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$lock" | cut -d' ' -f1)"

# One installer at a time: `npm test` may start the containers tests and the API's containers stack test
# together, and two pip runs into one venv corrupt it. The lock file sits beside the venv (ignored by git).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$root/.venv.lock"
  flock 9
fi

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

python=""
for candidate in python3.11 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] in ((3, 11), (3, 12)) else 1)' 2>/dev/null; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  echo "python-env: need Python 3.11 or 3.12 (found: $(python3 --version 2>&1 || echo none))" >&2
  exit 1
fi

echo "python-env: installing $lock into $venv ($($python --version))" >&2
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$lock" 2>&1 |
  grep -v "is ignored: it is neither a file nor a directory" >&2 || true
# pip's exit status is lost in the pipe above; check that the lock is what is installed before stamping.
"$venv/bin/python" -m pip check >&2
"$venv/bin/python" - "$lock" <<'PY'
import sys
from importlib.metadata import version

wanted = [l.split("==") for l in open(sys.argv[1]) if "==" in l and not l.startswith("#")]
wrong = [f"{n}=={v} (have {version(n)})" for n, v in wanted if version(n).split("+")[0] != v.strip()]
sys.exit(f"python-env: not installed as locked: {', '.join(wrong)}" if wrong else 0)
PY
echo "$want" >"$stamp"
echo "$venv/bin/python"
