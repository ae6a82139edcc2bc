# The static tier: build, includes, twins, linters, Chinese spacing
./dev static
# Run the page you changed (the lab must be up: lab/lab up)
.venv/bin/pytest docs/zh/docker/images-and-containers.md
# Review what you are about to commit
git status
git diff
