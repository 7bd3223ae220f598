package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	kbsync "github.com/kbsync/kbsync/sync"
	"github.com/kbsync/kbsync/sync/redact"
)

// config is kbsync.yaml, resolved with the environment and the flags.
type config struct {
	Sources   []sourceConfig `mapstructure:"sources"`
	Templates string         `mapstructure:"templates"`
	KB        struct {
		Path       string `mapstructure:"path"`
		ContentDir string `mapstructure:"content_dir"`
		Preset     string `mapstructure:"preset"`
		JSONLD     string `mapstructure:"jsonld"`
		Lang       string `mapstructure:"lang"`
	} `mapstructure:"kb"`
	Select struct {
		MinScore         *int     `mapstructure:"min_score"`
		IncludeTags      []string `mapstructure:"include_tags"`
		ExcludeTags      []string `mapstructure:"exclude_tags"`
		Since            string   `mapstructure:"since"`
		SelfAnswers      bool     `mapstructure:"self_answers"`
		TrustedAnswerers []string `mapstructure:"trusted_answerers"`
	} `mapstructure:"select"`
	Git struct {
		Branch string `mapstructure:"branch"`
		Author string `mapstructure:"author"`
	} `mapstructure:"git"`
	Redact struct {
		Rules  map[string]bool `mapstructure:"rules"`
		IPs    bool            `mapstructure:"ips"`
		Region string          `mapstructure:"region"`
		Allow  []string        `mapstructure:"allow"`
		Extra  []struct {
			Name   string `mapstructure:"name"`
			Regexp string `mapstructure:"regexp"`
		} `mapstructure:"extra"`
	} `mapstructure:"redact"`
	Publish struct {
		Provider  string   `mapstructure:"provider"`
		APIURL    string   `mapstructure:"api_url"`
		Repo      string   `mapstructure:"repo"`
		Base      string   `mapstructure:"base"`
		Labels    []string `mapstructure:"labels"`
		Reviewers []string `mapstructure:"reviewers"`
		Assignees []string `mapstructure:"assignees"`
		Draft     bool     `mapstructure:"draft"`
	} `mapstructure:"publish"`

	dir string // folder of the config file: relative paths in it start there
}

type sourceConfig struct {
	Format string `mapstructure:"format"`
	Path   string `mapstructure:"path"`
	Site   string `mapstructure:"site"`
}

// defaults lists every key, so that KBSYNC_* variables reach Unmarshal
// (viper ignores environment keys it has never heard of).
var defaults = map[string]any{
	"templates":                "",
	"kb.path":                  "",
	"kb.content_dir":           "faq",
	"kb.preset":                "hugo",
	"kb.jsonld":                "",
	"kb.lang":                  "",
	"select.include_tags":      []string{},
	"select.exclude_tags":      []string{},
	"select.since":             "",
	"select.self_answers":      true,
	"select.trusted_answerers": []string{},
	"git.branch":               "",
	"git.author":               "kbsync <kbsync@localhost>",
	"redact.ips":               false,
	"redact.region":            "US",
	"redact.allow":             []string{},
	"publish.provider":         "",
	"publish.api_url":          "",
	"publish.repo":             "",
	"publish.base":             "main",
	"publish.labels":           []string{"kbsync"},
	"publish.reviewers":        []string{},
	"publish.assignees":        []string{},
	"publish.draft":            false,
}

// flagKeys maps flags to the config keys they override.
var flagKeys = map[string]string{
	"kb":        "kb.path",
	"branch":    "git.branch",
	"templates": "templates",
	"preset":    "kb.preset",
}

// loadConfig reads the configuration with the precedence flags >
// KBSYNC_* environment > kbsync.yaml > defaults. A fresh viper instance
// per call keeps commands independent.
func loadConfig(cmd *cobra.Command) (*config, error) {
	v := viper.New()
	for k, d := range defaults {
		v.SetDefault(k, d)
	}
	v.SetEnvPrefix("KBSYNC")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	// Keys without a default need an explicit binding to be seen in the environment.
	for _, k := range []string{"select.min_score"} {
		v.BindEnv(k)
	}
	cfg := &config{}
	path, _ := cmd.Flags().GetString("config")
	explicit := path != ""
	if !explicit {
		path = os.Getenv("KBSYNC_CONFIG")
		explicit = path != ""
	}
	if !explicit {
		path = "kbsync.yaml"
	}
	if _, err := os.Stat(path); err == nil || explicit {
		v.SetConfigFile(path)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, usagef("config %s: %v", path, pe.Err)
			}
			return nil, usagef("config %s: %v", path, err)
		}
		abs, _ := filepath.Abs(path)
		cfg.dir = filepath.Dir(abs)
	}
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		key, ok := flagKeys[f.Name]
		if ok && f.Changed {
			v.Set(key, f.Value.String())
		}
	})
	if err = v.Unmarshal(cfg); err != nil {
		return nil, usagef("config: %v", err)
	}
	if cfg.KB.Path != "" && !cmd.Flags().Changed("kb") && os.Getenv("KBSYNC_KB_PATH") == "" && !strings.Contains(cfg.KB.Path, "://") {
		cfg.KB.Path = cfg.rel(cfg.KB.Path)
	}
	if cfg.Templates != "" && !cmd.Flags().Changed("templates") && os.Getenv("KBSYNC_TEMPLATES") == "" {
		cfg.Templates = cfg.rel(cfg.Templates)
	}
	for i := range cfg.Sources {
		if cfg.Sources[i].Path == "" {
			return nil, usagef("config: sources[%d] has no path", i)
		}
		cfg.Sources[i].Path = cfg.rel(cfg.Sources[i].Path)
	}
	return cfg, nil
}

// rel resolves a path written in the config file against its folder.
func (c *config) rel(p string) string {
	if c.dir == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(c.dir, p)
}

// policy is the selection policy of select:.
func (c *config) policy() (kbsync.Policy, error) {
	since, err := c.since()
	if err != nil {
		return kbsync.Policy{}, err
	}
	return kbsync.Policy{MinScore: c.Select.MinScore, IncludeTags: c.Select.IncludeTags,
		ExcludeTags: c.Select.ExcludeTags, Since: since, NoSelfAnswers: !c.Select.SelfAnswers,
		Trusted: c.Select.TrustedAnswerers}, nil
}

// since parses select.since: a date (2024-01-31) or an RFC 3339 time.
func (c *config) since() (time.Time, error) {
	s := strings.TrimSpace(c.Select.Since)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, usagef("config: select.since %q is not a date (use 2024-01-31)", s)
}

// author parses git.author, "Name <email>".
func (c *config) author() (name, email string, err error) {
	a := strings.TrimSpace(c.Git.Author)
	lt, gt := strings.IndexByte(a, '<'), strings.LastIndexByte(a, '>')
	if lt <= 0 || gt < lt || gt != len(a)-1 {
		return "", "", usagef("config: git.author %q must look like \"Name <email>\"", a)
	}
	return strings.TrimSpace(a[:lt]), a[lt+1 : gt], nil
}

// redact is the redaction configuration.
func (c *config) redact() redact.Config {
	rc := redact.Config{Rules: c.Redact.Rules, IPs: c.Redact.IPs, Region: c.Redact.Region, Allow: c.Redact.Allow}
	for _, e := range c.Redact.Extra {
		rc.Extra = append(rc.Extra, redact.Pattern{Name: e.Name, Regexp: e.Regexp})
	}
	return rc
}
