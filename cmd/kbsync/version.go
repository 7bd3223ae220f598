package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func versionString() string {
	v := version
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	s := v
	if commit != "" {
		s += " (" + commit
		if date != "" {
			s += ", " + date
		}
		s += ")"
	}
	return s
}

func newVersionCmd(io *streams) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print kbsync's version",
		Args:    cobra.NoArgs,
		Example: "  kbsync version",
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := fmt.Fprintln(io.Out, "kbsync "+versionString())
			return err
		},
	}
}
