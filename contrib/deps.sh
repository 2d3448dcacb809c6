#!/bin/sh
# Install the Debian packages baton needs to build, test and run, if any are
# missing. Uses sudo when not run as root.

set -e

packages="build-essential autoconf automake pkg-config git tmux sqlite3 jq
groff-base util-linux
libncurses-dev libevent-dev libsqlite3-dev libcjson-dev libgit2-dev
libinih-dev libcmocka-dev"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*"ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -n "$missing" ] || exit 0

echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=
else
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
