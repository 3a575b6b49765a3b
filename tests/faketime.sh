#!/usr/bin/env bash
# Run a command with the process clock at another date and time, e.g.
#   tests/faketime.sh '2027-12-07 12:00' .venv/bin/python -m pytest -q
# (.ci/run's second run). The kernel still dates files in real time.
#
# Debian 12's faketime (libfaketime 0.9.10) breaks Python 3.11 either way.
# With the monotonic clock faked, a wait with a timeout (Event.wait, a lock,
# Thread.join) never times out: glibc's sem_clockwait gets the faked deadline
# (libfaketime issue #390). With it left alone (--exclude-monotonic),
# time.sleep fails with EINVAL (issue #426). Both are fixed in 0.9.11. No date
# is read from the monotonic clock, so leave it alone and preload a
# clock_nanosleep that passes monotonic sleeps to the kernel untouched.
set -euo pipefail
when=$1
shift
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
# "faketime" in its name: tests/browser.py runs Chromium without either library.
cc -shared -fPIC -O2 -o "$build/faketime-sleep-fix.so" "$(dirname "$0")/faketime_sleep_fix.c" -ldl
LD_PRELOAD="$build/faketime-sleep-fix.so${LD_PRELOAD:+:$LD_PRELOAD}" faketime --exclude-monotonic "$when" "$@"
