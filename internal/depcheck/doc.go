// Package depcheck holds the tests that keep berth's package dependencies pointing
// downwards, as ../../DESIGN.md draws them: the leaf packages never import each other,
// the orchestrator or the CLI; the loader stays pure; and every package of the module
// imports only what its allow-list (allowed, in allow_test.go) names, as
// go-containerregistry's internal/depcheck does. A new import outside a package's list
// fails the test, naming the package and the import: widen the list in the same
// change if the design allows it. It has no code of its own.
package depcheck
