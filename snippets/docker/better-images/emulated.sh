# Registers QEMU as the interpreter of arm64 (and other) programs in the kernel (binfmt_misc);
# it lasts until the next reboot
docker run --privileged --rm tonistiigi/binfmt --install arm64
# Now RUN steps of the arm64 image run under emulation: every Dockerfile works, only slower
docker buildx build --platform linux/amd64,linux/arm64 -t registry.example.com/demo/app:1.0 --push .
