# Write the real output into the page's console snippets, then review the change
.venv/bin/pytest docs/zh/docker/images-and-containers.md --update-output
git diff snippets/docker/images-and-containers/
