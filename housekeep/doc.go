// Package housekeep is berth's housekeeping of the store it owns, with no daemon to
// ask: which images, layers, volumes and networks containers use (containers of every
// project, running or not), disk usage as `docker system df` reports it, listing,
// inspecting and removing volumes and networks, and pruning images, volumes, networks,
// the build cache and stopped containers.
//
// It reads what the other packages record: the engine's containers (their specs name
// their layer dirs, their mounts and their network namespace), the image store, the
// builder's cache, the network driver's state and the projects' state files. It never
// removes anything a container uses, and every removal goes through the owner's own
// crash-safe path (image.Store.Prune, builder.PruneCache, netdriver.DeleteNetwork,
// project.Remove), so an interrupted prune leaves a consistent store.
//
//	cmd/berth ──> housekeep ──> project (Config, states, Remove)
//	                 ├────────> engine, engine/image, builder, netdriver
//
// It never imports cmd; none of the packages it reads imports it.
package housekeep
