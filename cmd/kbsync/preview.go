package main

import (
	"github.com/spf13/cobra"

	kbsync "github.com/kbsync/kbsync/sync"
)

type previewOptions struct {
	io        *streams
	From      string
	ID        string
	Site      string
	Templates string
	// Open renders the article to an HTML file and opens it; opener and
	// terminal are replaced by tests.
	Open     bool
	opener   func(path string) error
	terminal func() bool
}

func newPreviewCmd(io *streams, runF func(*cobra.Command, *previewOptions) error) *cobra.Command {
	opts := &previewOptions{io: io, opener: systemOpener, terminal: func() bool { return isTerminal(io.Out) && io.ErrIsTTY }}
	cmd := &cobra.Command{
		Use:   "preview [FORMAT:]PATH",
		Short: "Print the articles an export would give, touching nothing",
		Long: `preview renders the article of one thread (--id), or of every solved thread, to
stdout, exactly as sync would write it. No knowledge base is read or written.`,
		Example: `  kbsync preview ./coffee.stackexchange.com --id 1
  kbsync preview discourse:./topics --site https://forum.example.com --id 3785 > article.md

  # See it as a page in the browser
  kbsync preview ./coffee.stackexchange.com --id 1 --open`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.From = args[0]
			if runF != nil {
				return runF(cmd, opts)
			}
			return runPreview(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.ID, "id", "", "the thread (question or topic) id to render")
	cmd.Flags().StringVar(&opts.Site, "site", "", "the forum's public address, for permalinks")
	cmd.Flags().StringVar(&opts.Templates, "templates", "", "a folder of templates overriding the embedded ones")
	cmd.Flags().String("preset", "", "site generator preset (default hugo)")
	cmd.Flags().BoolVar(&opts.Open, "open", false, "render the article (--id) to an HTML file and open it in the browser")
	return cmd
}

func runPreview(cmd *cobra.Command, opts *previewOptions) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	src := kbsync.ParseFrom(opts.From)
	src.Site = opts.Site
	po := kbsync.PreviewOptions{Source: src, ID: opts.ID, Templates: cfg.Templates, Redact: cfg.redact(), Preset: cfg.KB.Preset, StructuredData: cfg.KB.JSONLD, Lang: cfg.KB.Lang}
	if opts.Open {
		return previewOpen(cmd, opts, po)
	}
	return kbsync.Preview(cmd.Context(), po, opts.io.Out)
}
