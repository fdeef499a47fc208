// Package spec translates: it turns a compose service, its image's config and the
// resources the executor already made for one container (addresses, gateway, anonymous
// volumes, written secrets, exit hook) into the engine.Spec that runs it (Build), and a
// service's ports, healthcheck, restart policy, seccomp profile, labels and mounts into
// engine, netdriver and state terms, from the typed values the loader read (it parses no
// compose value again). It also refuses, before anything is made, what berth or this
// host cannot run, at the field's place in the compose files (CheckSupported).
//
// It makes nothing: no netns, no attach, no port, no file written. It reads only what a
// service names (env files, a seccomp profile, a bind device's existence) and what the
// host offers for it (its log driver's socket, the CDI specs of the devices it asks
// for, through project/internal/devreq). It imports compose, engine, netdriver and
// dnsserver for their types, and project/internal/state, project/internal/plan and
// project/internal/devreq; never the executor.
package spec
