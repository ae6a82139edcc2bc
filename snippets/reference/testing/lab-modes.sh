# Offline (the default): images built here from Debian packages, pulled through the lab's mirror
LAB_MODE=offline ./dev test
# Online: the official images and kind's own node image, pulled from their registries
LAB_MODE=online ./dev test
# Keep the engine and the cluster running afterwards, for quick reruns (ignored when CI=true)
LAB_KEEP=1 ./dev test
