package convert

import (
	"html"
	"net/url"
	"regexp"
	"strings"
)

// SafeURL reports whether a link destination may be published: http, https,
// mailto, or a relative reference. Entities and percent-escapes are decoded
// (repeatedly, so double encoding does not hide a scheme), case is folded,
// and whitespace, control and invisible characters are removed before the
// scheme is read, so `JaVaScRiPt&#x3a;`, `java&#9;script:` and
// "\x0ejavascript:" are all refused. Protocol-relative `//host` references
// are refused too: the converter rewrites them to https before this check.
func SafeURL(dest string) bool {
	d := dest
	for range 4 {
		prev := d
		d = html.UnescapeString(d)
		if u, err := url.PathUnescape(d); err == nil {
			d = u
		}
		if d == prev {
			break
		}
	}
	d = strings.Map(func(r rune) rune {
		switch {
		case r <= 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || invisible(r):
			return -1
		case r == '\\':
			return '/' // browsers read a backslash as a slash in http(s) URLs
		}
		return r
	}, d)
	if strings.HasPrefix(d, "//") {
		return false
	}
	colon := strings.IndexByte(d, ':')
	if colon < 0 {
		return true
	}
	if slash := strings.IndexAny(d, "/?#"); slash >= 0 && slash < colon {
		return true // the colon is in a path or query: relative
	}
	switch strings.ToLower(d[:colon]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// cleanURL is what the converter publishes for a link or image destination:
// "" when it must be dropped (unsafe scheme, or not a URL at all), otherwise the destination with
// a protocol-relative `//host` made https, credentials removed from the
// user-info part and the query (see credentialParam), and a relative
// reference made absolute on site when site is given.
func cleanURL(dest, site string) string {
	dest = strings.TrimSpace(stripInvisible(dest))
	if strings.IndexByte(dest, '%') >= 0 {
		dest = encodedInvisible.ReplaceAllString(dest, "")
	}
	if dest == "" {
		return ""
	}
	if strings.HasPrefix(dest, "//") {
		dest = "https:" + dest
	}
	if !SafeURL(dest) {
		return ""
	}
	u, err := url.Parse(dest)
	if err != nil || !plainHost(u.Host) {
		return "" // no browser could follow it (the sanitizer drops it too)
	}
	if !strings.ContainsAny(dest, "?@") && (site == "" || hasScheme(dest) || strings.HasPrefix(dest, "#")) {
		return dest // nothing to change
	}
	changed := false
	if u.User != nil && u.Scheme != "mailto" {
		u.User = nil
		changed = true
	}
	if u.RawQuery != "" && credentialQuery(u.RawQuery) {
		u.RawQuery = dropCredentialParams(u.RawQuery)
		u.ForceQuery = false
		changed = true
	}
	if site != "" && u.Scheme == "" && u.Host == "" && !strings.HasPrefix(dest, "#") {
		if base, err := url.Parse(site); err == nil && base.Host != "" && (base.Scheme == "http" || base.Scheme == "https") {
			u = base.ResolveReference(u)
			changed = true
		}
	}
	if !changed {
		return dest
	}
	out := u.String()
	if !SafeURL(out) {
		return ""
	}
	return out
}

// plainHost reports whether a URL's host (and port) is made of what host
// names and IP literals use. url.Parse accepts "https://(", but the escaped
// form it is published in, "https://%28", no longer parses: such a link
// leads nowhere, and keeping it would make a second conversion differ.
func plainHost(h string) bool {
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r >= 0x80:
		case strings.ContainsRune("-._:[]", r):
		default:
			return false
		}
	}
	return true
}

// encodedInvisible matches the percent-encoded invisible characters, which
// a sanitizer writes for the raw ones.
var encodedInvisible = regexp.MustCompile(`(?i)%E2%80%(?:8[B-D]|A[A-E])|%E2%81%A[6-9]|%EF%BB%BF`)

// hasScheme reports whether dest starts with a URL scheme.
func hasScheme(dest string) bool {
	colon := strings.IndexByte(dest, ':')
	return colon > 0 && !strings.ContainsAny(dest[:colon], "/?#")
}

// credentialQuery reports whether a raw query holds a parameter whose name
// says it is a credential.
func credentialQuery(q string) bool {
	for p := range strings.SplitSeq(q, "&") {
		if credentialParam(paramName(p)) {
			return true
		}
	}
	return false
}

// dropCredentialParams removes credential parameters from a raw query and
// keeps the others as they were written.
func dropCredentialParams(q string) string {
	var keep []string
	for p := range strings.SplitSeq(q, "&") {
		if !credentialParam(paramName(p)) {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "&")
}

func paramName(p string) string {
	name, _, _ := strings.Cut(p, "=")
	if n, err := url.QueryUnescape(name); err == nil {
		name = n
	}
	return strings.ToLower(strings.TrimSpace(name))
}

// credentialParam reports whether a query parameter name is one that signed
// or authenticated URLs use: tokens, signatures (AWS, Google, Azure `sig`,
// CloudFront `Signature`), keys, passwords, sessions. Such URLs expire anyway;
// publishing them leaks access.
func credentialParam(name string) bool {
	switch name {
	case "token", "access_token", "id_token", "refresh_token", "auth", "auth_token", "authorization",
		"api_key", "apikey", "api-key", "key", "sig", "signature", "password", "passwd", "pass", "pwd",
		"secret", "client_secret", "session", "sessionid", "session_id", "jwt", "private_token":
		return true
	}
	return strings.HasPrefix(name, "x-amz-") || strings.HasPrefix(name, "x-goog-") ||
		strings.HasSuffix(name, "token") || strings.Contains(name, "secret") ||
		strings.Contains(name, "password") || strings.Contains(name, "signature")
}
