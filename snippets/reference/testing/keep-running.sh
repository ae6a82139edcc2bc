# Keep the engine and the cluster running afterwards, for quick reruns (ignored when CI=true)
LAB_KEEP=1 ./dev test
