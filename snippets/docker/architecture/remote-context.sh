# A context for a remote engine, reached over SSH (the user must be allowed to use Docker there)
docker context create build-server --docker host=ssh://deploy@build-server.example.com
# Every docker command now goes to build-server's daemon
docker context use build-server
docker ps
# Back to the local engine
docker context use default
