# Build the image, then look at its layers
# ;--8<-- [start:build]
docker build -t demo:1.0 .
# ;--8<-- [end:build]
docker history demo:1.0
