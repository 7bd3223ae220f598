package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// flatten turns nested YAML maps into dotted keys.
func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 && key != "redact.rules" {
			flatten(key, sub, out)
			continue
		}
		out[key] = v
	}
}

func initFile(t *testing.T, data initData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := initTemplate.Execute(&buf, data); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestInitCoversConfig keeps the file init writes in step with the
// configuration: every key config.go knows is in it, with its default
// value, each with a comment, and no key in it is unknown.
func TestInitCoversConfig(t *testing.T) {
	b := initFile(t, initData{Preset: "plain", Presets: "plain", ContentDir: "faq", KB: "."})
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("init's file is not YAML: %v\n%s", err, b)
	}
	got := map[string]any{}
	flatten("", m, got)
	known := map[string]bool{"sources": true, "select.min_score": true, "redact.rules": true, "redact.extra": true}
	for k := range defaults {
		known[k] = true
	}
	for k := range got {
		if !known[k] {
			t.Errorf("init writes %s, a key the configuration does not know", k)
		}
	}
	for k, def := range defaults {
		v, ok := got[k]
		if !ok {
			t.Errorf("init does not write %s", k)
			continue
		}
		if strings.HasPrefix(k, "kb.") {
			continue
		}
		if fmt.Sprint(v) != fmt.Sprint(def) {
			t.Errorf("init writes %s: %v, the default is %v", k, v, def)
		}
	}
	// Every setting line carries a comment.
	for _, line := range strings.Split(string(b), "\n") {
		trim := strings.TrimSpace(line)
		if trim == "" || strings.HasPrefix(trim, "#") || strings.HasSuffix(trim, ":") || strings.HasPrefix(trim, "sources:") {
			continue
		}
		if !strings.Contains(line, " # ") {
			t.Errorf("no comment on %q", line)
		}
	}
}

// loadFrom resolves a config file the way the commands do.
func loadFrom(t *testing.T, path string) *config {
	t.Helper()
	cmd := &cobra.Command{}
	cmd.Flags().String("config", path, "")
	cfg, err := loadConfig(cmd)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return cfg
}

// TestInitMeansDefaults checks that the written values are the defaults a
// missing setting has, through the real loader: only kb.* differs.
func TestInitMeansDefaults(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	full := filepath.Join(dir, "kbsync.yaml")
	os.WriteFile(empty, []byte("kb:\n  path: kb\n  content_dir: docs/faq\n  preset: plain\n"), 0o644)
	os.WriteFile(full, initFile(t, initData{Preset: "plain", Presets: "plain", ContentDir: "docs/faq", KB: "kb"}), 0o644)
	a, b := loadFrom(t, empty), loadFrom(t, full)
	if a.Select.MinScore != nil || b.Select.MinScore != nil {
		t.Fatalf("min_score: %v / %v, want no minimum", a.Select.MinScore, b.Select.MinScore)
	}
	if sa, sb := fmt.Sprintf("%+v", *a), fmt.Sprintf("%+v", *b); sa != sb {
		t.Errorf("init's file resolves to\n%s\nbut the defaults are\n%s", sb, sa)
	}
	if b.KB.Path != filepath.Join(dir, "kb") || b.KB.ContentDir != "docs/faq" || b.KB.Preset != "plain" {
		t.Errorf("kb = %+v", b.KB)
	}
}

func TestInitFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want initOptions
	}{
		{nil, initOptions{Path: "kbsync.yaml", KB: ".", Preset: "hugo"}},
		{[]string{"--kb", "site", "--preset", "plain", "--force"}, initOptions{Path: "kbsync.yaml", KB: "site", Preset: "plain", Force: true}},
		{[]string{"--config", "conf/k.yaml", "--from", "a", "--from", "discourse:b", "--site", "https://f.example.com"},
			initOptions{Path: "conf/k.yaml", KB: ".", Preset: "hugo", From: []string{"a", "discourse:b"}, Site: "https://f.example.com"}},
	} {
		var got *initOptions
		cmd := newInitCmd(&streams{In: strings.NewReader("")}, func(_ *cobra.Command, o *initOptions) error { got = o; return nil })
		cmd.PersistentFlags().String("config", "", "")
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		got.io = nil
		if !reflect.DeepEqual(*got, tc.want) {
			t.Errorf("%q: %+v, want %+v", tc.args, *got, tc.want)
		}
	}
}

// TestInitAsks answers the prompts: a wrong preset is asked again, a
// missing export too, and the answers land in the file.
func TestInitAsks(t *testing.T) {
	dir := t.TempDir()
	export := filepath.Join(dir, "export.jsonl")
	os.WriteFile(export, []byte("\n"), 0o644)
	var errOut bytes.Buffer
	in := strings.NewReader("wordpress\nplain\n" + filepath.Join(dir, "nope") + "\njsonl:" + export + "\nhttps://forum.example.com\n")
	cmd := newInitCmd(&streams{In: in, Err: &errOut}, func(cmd *cobra.Command, o *initOptions) error {
		o.Interactive = true
		return runInit(cmd, o)
	})
	cmd.PersistentFlags().String("config", "", "")
	path := filepath.Join(dir, "kbsync.yaml")
	cmd.SetArgs([]string{"--config", path})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Site generator (", `unknown preset "wordpress"`, "nope: no such file or folder", "The forum's address"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("prompts lack %q:\n%s", want, errOut.String())
		}
	}
	cfg := loadFrom(t, path)
	if cfg.KB.Preset != "plain" || cfg.KB.ContentDir != "faq" {
		t.Errorf("kb = %+v", cfg.KB)
	}
	want := []sourceConfig{{Format: "jsonl", Path: export, Site: "https://forum.example.com"}}
	if !slices.Equal(cfg.Sources, want) {
		t.Errorf("sources = %+v, want %+v", cfg.Sources, want)
	}

	// End of input keeps the defaults.
	errOut.Reset()
	cmd = newInitCmd(&streams{In: strings.NewReader(""), Err: &errOut}, func(cmd *cobra.Command, o *initOptions) error {
		o.Interactive = true
		return runInit(cmd, o)
	})
	cmd.PersistentFlags().String("config", "", "")
	cmd.SetArgs([]string{"--config", path, "--force"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if cfg := loadFrom(t, path); cfg.KB.Preset != "hugo" || len(cfg.Sources) != 0 {
		t.Errorf("defaults: %+v, sources %v", cfg.KB, cfg.Sources)
	}
}
