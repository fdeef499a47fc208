package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help as Docker Compose and the Docker CLI print it: "Usage:  berth up [OPTIONS]
// [SERVICE...]", "Options:" for flags, the commands in groups (Compose's commands,
// then the management commands of berth's own store), and "Run 'berth COMMAND --help'
// for more information on a command."

const (
	groupCompose    = "compose"
	groupManagement = "management"
	groupOther      = "other"
)

// managementCommands manage berth's store, as Docker's management commands do.
var managementCommands = map[string]bool{"image": true, "volume": true, "network": true, "system": true, "builder": true}

// otherCommands are berth's own tools around the CLI.
var otherCommands = map[string]bool{"completion": true, "help": true, "version": true}

// groupCommands puts every command of root into a group; a command no list names is
// one of Compose's (so commands added later are grouped without touching this file).
// It also installs the help template on root, which every command inherits.
func groupCommands(root *cobra.Command) {
	root.AddGroup(&cobra.Group{ID: groupCompose, Title: "Commands:"},
		&cobra.Group{ID: groupManagement, Title: "Management Commands:"},
		&cobra.Group{ID: groupOther, Title: "Other Commands:"})
	root.SetHelpCommandGroupID(groupOther)
	root.SetCompletionCommandGroupID(groupOther)
	for _, c := range root.Commands() {
		switch {
		case managementCommands[c.Name()]:
			c.GroupID = groupManagement
		case otherCommands[c.Name()]:
			c.GroupID = groupOther
		default:
			c.GroupID = groupCompose
		}
	}
	cobra.AddTemplateFunc("berthUsageLine", usageLine)
	root.SetUsageTemplate(usageTemplate)
	root.SetHelpTemplate(helpTemplate)
}

// usageLine is Docker's usage line: the command path, "[OPTIONS]" when the command
// has flags of its own besides --help, then the arguments of its Use ("COMMAND" for
// a group).
func usageLine(c *cobra.Command) string {
	line := c.CommandPath()
	options := false
	c.LocalFlags().VisitAll(func(f *pflag.Flag) { options = options || (!f.Hidden && f.Name != "help") })
	if options {
		line += " [OPTIONS]"
	}
	_, args, _ := strings.Cut(c.Use, " ")
	args = strings.TrimSpace(strings.ReplaceAll(args, "[OPTIONS]", ""))
	if c.HasAvailableSubCommands() && args == "" {
		args = "COMMAND"
	}
	if args != "" {
		line += " " + args
	}
	return line
}

const usageTemplate = `Usage:  {{berthUsageLine .}}` + usageBody

// helpTemplate is Docker's help: the usage line, the description, then the rest.
const helpTemplate = `
Usage:  {{berthUsageLine .}}
{{- with (or .Long .Short)}}

{{. | trimTrailingWhitespaces}}
{{- end}}` + usageBody

const usageBody = `
{{- if gt (len .Aliases) 0}}

Aliases:
  {{.NameAndAliases}}
{{- end}}
{{- if .HasExample}}

Examples:
{{.Example}}
{{- end}}
{{- if .HasAvailableLocalFlags}}

Options:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}
{{- end}}
{{- if .HasAvailableInheritedFlags}}

Global Options:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}
{{- end}}
{{- if .HasAvailableSubCommands}}
{{- $cmds := .Commands}}
{{- if eq (len .Groups) 0}}

Commands:
{{- range $cmds}}{{if .IsAvailableCommand}}
  {{rpad .Name .NamePadding}} {{.Short}}{{end}}{{end}}
{{- else}}
{{- range $group := .Groups}}

{{.Title}}
{{- range $cmds}}{{if (and (eq .GroupID $group.ID) .IsAvailableCommand)}}
  {{rpad .Name .NamePadding}} {{.Short}}{{end}}{{end}}
{{- end}}
{{- end}}

Run '{{.CommandPath}} COMMAND --help' for more information on a command.
{{- end}}
`
