// Package state is what berth records about a project and where: the records (State,
// its networks, volumes and containers with their labels, healthchecks and restart
// policies as data), the paths under the state root and the runtime dir (Paths, every
// one checked to stay under its root), the atomic load and save of state.json and the
// project's lock. It decides nothing and runs nothing: the planner reads the records,
// the executor writes them before it makes each kernel object, so Down can always
// remove what was made.
//
// It imports engine only for its state errors; it never imports compose, netdriver or
// the project package.
package state
