package redact

import (
	"regexp"
	"strings"
)

var keyChord = regexp.MustCompile(`^(?:(?:ctrl|control|shift|alt|altgr|option|opt|cmd|command|meta|super|win|fn|mod)[+-])+[a-z0-9]+$`)

// Words that mark a value as a stand-in in documentation ("api_key=YOUR_KEY_HERE").
var placeholderWords = map[string]bool{
	"your": true, "yours": true, "here": true, "example": true, "placeholder": true,
	"changeme": true, "redacted": true, "replaceme": true, "dummy": true, "sample": true,
	"fake": true, "todo": true, "tbd": true, "insert": true,
}

// Values made only of these words are samples, not secrets ("my-secret-token").
var sampleWords = map[string]bool{
	"my": true, "the": true, "a": true, "an": true, "some": true, "secret": true,
	"secrets": true, "password": true, "passwd": true, "pass": true, "passphrase": true,
	"token": true, "key": true, "api": true, "apikey": true, "access": true, "auth": true,
	"value": true, "string": true, "test": true, "testing": true, "foo": true, "bar": true,
	"baz": true, "admin": true, "user": true, "username": true, "none": true, "null": true,
	"nil": true, "undefined": true, "true": true, "false": true, "empty": true,
	"hidden": true, "removed": true, "env": true, "var": true, "variable": true,
	"config": true, "settings": true, "default": true, "new": true, "old": true,
	"bearer": true, "basic": true, "client": true, "id": true, "name": true, "private": true,
	"public": true, "app": true, "db": true, "database": true,
}

// isPlaceholder reports whether a candidate secret is obviously not one:
// template markers, environment references, masks and sample words, the
// false positives support forums are full of.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 4 {
		return true
	}
	l := strings.ToLower(v)
	first, last := l[0], l[len(l)-1]
	switch {
	case first == '<' && last == '>', first == '[' && last == ']', first == '{' && last == '}',
		first == '%' && last == '%', first == '(' && last == ')':
		return true
	case strings.HasPrefix(l, "$(") || strings.HasPrefix(l, "${") || strings.HasPrefix(l, "$env:"):
		return true
	case first == '$' && isIdent(l[1:]):
		return true
	case strings.HasPrefix(l, "process.env.") || strings.HasPrefix(l, "os.environ") || strings.HasPrefix(l, "env."):
		return true
	}
	if keyChord.MatchString(l) {
		return true // "key": "ctrl+shift+down" in editor settings
	}
	filler := true
	for i := 0; i < len(l); i++ {
		if !strings.ContainsRune("*x.#-_ ", rune(l[i])) {
			filler = false
			break
		}
	}
	if filler || strings.Trim(l, "•·") == "" {
		return true
	}
	all := true
	words := 0
	for _, w := range strings.FieldsFunc(l, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		words++
		if placeholderWords[w] || strings.Trim(w, "x") == "" {
			return true
		}
		if !sampleWords[w] {
			all = false
		}
	}
	return words > 0 && all
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
