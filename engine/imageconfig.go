package engine

import v1 "github.com/google/go-containerregistry/pkg/v1"

// ImageConfig is the container's configuration as `docker commit` records it in the
// image it makes: the image's config with the spec's entrypoint and command (by
// Docker's rules), its environment merged as the process gets it (without HOSTNAME,
// which belongs to the container), its working dir, its user, and its labels over
// the image's (a Compose container's com.docker.compose.* ones too, as Docker's).
func (s *Spec) ImageConfig() v1.Config {
	c := *s.Image.DeepCopy()
	if s.Entrypoint != nil {
		c.Entrypoint, c.Cmd = s.Entrypoint, nil
	}
	if s.Cmd != nil {
		c.Cmd = s.Cmd
	}
	noHost := *s
	noHost.Hostname = ""
	c.Env = noHost.env()
	if s.WorkingDir != "" {
		c.WorkingDir = s.WorkingDir
	}
	c.User = s.user()
	if len(s.Labels) > 0 && c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for k, v := range s.Labels {
		c.Labels[k] = v
	}
	return c
}
