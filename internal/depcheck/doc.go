// Package depcheck holds the test that keeps berth's package dependencies pointing
// downwards, as ../../DESIGN.md draws them. It has no code of its own.
package depcheck
