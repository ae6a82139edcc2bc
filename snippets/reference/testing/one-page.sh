# A Docker page needs the engine and the images; a Kubernetes page needs the whole lab
lab/lab up engine plugins images
.venv/bin/pytest docs/zh/docker/images-and-containers.md
