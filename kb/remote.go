package kb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// scpLike matches git's user@host:path form.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:[^/]`)

// IsRemote reports whether a --kb value is a URL to clone rather than a
// working tree.
func IsRemote(s string) bool {
	for _, p := range []string{"https://", "http://", "ssh://", "git://", "file://"} {
		if strings.HasPrefix(strings.ToLower(s), p) {
			return true
		}
	}
	return scpLike.MatchString(s)
}

// checkURL refuses remote URLs that would leak a credential or make git run
// something: credentials belong in KBSYNC_TOKEN, never in a URL.
func checkURL(raw string) error {
	if strings.HasPrefix(raw, "-") || strings.Contains(raw, "::") {
		return usagef("kb: %q is not a git URL kbsync accepts", Redact(raw, ""))
	}
	if scpLike.MatchString(raw) {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return usagef("kb: cannot parse the remote URL %q", Redact(raw, ""))
	}
	if _, hasPass := u.User.Password(); hasPass {
		return usagef("kb: the remote URL carries a password; remove it from the URL and set KBSYNC_TOKEN instead")
	}
	if u.Scheme == "https" || u.Scheme == "http" {
		if u.User != nil {
			return usagef("kb: the remote URL carries a user name; remove it and set KBSYNC_TOKEN instead")
		}
	}
	return nil
}

// Redact removes credentials from text that may hold a URL or the token:
// userinfo in URLs and every occurrence of the token itself.
func Redact(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "***")
	}
	return userinfo.ReplaceAllString(s, "$1***@")
}

var userinfo = regexp.MustCompile(`([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@`)

// authFor picks credentials for a remote URL: the token as HTTP basic auth
// for http(s), the SSH agent for ssh, nothing otherwise.
func authFor(raw, token string) (transport.AuthMethod, error) {
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		if token == "" {
			return nil, nil
		}
		return &githttp.BasicAuth{Username: "x-access-token", Password: token}, nil
	case strings.HasPrefix(lower, "ssh://"), scpLike.MatchString(raw):
		if os.Getenv("SSH_AUTH_SOCK") == "" {
			return nil, nil // let go-git try the default keys
		}
		user := "git"
		if scpLike.MatchString(raw) {
			user = raw[:strings.IndexByte(raw, '@')]
		} else if u, err := url.Parse(raw); err == nil && u.User != nil {
			user = u.User.Username()
		}
		a, err := gitssh.NewSSHAgentAuth(user)
		if err != nil {
			return nil, fmt.Errorf("kb: ssh agent: %w", err)
		}
		return a, nil
	}
	return nil, nil
}

// RemoteError is a failure to talk to the remote, with credentials
// removed from its text.
type RemoteError struct {
	Op  string
	URL string
	Msg string
	// Hint says what to do.
	Hint string
}

func (e *RemoteError) Error() string {
	s := fmt.Sprintf("kb: %s %s: %s", e.Op, e.URL, e.Msg)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

func remoteErr(op, raw, token string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	e := &RemoteError{Op: op, URL: Redact(raw, token), Msg: Redact(err.Error(), token)}
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired), errors.Is(err, transport.ErrAuthorizationFailed):
		e.Hint = "set KBSYNC_TOKEN to a token that may push to this repository"
	case errors.Is(err, transport.ErrRepositoryNotFound):
		e.Hint = "check the URL, and that the token may read the repository"
	case strings.Contains(err.Error(), "non-fast-forward"):
		e.Hint = "the remote branch has commits this run did not build on; run kbsync again to build on them (kbsync never force-pushes)"
	}
	return e
}

// CacheDir is where a remote knowledge base is cloned: one folder per URL.
func CacheDir(root, raw string) string {
	sum := sha256.Sum256([]byte(raw))
	name := raw
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		name = u.Host + u.Path
	}
	name = strings.Trim(regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(name, "-"), "-.")
	if len(name) > 60 {
		name = name[len(name)-60:]
	}
	return filepath.Join(root, name+"-"+hex.EncodeToString(sum[:6]))
}

// Fetched is a remote knowledge base made ready in the cache.
type Fetched struct {
	Path string // the bare repository to open
	Base string // the base branch
}

// Prepare clones the remote into dir (a bare repository, single branch,
// never shallow) or fetches it again, then points the local base branch and
// the kbsync branch at the remote's. Local commits that were not pushed are
// dropped: kbsync regenerates them, so a failed push is retried by the next
// run and a remote that moved ahead is built upon, never overwritten.
func Prepare(ctx context.Context, raw, dir, base, branch, token string) (*Fetched, error) {
	if err := checkURL(raw); err != nil {
		return nil, err
	}
	auth, err := authFor(raw, token)
	if err != nil {
		return nil, err
	}
	repo, err := openRepo(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("kb: cache: %w", err)
		}
		repo, err = git.PlainInit(dir, true)
		if err == nil {
			_, err = repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{raw}})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("kb: cache %s: %w", dir, err)
	}
	remote, err := repo.Remote("origin")
	if err != nil {
		return nil, fmt.Errorf("kb: cache %s: %w", dir, err)
	}
	if urls := remote.Config().URLs; len(urls) == 0 || urls[0] != raw {
		return nil, fmt.Errorf("kb: cache %s belongs to another remote", dir)
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: auth})
	if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil, remoteErr("list", raw, token, err)
	}
	have := map[plumbing.ReferenceName]plumbing.Hash{}
	var headTarget plumbing.ReferenceName
	for _, r := range refs {
		if r.Name() == plumbing.HEAD && r.Type() == plumbing.SymbolicReference {
			headTarget = r.Target()
		}
		if r.Name().IsBranch() {
			have[r.Name()] = r.Hash()
		}
	}
	if base == "" {
		base = "main"
		if headTarget.IsBranch() {
			base = headTarget.Short()
		}
	}
	baseRef := plumbing.NewBranchReferenceName(base)
	var specs []config.RefSpec
	wanted := []plumbing.ReferenceName{baseRef}
	if branch != "" && branch != base {
		wanted = append(wanted, plumbing.NewBranchReferenceName(branch))
	}
	for _, w := range wanted {
		if _, ok := have[w]; ok {
			specs = append(specs, config.RefSpec("+"+w.String()+":refs/remotes/origin/"+w.Short()))
		}
	}
	if len(have) > 0 && len(specs) == 0 {
		return nil, usagef("kb: the remote has no branch %s; set publish.base to its default branch", base)
	}
	if len(specs) > 0 {
		err = remote.FetchContext(ctx, &git.FetchOptions{RefSpecs: specs, Auth: auth, Tags: git.NoTags, Force: true})
		if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil, remoteErr("fetch", raw, token, err)
		}
	}
	// Local branches follow the remote's; a branch the remote lacks starts
	// again from the base.
	for _, w := range wanted {
		if h, ok := have[w]; ok {
			if err := repo.Storer.SetReference(plumbing.NewHashReference(w, h)); err != nil {
				return nil, fmt.Errorf("kb: cache: %w", err)
			}
		} else if err := repo.Storer.RemoveReference(w); err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
			return nil, fmt.Errorf("kb: cache: %w", err)
		}
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, baseRef)); err != nil {
		return nil, fmt.Errorf("kb: cache: %w", err)
	}
	return &Fetched{Path: dir, Base: base}, nil
}

// Push sends the branch to origin with an explicit refspec and never
// forces: a remote branch with commits this run did not build on rejects
// it. It reports whether the remote changed.
func (k *KB) Push(ctx context.Context, token string) (bool, error) {
	if k.repo == nil {
		return false, usagef("kb: nothing to push: the knowledge base has no commits")
	}
	remote, err := k.repo.Remote("origin")
	if err != nil {
		return false, usagef("kb: --push needs a remote named origin in %s", k.root)
	}
	raw := remote.Config().URLs[0]
	if err := checkURL(raw); err != nil {
		return false, err
	}
	auth, err := authFor(raw, token)
	if err != nil {
		return false, err
	}
	if _, err := k.repo.Storer.Reference(k.branch); err != nil {
		return false, usagef("kb: nothing to push: branch %s has no commits", k.branch.Short())
	}
	spec := config.RefSpec(k.branch.String() + ":" + k.branch.String())
	po := &git.PushOptions{RemoteName: "origin", RefSpecs: []config.RefSpec{spec}, Auth: auth}
	if k.rebuilt && k.rebuiltFrom != nil {
		// The branch was started again from the base over commits that were
		// all kbsync's own: replace them, but only if the remote still has
		// exactly those (a lease), never over anyone's new work.
		po.ForceWithLease = &git.ForceWithLease{RefName: k.branch, Hash: k.rebuiltFrom.Hash()}
	}
	err = k.repo.PushContext(ctx, po)
	switch {
	case errors.Is(err, git.NoErrAlreadyUpToDate):
		return false, nil
	case err != nil:
		return false, remoteErr("push to", raw, token, err)
	}
	return true, nil
}
