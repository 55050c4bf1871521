#!/usr/bin/env bash
# A throwaway Samba AD DC for the live-directory tests, on 127.0.0.1 only.
#
#   scripts/samba-dc.sh start    install (apt) when missing, provision, start, seed
#   scripts/samba-dc.sh stop     stop the DC by its PID
#   scripts/samba-dc.sh status   exit 0 when the DC answers, 3 when it does not
#
# Everything lives under $ENTRA_RULEGEN_LAB (default /tmp/entra-rulegen-lab);
# `start` writes $LAB/env.sh with the ENTRA_RULEGEN_TEST_DC_* variables the tests
# read. A second `start` reuses a running or already seeded lab.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB=${ENTRA_RULEGEN_LAB:-/tmp/entra-rulegen-lab}
PY=${ENTRA_RULEGEN_LAB_PYTHON:-$ROOT/.venv/bin/python}
USERS=${ENTRA_RULEGEN_LAB_USERS:-1000}
REALM=CONTOSO.TEST
DOMAIN=CONTOSO
BASE_DN=DC=contoso,DC=test
CERT_NAME=dc1.contoso.test
ADMIN_PW='Lab-Admin-2026!x'
READER=svc-rulegen@contoso.test
READER_PW='Lab-Reader-2026!y'
PACKAGES=(samba-ad-dc samba-ad-provision ldap-utils)

say() { echo "samba-dc: $*" >&2; }
now() { date +%s%N; }
took() { local ms=$((($(now) - $1) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

pid() { [ -s "$LAB/run/samba.pid" ] && cat "$LAB/run/samba.pid"; }

# The LDAP ports are fixed (smb.conf cannot move them), so one lab DC per
# machine: make sure 389 belongs to this lab's samba and not another one.
owns_ldap_port() {
  command -v ss >/dev/null || return 0
  ss -Hltnp 'sport = :389' 2>/dev/null | grep -q "pid=$1,"
}

running() {
  local p
  p=$(pid) || return 1
  kill -0 "$p" 2>/dev/null || return 1
  owns_ldap_port "$p" || return 1
  # The port opens before the directory answers; ask the RootDSE.
  ldapsearch -x -LLL -o nettimeout=2 -H ldap://127.0.0.1 -s base -b '' \
    defaultNamingContext 2>/dev/null | grep -q '^defaultNamingContext'
}

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' \
      || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local t0; t0=$(now)
  say "installing ${missing[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"/tmp/samba-dc-apt.log" 2>&1
  then
    apt-get update -q >>"/tmp/samba-dc-apt.log" 2>&1
    apt-get install -y -q --no-install-recommends "${missing[@]}" \
      >>"/tmp/samba-dc-apt.log" 2>&1 || { say "apt failed, see /tmp/samba-dc-apt.log"; return 1; }
  fi
  say "apt install took $(took "$t0") s"
}

provision() {
  local t0; t0=$(now)
  rm -rf "$LAB"
  mkdir -p "$LAB"/{log,run,cache}
  # --option values for these paths keep the lab out of /etc and /var.
  samba-tool domain provision --realm="$REALM" --domain="$DOMAIN" --server-role=dc \
    --dns-backend=NONE --use-rfc2307 --adminpass="$ADMIN_PW" --targetdir="$LAB" \
    --host-name=dc1 --host-ip=127.0.0.1 --backend-store=mdb --backend-store-size=1Gb \
    --option="interfaces = lo" --option="bind interfaces only = yes" \
    --option="server services = ldap, cldap, kdc" \
    --option="log file = $LAB/log/log.%m" --option="pid directory = $LAB/run" \
    --option="ncalrpc dir = $LAB/run/ncalrpc" \
    --option="winbindd socket directory = $LAB/run/winbindd" \
    --option="ntp signd socket directory = $LAB/run/ntp_signd" \
    >"$LAB/log/provision.log" 2>&1 || { say "provision failed, see $LAB/log/provision.log"; return 1; }
  # provision drops these two options; the schema extension needs the second one,
  # the --no-tls tests the first.
  sed -i 's/^\[global\]$/[global]\n\tldap server require strong auth = no\n\tdsdb:schema update allowed = true/' \
    "$LAB/etc/smb.conf"
  samba-tool domain passwordsettings set --complexity=off --history-length=0 \
    --min-pwd-age=0 --max-pwd-age=0 -H "$LAB/private/sam.ldb" -s "$LAB/etc/smb.conf" \
    >>"$LAB/log/provision.log" 2>&1
  say "provision took $(took "$t0") s"
}

start_samba() {
  local t0; t0=$(now)
  if (exec 3<>/dev/tcp/127.0.0.1/389) 2>/dev/null; then
    say "another process already listens on 127.0.0.1:389 (another lab DC?);" \
      "only one can run per machine: stop it, or share its ENTRA_RULEGEN_LAB"
    return 1
  fi
  rm -f "$LAB/run/samba.pid"
  setsid samba -s "$LAB/etc/smb.conf" -i -M single --debug-stdout -d1 \
    </dev/null >"$LAB/log/samba.out" 2>&1 9>&- &
  for _ in $(seq 1 600); do
    if running; then
      say "started (pid $(pid)) in $(took "$t0") s"
      return 0
    fi
    if ! kill -0 $! 2>/dev/null; then
      say "samba exited; see $LAB/log/samba.out"
      return 1
    fi
    sleep 0.1
  done
  say "samba did not listen within 60 s; see $LAB/log/samba.out"
  return 1
}

write_env() {
  # A client krb5.conf for --auth kerberos tests (kinit needs krb5-user).
  cat >"$LAB/krb5-client.conf" <<KRB
[libdefaults]
	default_realm = $REALM
	dns_lookup_kdc = false
	rdns = false
[realms]
	$REALM = {
		kdc = 127.0.0.1
	}
[domain_realm]
	.${REALM,,} = $REALM
KRB
  cat >"$LAB/env.sh" <<ENV
# Written by scripts/samba-dc.sh: the lab DC the live-directory tests use.
export ENTRA_RULEGEN_TEST_DC=1
export ENTRA_RULEGEN_TEST_DC_HOST=127.0.0.1
export ENTRA_RULEGEN_TEST_DC_CA='$LAB/private/tls/ca.pem'
export ENTRA_RULEGEN_TEST_DC_CERT_NAME='$CERT_NAME'
export ENTRA_RULEGEN_TEST_DC_USER='$READER'
export ENTRA_RULEGEN_TEST_DC_PASSWORD='$READER_PW'
export ENTRA_RULEGEN_TEST_DC_BASE_DN='$BASE_DN'
export ENTRA_RULEGEN_TEST_DC_USERS='$(cat "$LAB/seeded")'
export ENTRA_RULEGEN_TEST_DC_LAB='$LAB'
export ENTRA_RULEGEN_TEST_DC_REALM='$REALM'
export ENTRA_RULEGEN_TEST_DC_KRB5_CONFIG='$LAB/krb5-client.conf'
ENV
}

seed() {
  local t0; t0=$(now)
  "$PY" "$ROOT/scripts/seed_dc.py" --host 127.0.0.1 --base-dn "$BASE_DN" \
    --admin "Administrator@$REALM" --admin-password "$ADMIN_PW" \
    --reader "$READER" --reader-password "$READER_PW" --users "$USERS" \
    >"$LAB/log/seed.log" 2>&1 || { say "seeding failed, see $LAB/log/seed.log"; return 1; }
  tail -1 "$LAB/log/seed.log" | grep -o '[0-9]* users' | grep -o '[0-9]*' >"$LAB/seeded"
  say "seeding $(cat "$LAB/seeded") users took $(took "$t0") s"
}

cmd_start() {
  local t0; t0=$(now)
  # Starts take turns machine-wide: the ports are shared. samba must not
  # inherit this descriptor, or it would hold the lock for as long as it runs.
  exec 9>"${TMPDIR:-/tmp}/entra-rulegen-samba-dc.start.lock"
  flock -w 300 9 || { say "another samba-dc.sh start ran for 5 minutes"; return 1; }
  if running; then
    say "reusing the DC running under $LAB (pid $(pid))"
    write_env
    return 0
  fi
  install_packages
  if [ -s "$LAB/seeded" ] && [ -f "$LAB/etc/smb.conf" ]; then
    say "restarting the seeded lab under $LAB"
    start_samba
  else
    provision
    start_samba
    seed || { cmd_stop; return 1; }
  fi
  write_env
  say "ready in $(took "$t0") s; source $LAB/env.sh"
}

cmd_stop() {
  local p
  if ! p=$(pid) || ! kill -0 "$p" 2>/dev/null; then
    say "not running"
    return 0
  fi
  kill "$p"
  for _ in $(seq 1 100); do
    kill -0 "$p" 2>/dev/null || { say "stopped (pid $p)"; return 0; }
    sleep 0.1
  done
  say "pid $p ignored SIGTERM for 10 s; sending SIGKILL"
  kill -9 "$p"
}

cmd_status() {
  if running; then
    echo "running (pid $(pid)) under $LAB"
  else
    echo "not running"
    return 3
  fi
}

if [ "$(id -u)" -ne 0 ] && [ "${1:-}" != status ]; then
  say "needs root: it installs packages and binds ports 389, 636, 3268 and 3269"
  exit 1
fi

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
