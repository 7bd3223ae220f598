package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestCIExamples checks the CI recipes a team copies: the GitHub workflow
// (which .ci/run also lints with actionlint) and the GitLab job (GitLab's
// own linter needs its API, which is not reachable offline, so the shape is
// checked here).
func TestCIExamples(t *testing.T) {
	var gh struct {
		On          map[string]any    `yaml:"on"`
		Concurrency map[string]any    `yaml:"concurrency"`
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]any    `yaml:"with"`
				Env  map[string]string `yaml:"env"`
				Run  string            `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	readYAML(t, "../../examples/ci/github-actions.yml", &gh)
	if _, ok := gh.On["schedule"]; !ok {
		t.Error("github: no nightly schedule")
	}
	if _, ok := gh.On["workflow_dispatch"]; !ok {
		t.Error("github: no manual dispatch")
	}
	if gh.Concurrency["group"] == nil || gh.Concurrency["cancel-in-progress"] != false {
		t.Errorf("github: concurrency = %v, want a group that does not cancel a run under way", gh.Concurrency)
	}
	want := map[string]string{"contents": "write", "pull-requests": "write"}
	if len(gh.Permissions) != len(want) {
		t.Errorf("github: permissions = %v, want exactly %v", gh.Permissions, want)
	}
	for k, v := range want {
		if gh.Permissions[k] != v {
			t.Errorf("github: permissions[%s] = %q, want %q", k, gh.Permissions[k], v)
		}
	}
	var synced bool
	for _, job := range gh.Jobs {
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout") && s.With["persist-credentials"] != false {
				t.Error("github: checkout must not persist credentials")
			}
			if syncCmd.MatchString(s.Run) {
				synced = true
				if !strings.Contains(s.Run, "--pr") || !strings.Contains(s.Env["KBSYNC_TOKEN"], "secrets.") {
					t.Errorf("github: the sync step must run --pr with the token from secrets: %q", s.Run)
				}
				if strings.Contains(s.Run, "${{") {
					t.Error("github: expressions in run: scripts invite injection; pass them through env")
				}
			}
		}
	}
	if !synced {
		t.Error("github: no step runs kbsync sync")
	}

	var gl map[string]struct {
		Rules         []map[string]string `yaml:"rules"`
		ResourceGroup string              `yaml:"resource_group"`
		Variables     map[string]string   `yaml:"variables"`
		Script        []string            `yaml:"script"`
	}
	readYAML(t, "../../examples/ci/gitlab-ci.yml", &gl)
	job, ok := gl["kbsync-nightly"]
	if !ok {
		t.Fatal("gitlab: no kbsync-nightly job")
	}
	var schedule bool
	for _, r := range job.Rules {
		schedule = schedule || strings.Contains(r["if"], `"schedule"`)
	}
	if !schedule || job.ResourceGroup == "" || !strings.HasPrefix(job.Variables["KBSYNC_TOKEN"], "$") {
		t.Errorf("gitlab: job = %+v, want a schedule rule, a resource group and the token from a CI/CD variable", job)
	}
	if script := strings.Join(job.Script, "\n"); !syncCmd.MatchString(script) || !strings.Contains(script, "--pr") {
		t.Errorf("gitlab: the script does not run kbsync sync --pr: %q", job.Script)
	}
}

var syncCmd = regexp.MustCompile(`kbsync(@\S+)? sync`)

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
