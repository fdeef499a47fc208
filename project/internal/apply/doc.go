// Package apply carries out the steps of a plan that make the project's shared
// resources: its networks (through the network driver) and its named volumes (their
// directories and labels), each recorded in the project's state, and saved, before it is
// made, so Down can always remove it. It takes what it acts on as a Target and the
// driver through NetworkCreator, an interface of its own, so its steps are tested with
// fakes, without root.
//
// The container steps (netns, attach, ports, create, start, recreate, remove) are still
// the executor's, in package project.
package apply
