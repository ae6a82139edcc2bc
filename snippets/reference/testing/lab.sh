# Every part, in order: engine plugins images node-image cluster
lab/lab up
# Only the parts the Docker pages need
lab/lab up engine plugins images
# The environment the tests run with (LAB_STATE, KUBECONFIG_LAB, PATH)
lab/lab env
# Stop what `up` started
lab/lab down
