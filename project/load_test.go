package project

import (
	"testing"

	"github.com/berth-dev/berth/project/internal/composetest"

	"github.com/berth-dev/berth/compose"
)

func loadYAML(t *testing.T, content string) *compose.Project { return composetest.Load(t, content) }
