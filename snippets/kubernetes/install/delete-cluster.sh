# Delete the cluster named "kind": its node containers and its entry in ~/.kube/config
kind delete cluster
