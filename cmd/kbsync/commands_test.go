package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestEveryCommandHasExample walks the whole command tree, hidden commands
// and the completion subcommands included, and fails for any command
// whose --help would show no example. Cobra's own help command and its
// hidden __complete commands are not kbsync's and are left out.
func TestEveryCommandHasExample(t *testing.T) {
	root := newRootCmd(&streams{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &bytes.Buffer{}})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var seen []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		name := c.Name()
		if name == "help" || strings.HasPrefix(name, "__complete") {
			return
		}
		seen = append(seen, c.CommandPath())
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, want := range []string{"kbsync sync", "kbsync preview", "kbsync init", "kbsync report", "kbsync version",
		"kbsync completion", "kbsync completion bash", "kbsync completion zsh", "kbsync completion fish",
		"kbsync completion powershell", "kbsync man"} {
		found := false
		for _, s := range seen {
			found = found || s == want
		}
		if !found {
			t.Errorf("the walk did not reach %q (seen %q)", want, seen)
		}
	}
}

// TestHelpShowsExamples checks that the Example text reaches --help.
func TestHelpShowsExamples(t *testing.T) {
	for _, args := range [][]string{{"report", "--help"}, {"init", "--help"}, {"completion", "--help"}, {"version", "--help"}} {
		var out bytes.Buffer
		code := run(t.Context(), args, strings.NewReader(""), &out, &bytes.Buffer{})
		_, ex, _ := strings.Cut(out.String(), "\nExamples:\n")
		if code != 0 || !strings.Contains(ex, "  kbsync "+args[0]) {
			t.Errorf("kbsync %s: exit %d, no examples in\n%s", strings.Join(args, " "), code, out.String())
		}
	}
}
