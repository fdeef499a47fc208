package compose

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Options say which files to load and how, as Docker Compose's global flags do.
type Options struct {
	Files         []string          // -f, in order; "-" reads Stdin. Empty: COMPOSE_FILE or discovery.
	WorkingDir    string            // directory to discover from; default the process's
	ProjectDir    string            // --project-directory; default the first file's directory
	ProjectName   string            // -p
	EnvFiles      []string          // --env-file; default <project dir>/.env
	Profiles      []string          // --profile; without it COMPOSE_PROFILES (none: the profile "")
	Environ       map[string]string // process environment; wins over env files
	Stdin         io.Reader
	NoInterpolate bool     // keep ${VAR} as written; the model is rendered as Compose's raw model
	NoNormalize   bool     // no default network, no resource names (`config --no-normalize`)
	Services      []string // services named on the CLI: they enable their profiles
	// NoResolvePaths keeps relative paths (bind sources, build contexts, env and label
	// files, secret and config files, watch paths) as written (`config
	// --no-path-resolution`); files berth reads are still found from the project dir.
	NoResolvePaths bool
	// NoEnvResolution keeps env_file as a list instead of folding the files into
	// environment, and reads none of them (`config --no-env-resolution`).
	NoEnvResolution bool
	// NoConsistency does not report references to undefined services, networks,
	// volumes, secrets, configs and models (`config --no-consistency`).
	NoConsistency bool
}

// discoveryNames are the file names Compose looks for, in order.
var discoveryNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

var overrideNames = []string{"compose.override.yaml", "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml"}

// Load reads, interpolates, merges, normalizes and validates a project. Errors about the
// files' content are an ErrorList (wrapping ErrInvalid) with every problem, sorted by
// position; a missing file wraps ErrNotFound. Load does no I/O besides reading files.
func Load(ctx context.Context, opts Options) (*Project, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Environ == nil {
		opts.Environ = map[string]string{}
	}
	wd := opts.WorkingDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	opts.Environ = withPWD(opts.Environ, wd)
	fileEnv, err := fileSelectionEnv(opts, wd)
	if err != nil {
		return nil, err
	}
	files, err := resolveFiles(opts, wd, fileEnv)
	if err != nil {
		return nil, err
	}
	projectDir := opts.ProjectDir
	if projectDir == "" {
		projectDir = filepath.Dir(files[0])
		if files[0] == "-" {
			projectDir = wd
		}
	} else if !filepath.IsAbs(projectDir) {
		projectDir = filepath.Join(wd, projectDir)
	}
	env, err := projectEnv(opts, wd, projectDir)
	if err != nil {
		return nil, err
	}
	p, err := loadFiles(opts, files, projectDir, env)
	if _, set := env["COMPOSE_PROJECT_NAME"]; err == nil && !set && !opts.NoInterpolate && mentions(files, "COMPOSE_PROJECT_NAME") {
		// Compose settles the project name first and then interpolates with
		// COMPOSE_PROJECT_NAME set to it: load again with it.
		env["COMPOSE_PROJECT_NAME"] = p.Name
		return loadFiles(opts, files, projectDir, env)
	}
	return p, err
}

// mentions reports whether one of the compose files (not stdin) contains s.
func mentions(files []string, s string) bool {
	for _, f := range files {
		if data, err := os.ReadFile(f); f != "-" && err == nil && strings.Contains(string(data), s) {
			return true
		}
	}
	return false
}

// fileSelectionEnv is the environment COMPOSE_FILE is read from: with no -f, Compose
// reads the env files (the default .env of --project-directory, else of the working
// directory) before it looks for compose files, so a .env can name them.
func fileSelectionEnv(opts Options, wd string) (map[string]string, error) {
	if len(opts.Files) > 0 || opts.Environ["COMPOSE_FILE"] != "" {
		return opts.Environ, nil
	}
	dir := wd
	if opts.ProjectDir != "" {
		dir = opts.ProjectDir
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(wd, dir)
		}
	}
	return projectEnv(opts, wd, dir)
}

// resolveFiles applies -f, COMPOSE_FILE (of env) and discovery (working dir, then
// parents).
func resolveFiles(opts Options, wd string, env map[string]string) ([]string, error) {
	files := opts.Files
	if len(files) == 0 {
		if cf := env["COMPOSE_FILE"]; cf != "" {
			sep := env["COMPOSE_PATH_SEPARATOR"]
			if sep == "" {
				sep = string(os.PathListSeparator)
			}
			files = strings.Split(cf, sep)
		}
	}
	if len(files) == 0 {
		return discover(wd)
	}
	out := make([]string, len(files))
	for i, f := range files {
		if f != "-" && !filepath.IsAbs(f) {
			f = filepath.Join(wd, f)
		}
		out[i] = f
	}
	return out, nil
}

func discover(dir string) ([]string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		for _, n := range discoveryNames {
			p := filepath.Join(d, n)
			if _, err := os.Stat(p); err == nil {
				files := []string{p}
				for _, o := range overrideNames {
					op := filepath.Join(d, o)
					if _, err := os.Stat(op); err == nil {
						files = append(files, op)
						break
					}
				}
				return files, nil
			}
		}
		if filepath.Dir(d) == d {
			return nil, fmt.Errorf("in %s or any parent (looked for %s): %w", dir, strings.Join(discoveryNames, ", "), ErrNotFound)
		}
	}
}

// projectEnv merges the env files under the process environment (which wins). The
// files of --env-file and COMPOSE_ENV_FILES are relative to the working directory wd
// (as Compose's); the default .env is the project directory's.
func projectEnv(opts Options, wd, projectDir string) (map[string]string, error) {
	envFiles := append([]string(nil), opts.EnvFiles...)
	required := true
	source := "--env-file"
	if len(envFiles) == 0 {
		if ef := opts.Environ["COMPOSE_ENV_FILES"]; ef != "" {
			envFiles, source = strings.Split(ef, ","), "COMPOSE_ENV_FILES"
		}
	}
	if len(envFiles) == 0 {
		if opts.Environ["COMPOSE_DISABLE_ENV_FILE"] != "" && opts.Environ["COMPOSE_DISABLE_ENV_FILE"] != "0" && opts.Environ["COMPOSE_DISABLE_ENV_FILE"] != "false" {
			envFiles = nil
		} else {
			envFiles, required = []string{filepath.Join(projectDir, ".env")}, false
		}
	}
	for i, f := range envFiles {
		if !filepath.IsAbs(f) {
			envFiles[i] = filepath.Join(wd, f)
		}
		if _, err := os.Stat(envFiles[i]); required && os.IsNotExist(err) {
			return nil, fmt.Errorf("%s %s: couldn't find env file %s: %w", source, f, envFiles[i], os.ErrNotExist)
		}
	}
	dot, err := readEnvFiles(envFiles, opts.Environ, required)
	if err != nil {
		return nil, err
	}
	for k, v := range opts.Environ {
		dot[k] = v
	}
	return dot, nil
}

var nameInvalid = regexp.MustCompile(`[^a-z0-9_-]`)

// NormalizeProjectName lower-cases name and drops characters Compose does not allow,
// as Compose does for a project name taken from a directory.
func NormalizeProjectName(name string) string {
	return strings.TrimLeft(nameInvalid.ReplaceAllString(strings.ToLower(name), ""), "_-")
}

// withPWD is environ with PWD set to the working directory when the process
// environment has none (env -i, cron, systemd), as Docker Compose does, so ${PWD}
// means the same in both. environ itself is not changed.
func withPWD(environ map[string]string, wd string) map[string]string {
	if _, ok := environ["PWD"]; ok {
		return environ
	}
	out := make(map[string]string, len(environ)+1)
	for k, v := range environ {
		out[k] = v
	}
	out["PWD"] = wd
	return out
}
