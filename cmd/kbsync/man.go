package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

type manOptions struct {
	io  *streams
	Dir string
}

// newManCmd generates the man pages. It is hidden: packagers run it, as
// `go run ./cmd/kbsync man --dir man`.
func newManCmd(io *streams) *cobra.Command {
	opts := &manOptions{io: io}
	cmd := &cobra.Command{
		Use:     "man",
		Short:   "Write kbsync's man pages (section 1) to a folder",
		Example: "  kbsync man --dir man && man -l man/kbsync-sync.1",
		Hidden:  true,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMan(cmd, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "the folder to write the pages to (created if needed)")
	return cmd
}

func runMan(cmd *cobra.Command, opts *manOptions) error {
	if opts.Dir == "" {
		return usagef("man needs --dir DIR")
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return fmt.Errorf("man: %w", err)
	}
	root := cmd.Root()
	// No "Auto generated ... <date>" footer: the pages stay reproducible
	// (the header date honours SOURCE_DATE_EPOCH).
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Title: "KBSYNC", Section: "1", Source: "kbsync " + versionString(), Manual: "kbsync manual"}
	if err := doc.GenManTree(root, header, opts.Dir); err != nil {
		return fmt.Errorf("man: %w", err)
	}
	fmt.Fprintf(opts.io.Err, "wrote the man pages to %s\n", opts.Dir)
	return nil
}
