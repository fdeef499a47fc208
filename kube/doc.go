// Package kube converts a loaded compose project into Kubernetes manifests, for a stack
// that outgrows one host (`berth convert`).
//
// Convert is a pure function over compose.Project: it builds typed k8s.io/api objects
// (never text) and returns them with the warnings of what has no Kubernetes meaning,
// each at the file:line:col of the compose key. Write serializes the objects as YAML
// (a stream, a directory, a kustomization or a Helm chart), sorted by kind and name, so
// the same project always gives the same bytes.
//
// The rules, service by service:
//
//	service                    -> Deployment; StatefulSet when it mounts a named volume;
//	                              DaemonSet in deploy.mode global; Job when another
//	                              service waits for it to complete (depends_on:
//	                              service_completed_successfully)
//	service name, net aliases  -> headless Services: the name resolves to the pods'
//	                              addresses on every port, as berth's DNS does
//	published ports            -> a Service <name>-published (ClusterIP, NodePort or
//	                              LoadBalancer, as Options.PublishedType says)
//	healthcheck                -> readiness and liveness probes; start_period ->
//	                              a startup probe
//	depends_on healthy         -> an init container that waits until the name resolves
//	                              (a headless name lists ready pods only)
//	depends_on completed       -> an init container that waits for the Job (kubectl
//	                              wait), with a ServiceAccount allowed to read Jobs
//	environment, env_file      -> a ConfigMap <name>-env the container takes as envFrom
//	secrets, configs           -> Secrets and ConfigMaps mounted at the same paths
//	named volumes              -> PersistentVolumeClaims; tmpfs -> memory emptyDirs;
//	                              bind mounts -> warned (hostPath with Options.HostPath)
//	networks                   -> a NetworkPolicy per network: only its members reach
//	                              its members; published ports are open to all
//	deploy resources           -> limits (limits) and requests (reservations)
//	platform, placement        -> a nodeSelector (node labels, hostname, OS, arch)
//	user, caps, read_only, ... -> securityContext
//
// It imports compose and the Kubernetes API types only: never the orchestrator, the
// engine or the CLI.
package kube
