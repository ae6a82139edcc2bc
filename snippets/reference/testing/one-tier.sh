# The static tier: Python packages only, no engine, no cluster
./dev static
# One tier that needs the lab (./dev test brings the lab up first)
./dev test -m docker
./dev test -m kind
# The browser tier needs the Python packages (./dev build installs them) and Chromium
.venv/bin/pytest -m browser
