package forge_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/kb/forge"
)

func TestInfer(t *testing.T) {
	cases := []struct {
		remote string
		want   forge.Config
		err    string // substring of the error, when one is expected
	}{
		{remote: "https://github.com/o/r", want: forge.Config{Provider: "github", Repo: "o/r"}},
		{remote: "https://github.com/o/r.git", want: forge.Config{Provider: "github", Repo: "o/r"}},
		{remote: "https://github.com/o/r/", want: forge.Config{Provider: "github", Repo: "o/r"}},
		{remote: "git@github.com:o/r.git", want: forge.Config{Provider: "github", Repo: "o/r"}},
		{remote: "ssh://git@github.com/o/r.git", want: forge.Config{Provider: "github", Repo: "o/r"}},
		{remote: "https://x-access-token:" + canary + "@github.com/kb-org/faq.git", want: forge.Config{Provider: "github", Repo: "kb-org/faq"}},
		{remote: "https://github.example.com/o/r.git", want: forge.Config{Provider: "github", APIURL: "https://github.example.com/api/v3/", Repo: "o/r"}},
		{remote: "git@ghe.corp.example:o/r.git", want: forge.Config{Provider: "github", APIURL: "https://ghe.corp.example/api/v3/", Repo: "o/r"}},
		{remote: "https://gitlab.com/g/r.git", want: forge.Config{Provider: "gitlab", APIURL: "https://gitlab.com/", Repo: "g/r"}},
		{remote: "ssh://git@gitlab.example.com/g/s/r.git", want: forge.Config{Provider: "gitlab", APIURL: "https://gitlab.example.com/", Repo: "g/s/r"}},
		{remote: "ssh://git@gitlab.example.com:2222/g/r.git", want: forge.Config{Provider: "gitlab", APIURL: "https://gitlab.example.com/", Repo: "g/r"}},
		{remote: "git@gitlab.example.com:g/s/t/r.git", want: forge.Config{Provider: "gitlab", APIURL: "https://gitlab.example.com/", Repo: "g/s/t/r"}},
		{remote: "https://gitea.example.com/o/r", want: forge.Config{Provider: "gitea", APIURL: "https://gitea.example.com/", Repo: "o/r"}},
		{remote: "https://gitea.example.com:3000/o/r.git", want: forge.Config{Provider: "gitea", APIURL: "https://gitea.example.com:3000/", Repo: "o/r"}},
		{remote: "http://forgejo.local:3000/o/r", want: forge.Config{Provider: "gitea", APIURL: "http://forgejo.local:3000/", Repo: "o/r"}},
		{remote: "ssh://git@codeberg.org/o/r.git", want: forge.Config{Provider: "gitea", APIURL: "https://codeberg.org/", Repo: "o/r"}},
		{remote: "https://git.example.com/o/r.git", err: "publish.provider"},
		{remote: "https://x:" + canary + "@git.example.com/o/r.git", err: "publish.provider"},
		{remote: "https://github.com/o", err: "publish.repo"},
		{remote: "https://github.com/o/r/tree", err: "publish.repo"},
		{remote: "", err: "empty"},
		{remote: "/srv/git/kb.git", err: "not a network remote"},
		{remote: "file:///srv/git/kb.git", err: "unsupported scheme"},
		{remote: "ext::sh -c touch% /tmp/pwned", err: "not a network remote"},
		{remote: "https://github.com/o/..", err: "not a repository name"},
	}
	for _, tc := range cases {
		t.Run(tc.remote, func(t *testing.T) {
			got, err := forge.Infer(tc.remote)
			if tc.err != "" {
				var fe *forge.Error
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v; want one containing %q", err, tc.err)
				}
				if strings.Contains(err.Error(), canary) {
					t.Errorf("token leaked: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Infer: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %+v; want %+v", got, tc.want)
			}
		})
	}
}

// TestResolve keeps what the config says and fills in the rest.
func TestResolve(t *testing.T) {
	cases := []struct {
		cfg    forge.Config
		remote string
		want   forge.Config
	}{
		{forge.Config{Provider: "gitea"}, "https://git.example.com/o/r.git",
			forge.Config{Provider: "gitea", APIURL: "https://git.example.com/", Repo: "o/r"}},
		{forge.Config{Provider: "gitea"}, "https://example.com/git/o/r.git",
			forge.Config{Provider: "gitea", APIURL: "https://example.com/git/", Repo: "o/r"}},
		{forge.Config{Provider: "GitLab"}, "git@code.example.com:team/kb.git",
			forge.Config{Provider: "gitlab", APIURL: "https://code.example.com/", Repo: "team/kb"}},
		{forge.Config{Provider: "github", APIURL: "https://ghe.example.com/api/v3/", Repo: "docs/kb"}, "git@mirror.example.com:x/y.git",
			forge.Config{Provider: "github", APIURL: "https://ghe.example.com/api/v3/", Repo: "docs/kb"}},
	}
	for _, tc := range cases {
		got, err := forge.Resolve(tc.cfg, tc.remote)
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%+v, %q) = %+v, %v; want %+v", tc.cfg, tc.remote, got, err, tc.want)
		}
	}
}
