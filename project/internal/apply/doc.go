// Package apply carries out the steps of a plan that make resources: the project's
// networks (through the network driver) and named volumes (their directories and
// labels), a container's anonymous volumes (made, handed over to its replacement,
// removed) and its network namespace, attachments and published ports, each
// recorded in the project's state, and saved, before or as it is made, so Down can
// always remove it. It takes what it acts on as a Target and the driver through
// interfaces of its own (NetworkCreator, Attacher), so its steps are tested with fakes,
// without root.
//
// The other container steps (secrets written, create, start, recreate, remove) are
// still the executor's, in package project.
package apply
