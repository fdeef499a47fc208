package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/compose"
	"github.com/spf13/cobra"
)

// The environment variables that say what to do with orphans: containers of services
// the compose file no longer declares.
const (
	envRemoveOrphans = "COMPOSE_REMOVE_ORPHANS" // process environment: --remove-orphans' default
	envIgnoreOrphans = "COMPOSE_IGNORE_ORPHANS" // project environment (.env too): no warning
)

// envBool is how Compose reads a boolean variable: "y" or what strconv.ParseBool
// takes as true, case and surrounding blanks ignored; anything else is false.
func envBool(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	b, _ := strconv.ParseBool(s)
	return b || s == "y"
}

// orphanOptions are up's (and create's) removeOrphans, from --remove-orphans or else
// $COMPOSE_REMOVE_ORPHANS, and ignoreOrphans from COMPOSE_IGNORE_ORPHANS in p's
// environment; both set is an error, as with Compose.
func orphanOptions(cmd *cobra.Command, p *compose.Project, removeFlag bool) (remove, ignore bool, err error) {
	remove = removeFlag
	if !cmd.Flags().Changed("remove-orphans") {
		remove = envBool(os.Getenv(envRemoveOrphans))
	}
	ignore = envBool(p.Env[envIgnoreOrphans])
	if ignore && remove {
		return false, false, fmt.Errorf("cannot combine %s and --remove-orphans", envIgnoreOrphans)
	}
	return remove, ignore, nil
}
