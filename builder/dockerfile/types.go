package dockerfile

// Dockerfile is a parsed Dockerfile with variables expanded.
type Dockerfile struct {
	// Directives holds parser directives by lower-case key (syntax, escape, check).
	Directives map[string]string `json:"directives,omitempty"`
	// GlobalArgs are the ARGs declared before the first FROM, with their
	// resolved values; they are visible in FROM lines only, unless a stage
	// re-declares them.
	GlobalArgs []KeyValue `json:"global_args,omitempty"`
	// Stages in file order; Stages[i].Index == i.
	Stages []*Stage `json:"stages"`

	filename string // Options.Filename, for errors from Target
}

// Stage is one FROM and the instructions up to the next FROM.
type Stage struct {
	Index    int    `json:"index"`
	Name     string `json:"name,omitempty"` // lower-case AS name
	Line     int    `json:"line"`
	Base     string `json:"base"`               // expanded image reference, "scratch" or a stage name
	Platform string `json:"platform,omitempty"` // expanded --platform value
	// BaseStage is the index of the earlier stage named by Base, or nil when
	// Base is an image (or scratch).
	BaseStage    *int           `json:"base_stage,omitempty"`
	Instructions []*Instruction `json:"instructions"`

	env   []KeyValue // ENV state at the end of the stage
	shell []string   // SHELL state at the end of the stage
}

// KeyValue is one NAME=value pair. For an ARG without a default and without
// a build arg, Set is false.
type KeyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Set   bool   `json:"set"`
}

// Instruction is one instruction of a stage. Cmd is the lower-case
// instruction name; which other fields are filled depends on it:
//
//	arg, env, label        KeyValues (MAINTAINER becomes label "maintainer")
//	workdir, user, stopsignal  Value
//	run, cmd, entrypoint   Command (shell form already wrapped in the stage's SHELL); run: Mounts
//	shell                  Command
//	copy, add              Copy
//	expose                 Ports;  volume  Volumes
//	healthcheck            Health
type Instruction struct {
	Line      int          `json:"line"`
	Cmd       string       `json:"cmd"`
	Original  string       `json:"original"`
	KeyValues []KeyValue   `json:"key_values,omitempty"`
	Value     string       `json:"value,omitempty"`
	Command   *Command     `json:"command,omitempty"`
	Copy      *Copy        `json:"copy,omitempty"`
	Ports     []string     `json:"ports,omitempty"`
	Volumes   []string     `json:"volumes,omitempty"`
	Health    *Healthcheck `json:"health,omitempty"`
	Mounts    []RunMount   `json:"mounts,omitempty"`  // RUN --mount
	Network   string       `json:"network,omitempty"` // RUN --network: default, none or host
}

// Command is the argv of RUN, CMD, ENTRYPOINT or SHELL. For the shell form
// Args is the stage's SHELL followed by the command text, and ShellForm is true.
type Command struct {
	Args      []string `json:"args"`
	ShellForm bool     `json:"shell_form,omitempty"`
}

// Copy holds a COPY or ADD. Sources and Dest are expanded but not resolved
// against the context; From is the expanded --from value.
type Copy struct {
	Sources []string `json:"sources"`
	Dest    string   `json:"dest"`
	Chown   string   `json:"chown,omitempty"`
	Chmod   string   `json:"chmod,omitempty"`
	From    string   `json:"from,omitempty"`
	// FromStage is the index of the earlier stage --from names (by name or
	// index); nil when From is empty (the context) or names an image.
	FromStage *int `json:"from_stage,omitempty"`
}

// Healthcheck is a HEALTHCHECK in the image-config form: Test is ["NONE"],
// ["CMD", args...] or ["CMD-SHELL", command]. Durations are Go duration
// strings as written; zero values mean "inherit the default".
type Healthcheck struct {
	Test          []string `json:"test"`
	Interval      string   `json:"interval,omitempty"`
	Timeout       string   `json:"timeout,omitempty"`
	StartPeriod   string   `json:"start_period,omitempty"`
	StartInterval string   `json:"start_interval,omitempty"`
	Retries       int      `json:"retries,omitempty"`
}
