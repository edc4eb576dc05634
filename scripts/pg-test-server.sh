#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL server on a private port in a temporary directory.
#   eval "$(scripts/pg-test-server.sh start)"   # exports DATABASE_URL and PG_TEST_DIR
#   eval "$(scripts/pg-test-server.sh standby "$PG_TEST_DIR")"   # a hot standby on the next port
#   scripts/pg-test-server.sh stop "$PG_TEST_DIR"
# Installs PostgreSQL with apt when no server binaries are present. PostgreSQL refuses to run as root,
# so as root the server runs as the `postgres` system user (created by the package).
set -euo pipefail
PORT="${PG_TEST_PORT:-54329}"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

case "${1:-}" in
start)
	BIN="$(find_bin)"
	if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
		echo "installing PostgreSQL (apt)" >&2
		apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
		BIN="$(find_bin)"
	fi
	DIR="$(mktemp -d /tmp/fengqiao-pg.XXXXXX)"
	RUN=()
	if [ "$(id -u)" = "0" ]; then
		id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
		chown postgres "$DIR"
		RUN=(runuser -u postgres --)
	fi
	"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
		|| { cat "$DIR/initdb.log" >&2; exit 1; }
	"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start \
		-o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2 \
		|| { cat "$DIR/server.log" >&2; exit 1; }
	"$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -qc "CREATE DATABASE fengqiao" >&2
	echo "export PG_TEST_DIR=$DIR"
	echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/fengqiao"
	"$BIN/postgres" --version >&2
	;;
standby)
	# A hot standby of the server in DIR, streaming from it on loopback (port PORT+1): for the replica tests.
	DIR="${2:?usage: $0 standby DIR}"
	BIN="$(find_bin)"
	SPORT=$((PORT + 1))
	RUN=()
	[ "$(id -u)" = "0" ] && RUN=(runuser -u postgres --)
	"${RUN[@]}" "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" -U postgres -D "$DIR/standby" -R -X stream >&2
	"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w start \
		-o "-p $SPORT -k $DIR -c listen_addresses=127.0.0.1 -c hot_standby=on" >&2 \
		|| { cat "$DIR/standby.log" >&2; exit 1; }
	echo "export PG_STANDBY_PORT=$SPORT"
	;;
stop)
	DIR="${2:?usage: $0 stop DIR}"
	BIN="$(find_bin)"
	RUN=()
	[ "$(id -u)" = "0" ] && RUN=(runuser -u postgres --)
	[ -d "$DIR/standby" ] && { "${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/standby" -m fast -w stop >&2 || true; }
	"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
	rm -rf "$DIR"
	;;
*)
	echo "usage: $0 start | standby DIR | stop DIR" >&2
	exit 2
	;;
esac
