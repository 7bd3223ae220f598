package main

import "github.com/spf13/cobra"

// newCompletionCmd replaces cobra's default completion command with the
// same generators, documented and with examples.
func newCompletionCmd(io *streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion",
		Short: "Print a shell completion script (bash, zsh, fish, powershell)",
		Long: `completion prints a script that makes your shell complete kbsync's commands, flags
and values (presets, formats, files). Load it once per session, or install it as shown
for your shell.`,
		Example: `  # bash (needs the bash-completion package)
  source <(kbsync completion bash)
  kbsync completion bash > /etc/bash_completion.d/kbsync

  # zsh
  kbsync completion zsh > "${fpath[1]}/_kbsync"

  # fish
  kbsync completion fish > ~/.config/fish/completions/kbsync.fish

  # PowerShell
  kbsync completion powershell | Out-String | Invoke-Expression`,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown shell %q: use bash, zsh, fish or powershell", args[0])
			}
			return usagef("name a shell: kbsync completion bash|zsh|fish|powershell")
		},
	}
	var noDesc bool
	shell := func(name, example string, gen func(root *cobra.Command) error) *cobra.Command {
		c := &cobra.Command{
			Use:                   name,
			Short:                 "Print the completion script for " + name,
			Example:               example,
			Args:                  cobra.NoArgs,
			DisableFlagsInUseLine: true,
			ValidArgsFunction:     cobra.NoFileCompletions,
			RunE: func(c *cobra.Command, args []string) error {
				return gen(c.Root())
			},
		}
		c.Flags().BoolVar(&noDesc, "no-descriptions", false, "leave out the descriptions of the completions")
		return c
	}
	cmd.AddCommand(
		shell("bash", "  source <(kbsync completion bash)", func(root *cobra.Command) error {
			return root.GenBashCompletionV2(io.Out, !noDesc)
		}),
		shell("zsh", `  kbsync completion zsh > "${fpath[1]}/_kbsync"`, func(root *cobra.Command) error {
			if noDesc {
				return root.GenZshCompletionNoDesc(io.Out)
			}
			return root.GenZshCompletion(io.Out)
		}),
		shell("fish", "  kbsync completion fish > ~/.config/fish/completions/kbsync.fish", func(root *cobra.Command) error {
			return root.GenFishCompletion(io.Out, !noDesc)
		}),
		shell("powershell", "  kbsync completion powershell | Out-String | Invoke-Expression", func(root *cobra.Command) error {
			if noDesc {
				return root.GenPowerShellCompletion(io.Out)
			}
			return root.GenPowerShellCompletionWithDesc(io.Out)
		}),
	)
	return cmd
}
