# Shell functions shared by install.sh and uninstall.sh (sourced; POSIX sh). Callers define
# say() and DRY (1: print instead of doing).

# Whether process $1 is a dockerd that has not exited (a zombie, not yet reaped, has).
dockerd_alive() {
  [ "$(cat "/proc/$1/comm" 2>/dev/null)" = dockerd ] || return 1
  case "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)" in
    Z|X|"") return 1 ;;
  esac
}

# Sends SIGHUP to the dockerd named by the pidfile $1, then checks that it survived the reload
# and still answers: Docker 20.10 panics on a reload that leaves its default runtime without a
# runtime, and every container on the host then loses its daemon. `docker info` uses DOCKER_HOST
# (default: the system socket). Returns 1, with an error saying so, if dockerd did not survive.
reload_dockerd() {
  rd_pid=$(cat "$1" 2>/dev/null || true)
  if [ -z "$rd_pid" ] || ! dockerd_alive "$rd_pid"; then
    say "dockerd is not running; it reads the new configuration when it starts"
    return 0
  fi
  if [ "$DRY" = 1 ]; then
    echo "would run: kill -HUP $rd_pid (dockerd), then check that it still answers"
    return 0
  fi
  kill -HUP "$rd_pid"
  # A bad reload kills dockerd within milliseconds; watch it for 2 s.
  rd_i=0
  while [ "$rd_i" -lt 20 ]; do
    if ! dockerd_alive "$rd_pid"; then
      echo "ERROR: dockerd ($rd_pid) died after reloading its configuration: restart it" \
           "(e.g. systemctl start docker) and see its log" >&2
      return 1
    fi
    sleep 0.1
    rd_i=$((rd_i + 1))
  done
  if command -v docker >/dev/null 2>&1; then
    if ! timeout 30 docker info >/dev/null 2>&1; then
      echo "ERROR: dockerd ($rd_pid) is running but 'docker info' does not answer after the reload" \
           "(set DOCKER_HOST if it listens elsewhere)" >&2
      return 1
    fi
    say "dockerd ($rd_pid) reloaded and answers"
  else
    say "dockerd ($rd_pid) reloaded and still runs (no docker client to ask it)"
  fi
}
