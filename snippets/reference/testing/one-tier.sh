# The static tier: Python packages only, no engine, no cluster
./dev static
# One tier that needs the lab (./dev test brings the lab up first)
./dev test -m docker
./dev test -m kind
# The browser tier needs no lab either: ./dev installs Chromium and Lighthouse when they are missing
./dev test -m browser
