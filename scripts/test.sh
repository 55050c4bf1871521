#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs what the tests need into
# .venv, starts the throwaway Samba AD DC, runs the checks, stops the DC.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Headless Chromium checks the HTML documents (Debian's package, no download).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends chromium >/dev/null) ||
    echo "test.sh: WARNING: could not install chromium; HTML checks will skip" >&2
fi

# The kerberos extra: gssapi builds against libkrb5, and kinit gets the live
# test its ticket from the lab DC's KDC.
if [ "$(id -u)" = 0 ] && { ! command -v kinit >/dev/null 2>&1 ||
  ! command -v krb5-config >/dev/null 2>&1; }; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends libkrb5-dev krb5-user >/dev/null) ||
    echo "test.sh: WARNING: could not install Kerberos; its live test will skip" >&2
fi
if command -v krb5-config >/dev/null 2>&1; then
  .venv/bin/python -m pip install --quiet -e '.[test,kerberos]' ||
    echo "test.sh: WARNING: the kerberos extra did not install; its test will skip" >&2
fi

# Rich output must not depend on the terminal the tests run in.
export COLUMNS=120 NO_COLOR=1 TERM=dumb

dc_started=0
stop_dc() { [ "$dc_started" = 1 ] && scripts/samba-dc.sh stop || true; }
trap stop_dc EXIT
if [ -x scripts/samba-dc.sh ]; then
  if scripts/samba-dc.sh start; then
    dc_started=1
    # shellcheck disable=SC1091
    source "${ENTRA_RULEGEN_LAB:-/tmp/entra-rulegen-lab}/env.sh"
  elif [ "${CI:-}" = "true" ]; then
    echo "test.sh: the Samba AD DC did not start; with CI=true that fails the run" >&2
    exit 1
  else
    echo "test.sh: WARNING: the Samba AD DC did not start (see above);" \
      "the live-directory tests will be skipped" >&2
  fi
fi

.venv/bin/ruff check generator tests bench
.venv/bin/ruff format --check generator tests bench
.venv/bin/mypy
.venv/bin/pytest "$@"
