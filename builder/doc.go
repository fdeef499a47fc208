// Package builder turns a Dockerfile and a build context into images on
// berth's own engine, without Docker, BuildKit or a daemon.
//
// It is split in two halves. The front half is pure and has no side effects:
// package builder/dockerfile parses a Dockerfile into stages and instructions
// with variables expanded, and package builder/buildcontext reads the context
// directory (.dockerignore, COPY source globs, content hashes for the layer
// cache key). The execution half runs those instructions on the engine.
//
// The execution half (Build) runs each stage's instructions: FROM resolves a
// base image in engine/image's store (pulling it as the pull policy allows), an
// earlier stage or scratch; config instructions (ENV, LABEL, USER, CMD, ...)
// change the image config; COPY, ADD and WORKDIR write new layers directly; RUN
// executes in a container on berth's engine over the current layers and records
// its overlay upper dir as a layer; its --mount (bind, cache, tmpfs, secret) are
// mounts of that container and never part of the layer (runmount_linux.go). Every filesystem step is keyed in a layer
// cache (images/buildcache/) by the parent chain, the expanded instruction and
// the content of its inputs, so an unchanged rebuild starts no container.
//
// Imports: builder may import the engine packages (engine/...), what they
// import themselves (go-containerregistry's image types, x/sys) and the
// standard library, plus github.com/moby/patternmatcher for .dockerignore
// semantics. It must never import compose, netdriver, dnsserver, cmd or the
// orchestration package: the orchestrator translates compose `build:` sections
// into builder calls, never the other way round.
package builder
