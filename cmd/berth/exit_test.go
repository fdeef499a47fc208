package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitWith(t *testing.T) {
	for _, status := range []int{0, 1, 3, 130, 137} {
		err := exitWith(status)
		if status == 0 {
			if err != nil {
				t.Errorf("exitWith(0) = %v, want nil", err)
			}
			continue
		}
		var e exitError
		if !errors.As(err, &e) || e.ExitCode() != status {
			t.Errorf("exitWith(%d) = %#v, want exitError(%d)", status, err, status)
		}
	}
}

func TestExitStatus(t *testing.T) {
	tests := []struct {
		err        error
		want       int
		wantStderr string
	}{
		{nil, 0, ""},
		{exitWith(7), 7, ""},
		{fmt.Errorf("up: %w", exitWith(130)), 130, ""},
		{&codedError{code: 4, err: errors.New("failed with 4")}, 4, "berth: failed with 4\n"},
		{errors.New("no such service: web"), 1, "berth: no such service: web\n"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		if got := exitStatus(tt.err, &stderr); got != tt.want || stderr.String() != tt.wantStderr {
			t.Errorf("exitStatus(%v) = %d, stderr %q; want %d, %q", tt.err, got, stderr.String(), tt.want, tt.wantStderr)
		}
	}
}

// TestOnlyMainExits: a handler that calls os.Exit skips its deferred cleanups (a
// terminal left raw, signals still caught); it returns exitWith(status) instead.
func TestOnlyMainExits(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if ok && fn.Name.Name == "main" && fn.Recv == nil {
				return false
			}
			sel, ok := n.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "Exit" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" {
					t.Errorf("%s: os.Exit outside main: return exitWith(status) instead", fset.Position(sel.Pos()))
				}
			}
			return true
		})
	}
}
