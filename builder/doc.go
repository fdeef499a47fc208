// Package builder turns a Dockerfile and a build context into images on
// berth's own engine, without Docker, BuildKit or a daemon.
//
// It is split in two halves. The front half is pure and has no side effects:
// package builder/dockerfile parses a Dockerfile into stages and instructions
// with variables expanded, and package builder/buildcontext reads the context
// directory (.dockerignore, COPY source globs, content hashes for the layer
// cache key). The execution half runs those instructions on the engine.
//
// Imports: builder may import the engine packages (engine/...) and the
// standard library, plus github.com/moby/patternmatcher for .dockerignore
// semantics. It must never import compose, netdriver, dnsserver, cmd or the
// orchestration package: the orchestrator translates compose `build:` sections
// into builder calls, never the other way round.
package builder
