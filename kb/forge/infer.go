package forge

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// Infer reads the provider, API address and repository from a git remote
// URL: https://github.com/o/r(.git), git@github.com:o/r.git,
// ssh://git@gitlab.example.com/g/s/r.git, https://gitea.example.com/o/r.
// Hosts that are not github.com, gitlab.com or codeberg.org are recognised
// by a "github", "gitlab", "gitea" or "forgejo" label in their name; any
// other host is an error asking for publish.provider.
func Infer(remoteURL string) (Config, error) {
	return Resolve(Config{}, remoteURL)
}

// Resolve fills the empty fields of cfg (publish.provider, api_url, repo)
// from the remote URL; fields already set win.
func Resolve(cfg Config, remoteURL string) (Config, error) {
	cfg.Provider = strings.ToLower(strings.TrimSpace(cfg.Provider))
	if cfg.Provider != "" && cfg.Repo != "" && (cfg.APIURL != "" || cfg.Provider == GitHub) {
		return cfg, nil // fully configured: the remote URL does not matter
	}
	sc := scrubber{}
	scheme, host, port, path, err := splitRemote(remoteURL)
	if err != nil {
		return cfg, &Error{Platform: "forge", Op: "reading the remote " + sc.clean(remoteURL), Detail: err.Error(),
			Hint: "use an https:// or ssh remote, or set publish.provider, publish.api_url and publish.repo"}
	}
	cfg.Provider = strings.ToLower(strings.TrimSpace(cfg.Provider))
	if cfg.Provider == "" {
		cfg.Provider = guessProvider(host)
	}
	if cfg.Provider == "" {
		return cfg, &Error{Platform: "forge", Op: "reading the remote " + sc.clean(remoteURL),
			Detail: fmt.Sprintf("cannot tell which forge serves %s", host),
			Hint:   "set publish.provider to github, gitea or gitlab (and publish.api_url for a self-hosted server)"}
	}
	// The API listens on the web port, not the ssh one.
	webHost := host
	if scheme == "https" || scheme == "http" {
		if port != "" {
			webHost = net.JoinHostPort(host, port)
		}
	} else {
		scheme = "https"
	}
	segs := strings.Split(path, "/")
	prefix := ""
	switch cfg.Provider {
	case GitHub, Gitea:
		if len(segs) < 2 {
			return cfg, repoError(sc, remoteURL, "owner/name")
		}
		// Gitea may be served under a sub-path (https://example.com/git/o/r).
		if cfg.Provider == Gitea && len(segs) > 2 {
			prefix = "/" + strings.Join(segs[:len(segs)-2], "/")
		} else if len(segs) > 2 {
			return cfg, repoError(sc, remoteURL, "owner/name")
		}
		segs = segs[len(segs)-2:]
	case GitLab:
		if len(segs) < 2 {
			return cfg, repoError(sc, remoteURL, "group/name or group/subgroup/name")
		}
	}
	if cfg.Repo == "" {
		cfg.Repo = strings.Join(segs, "/")
	}
	if cfg.APIURL == "" {
		switch {
		case cfg.Provider == GitHub && strings.EqualFold(host, "github.com"):
			// go-github's default, https://api.github.com/
		case cfg.Provider == GitHub:
			cfg.APIURL = scheme + "://" + webHost + "/api/v3/"
		default:
			cfg.APIURL = scheme + "://" + webHost + prefix + "/"
		}
	}
	return cfg, nil
}

func repoError(sc scrubber, remote, want string) error {
	return &Error{Platform: "forge", Op: "reading the remote " + sc.clean(remote),
		Detail: "the path is not " + want, Hint: "set publish.repo"}
}

// guessProvider knows the public hosts and the usual self-hosted names.
func guessProvider(host string) string {
	h := strings.ToLower(host)
	switch h {
	case "github.com", "www.github.com", "ssh.github.com":
		return GitHub
	case "gitlab.com", "www.gitlab.com":
		return GitLab
	case "codeberg.org", "gitea.com":
		return Gitea
	}
	for _, label := range strings.FieldsFunc(h, func(r rune) bool { return r == '.' || r == '-' }) {
		switch label {
		case "github", "ghe":
			return GitHub
		case "gitlab":
			return GitLab
		case "gitea", "forgejo", "codeberg":
			return Gitea
		}
	}
	return ""
}

var (
	scpRe     = regexp.MustCompile(`^(?:[^@/\s]+@)?([A-Za-z0-9][A-Za-z0-9.-]*):([^:].*)$`)
	segmentRe = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_.-]*$`)
)

// splitRemote returns the scheme ("ssh" for scp-like remotes), host, port
// and the repository path without slashes at the ends or ".git".
func splitRemote(remote string) (scheme, host, port, path string, err error) {
	remote = strings.TrimSpace(remote)
	if remote == "" {
		return "", "", "", "", fmt.Errorf("empty remote URL")
	}
	if strings.Contains(remote, "://") {
		u, perr := url.Parse(remote)
		if perr != nil {
			return "", "", "", "", fmt.Errorf("not a URL")
		}
		scheme = strings.ToLower(u.Scheme)
		switch scheme {
		case "https", "http", "ssh", "git", "git+ssh", "ssh+git":
		default:
			return "", "", "", "", fmt.Errorf("unsupported scheme %q", scheme)
		}
		host, port, path = u.Hostname(), u.Port(), u.Path
	} else if m := scpRe.FindStringSubmatch(remote); m != nil && !strings.HasPrefix(remote, "/") {
		scheme, host, path = "ssh", m[1], m[2]
	} else {
		return "", "", "", "", fmt.Errorf("not a network remote")
	}
	if host == "" {
		return "", "", "", "", fmt.Errorf("no host")
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	path = strings.TrimSuffix(path, "/")
	if path == "" {
		return "", "", "", "", fmt.Errorf("no repository path")
	}
	for _, s := range strings.Split(path, "/") {
		if !segmentRe.MatchString(s) || s == "." || s == ".." {
			return "", "", "", "", fmt.Errorf("path segment %q is not a repository name", s)
		}
	}
	return scheme, host, port, path, nil
}

// parseHTTPURL accepts only absolute http(s) URLs with a host.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("not a URL")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("it must start with https:// or http://")
	}
	if u.Host == "" {
		return nil, fmt.Errorf("it has no host")
	}
	return u, nil
}
