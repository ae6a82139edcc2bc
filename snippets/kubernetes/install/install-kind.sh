# kind is a Go module: the Go toolchain fetches and builds it. goproxy.cn is a Go module
# proxy that works from mainland China; leave GOPROXY alone elsewhere.
source versions.env
export GOPROXY=https://goproxy.cn,direct
go install "sigs.k8s.io/kind@${KIND_VERSION}"
sudo install -m 0755 "$(go env GOPATH)/bin/kind" /usr/local/bin/kind
