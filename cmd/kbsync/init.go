package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	kbsync "github.com/kbsync/kbsync/sync"
	"github.com/kbsync/kbsync/templates"
)

type initOptions struct {
	io     *streams
	Path   string // the file to write
	KB     string
	Preset string
	From   []string
	Site   string
	Force  bool
	// Interactive asks for what the flags did not give; set when stdin is
	// a terminal.
	Interactive bool
}

func newInitCmd(io *streams, runF func(*cobra.Command, *initOptions) error) *cobra.Command {
	opts := &initOptions{io: io}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented kbsync.yaml to start from",
		Long: `init writes kbsync.yaml (or the file --config names) with every setting, a one-line
comment each, and values that work: the content folder is the one the preset's site
generator expects. On a terminal it asks for the preset and the export to read
(Enter keeps the default); otherwise it asks nothing. It never overwrites an existing
file unless --force is given.`,
		Example: `  # Answer two questions (Enter keeps the default)
  kbsync init

  # In a script: a Docusaurus site, a Discourse export, nothing asked
  kbsync init --preset docusaurus --from discourse:./topics --site https://forum.example.com
  kbsync sync --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path, _ = cmd.Flags().GetString("config")
			if opts.Path == "" {
				opts.Path = "kbsync.yaml"
			}
			// What the flags give is not asked again.
			opts.Interactive = isTerminal(opts.io.In) && !(cmd.Flags().Changed("preset") && len(opts.From) > 0)
			if runF != nil {
				return runF(cmd, opts)
			}
			return runInit(cmd, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.KB, "kb", ".", "the knowledge base's working tree, written as kb.path")
	f.StringVar(&opts.Preset, "preset", "hugo", "site generator preset: "+strings.Join(templates.PresetNames(), ", "))
	f.StringArrayVar(&opts.From, "from", nil, "an export to list under sources, `[FORMAT:]PATH` (repeatable)")
	f.StringVar(&opts.Site, "site", "", "the forum's public address, for the sources given with --from")
	f.BoolVar(&opts.Force, "force", false, "overwrite an existing file")
	cmd.RegisterFlagCompletionFunc("preset", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return templates.PresetNames(), cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// isTerminal reports whether r is a terminal (an interactive user).
func isTerminal(r any) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func runInit(cmd *cobra.Command, opts *initOptions) error {
	if _, err := os.Stat(opts.Path); err == nil && !opts.Force {
		return usagef("%s already exists: edit it, or pass --force to overwrite it", opts.Path)
	}
	if opts.Interactive {
		if err := askInit(cmd, opts); err != nil {
			return err
		}
	}
	preset, err := templates.LookupPreset(opts.Preset)
	if err != nil {
		return usagef("%v", err)
	}
	dir, err := filepath.Abs(filepath.Dir(opts.Path))
	if err != nil {
		return err
	}
	data := initData{Preset: preset.Name, Presets: strings.Join(templates.PresetNames(), " | "),
		ContentDir: preset.ContentDir, KB: relTo(dir, opts.KB)}
	for _, f := range opts.From {
		s := kbsync.ParseFrom(f)
		if _, err := os.Stat(s.Path); err != nil {
			return usagef("--from %s: %v", f, errors.Unwrap(err))
		}
		data.Sources = append(data.Sources, initSource{Format: s.Format, Path: relTo(dir, s.Path), Site: opts.Site})
	}
	var buf bytes.Buffer
	if err := initTemplate.Execute(&buf, data); err != nil {
		return err
	}
	if err := writeFileAtomic(opts.Path, buf.Bytes()); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	fmt.Fprintf(opts.io.Err, "wrote %s: preset %s, articles in %s/\n", opts.Path, preset.Name, preset.ContentDir)
	if len(data.Sources) == 0 {
		fmt.Fprintf(opts.io.Err, "next: list your exports under sources: in %s, then run kbsync sync --dry-run\n", opts.Path)
	} else {
		fmt.Fprintln(opts.io.Err, "next: kbsync sync --dry-run")
	}
	return nil
}

// askInit asks, on the terminal, for what the flags did not give. Enter
// keeps the default; the end of input keeps every default.
func askInit(cmd *cobra.Command, opts *initOptions) error {
	in := bufio.NewReader(opts.io.In)
	w := opts.io.Err
	ask := func(q, def string) (string, bool) {
		if def != "" {
			fmt.Fprintf(w, "%s [%s]: ", q, def)
		} else {
			fmt.Fprintf(w, "%s: ", q)
		}
		line, err := in.ReadString('\n')
		if err != nil && line == "" {
			fmt.Fprintln(w)
			return def, false
		}
		if s := strings.TrimSpace(line); s != "" {
			return s, true
		}
		return def, true
	}
	if !cmd.Flags().Changed("preset") {
		for {
			p, more := ask("Site generator ("+strings.Join(templates.PresetNames(), ", ")+")", opts.Preset)
			if _, err := templates.LookupPreset(p); err == nil || !more {
				opts.Preset = p
				break
			}
			fmt.Fprintf(w, "unknown preset %q\n", p)
		}
	}
	if len(opts.From) == 0 {
		for {
			p, more := ask("Forum export to read, [FORMAT:]PATH (Enter for none yet)", "")
			if p == "" {
				break
			}
			if _, err := os.Stat(kbsync.ParseFrom(p).Path); err == nil {
				opts.From = []string{p}
				if opts.Site == "" {
					opts.Site, _ = ask("The forum's address, for links (Enter for none)", "")
				}
				break
			}
			fmt.Fprintf(w, "%s: no such file or folder\n", p)
			if !more {
				break
			}
		}
	}
	return nil
}

// relTo writes p relative to dir when it is inside it (paths in
// kbsync.yaml are relative to the file), else absolute.
func relTo(dir, p string) string {
	if p == "" || strings.Contains(p, "://") {
		return p
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(dir, abs); err == nil && filepath.IsLocal(rel) || rel == "." {
		return filepath.ToSlash(rel)
	}
	return abs // outside the file's folder: clearer as it is
}

// writeFileAtomic writes through a temporary file in the same folder, so
// that an interrupted init never leaves half a file.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".kbsync-init-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

type initSource struct{ Format, Path, Site string }

type initData struct {
	Preset, Presets, ContentDir, KB string
	Sources                         []initSource
}

// q quotes a value for YAML: a JSON string is a valid YAML double-quoted
// scalar.
func q(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// pad aligns a kb: line's comment with the others.
func pad(s string) string {
	return s + strings.Repeat(" ", max(1, 28-len(s)))
}

// initTemplate is kbsync.yaml as init writes it. Every key of the
// configuration is here; TestInitCoversConfig keeps it in step with the
// defaults in config.go.
var initTemplate = template.Must(template.New("kbsync.yaml").Funcs(template.FuncMap{"q": q, "pad": pad}).Parse(
	`# kbsync settings: https://github.com/kbsync/kbsync#configuration
# Precedence: flags > KBSYNC_* environment (KBSYNC_KB_PATH, ...) > this file > defaults.
# Relative paths here are relative to this file.

# The forum exports to read (what --from gives on the command line).
{{- if .Sources}}
sources:
{{- range .Sources}}
  - path: {{q .Path}}{{if .Format}}
    format: {{.Format}}{{end}}{{if .Site}}
    site: {{q .Site}}{{end}}
{{- end}}
{{- else}}
# sources:
#   - format: stackexchange     # optional: detected from the content when absent
#     path: exports/coffee.stackexchange.com
#     site: https://coffee.stackexchange.com   # for permalinks; a folder named after the site needs none
sources: []
{{- end}}

kb:
  {{pad (printf "path: %s" (q .KB))}}# the knowledge base's git working tree (created by the first sync)
  {{pad (printf "content_dir: %s" (q .ContentDir))}}# where the articles go, inside the knowledge base
  {{pad (printf "preset: %s" .Preset)}}# site generator: {{.Presets}}
  jsonld: ""                  # schema.org JSON-LD in the front matter: qapage, faqpage or "" (none)
  lang: ""                    # lang in front matter: "" as the source states, auto (detect, ~2 ms an article) or a tag (fr)

select:                       # which solved threads become articles
  min_score: null             # a number leaves out threads scored lower (null: no minimum)
  include_tags: []            # when set, a thread needs one of these tags (or its category)
  exclude_tags: []            # threads with one of these tags (or category) are left out
  since: ""                   # only threads active since this date, e.g. 2024-01-31
  self_answers: true          # keep threads whose accepted answer is the asker's own
  trusted_answerers: []       # staff and experts whose replies qualify where there is no accept mark

git:
  branch: ""                  # the branch to commit on; empty: the checked-out one (with --pr: kbsync/nightly)
  author: "kbsync <kbsync@localhost>"   # commit author, "Name <email>"

publish:                      # pull requests (sync --pr); the token comes from KBSYNC_TOKEN, never from here
  provider: ""                # github | gitea | gitlab; inferred from the remote URL when empty
  api_url: ""                 # GitHub Enterprise, self-hosted Gitea or GitLab API address
  repo: ""                    # owner/name; inferred from the remote URL when empty
  base: main                  # the branch pull requests go to
  labels: [kbsync]            # labels of the pull request
  reviewers: []               # users (or org/team on GitHub) asked to review
  assignees: []               # users the pull request is assigned to
  draft: false                # open pull requests as drafts

redact:                       # personal data and secrets removed from articles
  rules: {}                   # turn rules off by name, e.g. {phone: false}
  ips: false                  # also redact public IP addresses
  region: US                  # region for phone numbers written without a country code
  allow: []                   # never redacted: support@example.com, or @example.com for a domain
  extra: []                   # more patterns: [{name: order-id, regexp: 'ORD-\d{8}'}]

templates: ""                 # a folder whose files override the embedded templates
`))
