# Bring up the lab (engine, images, kind cluster), then run every tier
./dev test
