# Wait until Docker has given up on everyday-flaky: exited, after two restarts (60 s at most).
for _ in $(seq 60); do
  state=$(docker inspect --format '{{.State.Status}} {{.RestartCount}}' everyday-flaky)
  if [ "$state" = "exited 2" ]; then
    exit 0
  fi
  sleep 1
done
echo "everyday-flaky is still \"$state\" after 60 s" >&2
exit 1
