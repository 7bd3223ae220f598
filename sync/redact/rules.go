package redact

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"

	toml "github.com/pelletier/go-toml/v2"
	gitleaks "github.com/zricethezav/gitleaks/v8/config"
)

// rule is one keyword-prefiltered regexp detector: a gitleaks rule or one of
// ours written in the same shape.
type rule struct {
	id       string
	kind     string // KindSecret or KindCustom
	label    string // placeholder text
	re       *regexp.Regexp
	group    int   // gitleaks secretGroup; 0: first non-empty group, else whole match
	groups   []int // explicit value groups (our rules): first non-empty wins
	entropy  float64
	keywords []string
	allow    []allowlist
	// reach is how many lines around a keyword hit a match can extend;
	// -1 means the regexp can span any distance, so it runs on the whole text.
	reach int
	// assign marks gitleaks' key = value shape, [\w.-]{0,50}?(?:keyword)
	// then an operator within a few bytes: a keyword hit that no operator
	// follows cannot start a match, and a match stays near its keyword.
	assign bool
	// pre, when set, must accept a keyword hit (keyword at s[pos:end])
	// before the regexp runs near it.
	pre func(s string, pos, end int) bool
	// winPre, when set, must accept a merged window before an unanchored
	// rule runs on it.
	winPre func(w string) bool
	// anchor is the rule anchored at a keyword hit, when every match must
	// start there; it fails fast instead of scanning the rest of the line.
	// It has aoff extra capture groups in front and runs from back bytes
	// before the hit (to see the \b before a prefix).
	anchor     *regexp.Regexp
	aoff, back int
	// valid is an extra check on the secret (our rules, and placeholders).
	valid   func(secret string) bool
	generic bool // loses to a specific rule on overlap
	own     bool // one of ours: loses to gitleaks' specific rules
}

// allowlist is the part of a gitleaks allowlist that applies to text that has
// no path and no commit.
type allowlist struct {
	and    bool
	never  bool // AND with a path or commit condition: cannot hold here
	target string
	// Separate regexps keep their literal prefixes, which make Go's
	// matcher skip ahead; one big alternation would not.
	res   []*regexp.Regexp
	stops *keywordDFA // stopwords, nil if none
}

func (a *allowlist) allowed(secret, match, line string) bool {
	if a.never {
		return false
	}
	t := secret
	switch a.target {
	case "match":
		t = match
	case "line":
		t = line
	}
	reOK := false
	for _, re := range a.res {
		if re.MatchString(t) {
			reOK = true
			break
		}
	}
	if !a.and && reOK {
		return true
	}
	swOK := a.stops != nil && a.stops.any(asciiLower(secret))
	if a.and {
		return (len(a.res) == 0 || reOK) && (a.stops == nil || swOK) && (len(a.res) > 0 || a.stops != nil)
	}
	return swOK
}

type tomlAllowlist struct {
	Condition   string   `toml:"condition"`
	RegexTarget string   `toml:"regexTarget"`
	Regexes     []string `toml:"regexes"`
	StopWords   []string `toml:"stopwords"`
	Paths       []string `toml:"paths"`
	Commits     []string `toml:"commits"`
	TargetRules []string `toml:"targetRules"`
}

type tomlConfig struct {
	Allowlist  *tomlAllowlist  `toml:"allowlist"`
	Allowlists []tomlAllowlist `toml:"allowlists"`
	Rules      []struct {
		ID          string          `toml:"id"`
		Regex       string          `toml:"regex"`
		Path        string          `toml:"path"`
		SecretGroup int             `toml:"secretGroup"`
		Entropy     float64         `toml:"entropy"`
		Keywords    []string        `toml:"keywords"`
		Allowlist   *tomlAllowlist  `toml:"allowlist"`
		Allowlists  []tomlAllowlist `toml:"allowlists"`
		Required    []struct {
			ID string `toml:"id"`
		} `toml:"required"`
		SkipReport bool `toml:"skipReport"`
	} `toml:"rules"`
}

func compileAllowlist(a tomlAllowlist) (allowlist, error) {
	out := allowlist{target: a.RegexTarget}
	switch strings.ToUpper(a.Condition) {
	case "AND", "&&":
		out.and = true
		// Path and commit conditions never hold for a document.
		out.never = len(a.Paths) > 0 || len(a.Commits) > 0
	case "", "OR", "||":
	default:
		return out, fmt.Errorf("unknown allowlist condition %q", a.Condition)
	}
	if out.target == "secret" {
		out.target = ""
	}
	for _, x := range a.Regexes {
		re, err := regexp.Compile(x)
		if err != nil {
			return out, err
		}
		out.res = append(out.res, re)
	}
	if len(a.StopWords) > 0 {
		var ws []string
		for _, w := range a.StopWords {
			ws = append(ws, strings.ToLower(w))
		}
		out.stops = newKeywordDFA(ws)
	}
	return out, nil
}

const (
	codeEnd = `(?:[\x60'"\s;]|\\[nr]|$)`
	// Still no '+', '/', '=', '-' or a '.' inside a word: value classes
	// differ on those, and accepting them would let a shorter alternative
	// of a rule win over the one gitleaks picks.
	anyEnd = `(?:[\x60'"\s;)\]}>|*<&!?#,]|\\[nr]|\.(?:[^\w]|$)|$)`
)

// loadGitleaks decodes gitleaks' embedded default config with a local TOML
// decoder: detect.NewDetectorDefaultConfig and Config.Translate go through the
// global viper instance, which we must not touch.
func loadGitleaks() ([]*rule, []allowlist, error) {
	var tc tomlConfig
	if err := toml.Unmarshal([]byte(gitleaks.DefaultConfig), &tc); err != nil {
		return nil, nil, fmt.Errorf("redact: gitleaks default config: %w", err)
	}
	var global []allowlist
	targeted := map[string][]allowlist{}
	all := tc.Allowlists
	if tc.Allowlist != nil {
		all = append(all, *tc.Allowlist)
	}
	for _, a := range all {
		al, err := compileAllowlist(a)
		if err != nil {
			return nil, nil, fmt.Errorf("redact: gitleaks global allowlist: %w", err)
		}
		if len(a.Regexes) == 0 && len(a.StopWords) == 0 {
			continue // path/commit only
		}
		if len(a.TargetRules) > 0 {
			for _, id := range a.TargetRules {
				targeted[id] = append(targeted[id], al)
			}
			continue
		}
		global = append(global, al)
	}
	var rules []*rule
	for _, tr := range tc.Rules {
		// Rules with a path only fire on matching file names, and
		// composite rules need gitleaks' multi-part engine: neither
		// applies to a document.
		if tr.Regex == "" || tr.Path != "" || len(tr.Required) > 0 || tr.SkipReport {
			continue
		}
		// gitleaks ends most tokens with a code terminator (quote, space,
		// ';'); in Markdown they also end at ) ] > , | and a final '.', as
		// in [hook](https://x/?t=TOKEN) or "my key is TOKEN.".
		re, err := regexp.Compile(strings.ReplaceAll(tr.Regex, codeEnd, anyEnd))
		if err != nil {
			return nil, nil, fmt.Errorf("redact: gitleaks rule %s: %w", tr.ID, err)
		}
		r := &rule{
			id:      tr.ID,
			kind:    KindSecret,
			re:      re,
			group:   tr.SecretGroup,
			entropy: tr.Entropy,
			generic: strings.Contains(tr.ID, "generic"),
			valid:   func(s string) bool { return !isPlaceholder(s) },
		}
		for _, k := range tr.Keywords {
			r.keywords = append(r.keywords, strings.ToLower(k))
		}
		als := tr.Allowlists
		if tr.Allowlist != nil {
			als = append(als, *tr.Allowlist)
		}
		for _, a := range als {
			al, err := compileAllowlist(a)
			if err != nil {
				return nil, nil, fmt.Errorf("redact: gitleaks rule %s allowlist: %w", tr.ID, err)
			}
			r.allow = append(r.allow, al)
		}
		r.allow = append(r.allow, targeted[tr.ID]...)
		switch tr.ID {
		case "curl-auth-header":
			// The regexps scan up to five lines after "curl" with lazy
			// dots; skip commands that pass no header or user at all.
			r.winPre = curlHas("-H", "--header")
		case "curl-auth-user":
			r.winPre = curlHas("-u", "--user")
		}
		rules = append(rules, r)
	}
	return rules, global, nil
}

// ownSecretRules cover what support posts leak and gitleaks' defaults miss:
// passwords (low entropy, no known prefix), credentials in URLs and
// Authorization headers outside curl commands.
func ownSecretRules() []*rule {
	return []*rule{
		{
			id:       "url-credentials",
			re:       regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]{1,15}://([^\s:@/?#<>"'\x60\[\]()\\]{1,128}:([^\s@/?#<>"'\x60\[\]()\\]{1,256}))@[a-z0-9-]+(?:\.[a-z0-9-]+)*`),
			groups:   []int{1},
			keywords: []string{"://"},
			pre:      userinfoAfter,
			valid: func(s string) bool {
				// postgres:postgres and admin:admin are documented defaults.
				user, pass, _ := strings.Cut(s, ":")
				return !isPlaceholder(pass) && !strings.EqualFold(user, pass)
			},
			own: true,
		},
		{
			id:       "authorization-header",
			re:       regexp.MustCompile(`(?i)(?:\bauthorization["']?[ \t]*[:=][ \t]*["']?(?:bearer|basic|token|digest|apikey)|\bbearer)[ \t]+([a-z0-9._~+/=-]{8,512})`),
			groups:   []int{1},
			keywords: []string{"authorization", "bearer"},
			valid: func(s string) bool {
				return strings.ContainsAny(s, "0123456789") && !isPlaceholder(s)
			},
			own: true,
		},
		{
			id: "password-assignment",
			// A key ending in a credential word, an assignment, then a
			// quoted value or a bare value that ends cleanly.
			// A bare value needs a digit: "Password: restart the app" is prose.
			re:       regexp.MustCompile(`(?i)(?:^|[^a-z0-9])[a-z0-9_.-]{0,30}(?:password|passwd|passphrase|secret|api[_-]?key|access[_-]?key|auth[_-]?token|access[_-]?token|token)["']?[ \t]*(?:=|:=|=>|:)[ \t]*(?:"([^"\n]{4,128})"|'([^'\n]{4,128})'|([^\s"'<>,;()\[\]{}\x60]*[0-9][^\s"'<>,;()\[\]{}\x60]*)(?:[\s;,"'\x60]|$))`),
			groups:   []int{1, 2, 3},
			assign:   true,
			keywords: []string{"passw", "passphrase", "secret", "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey", "token"},
			valid:    func(s string) bool { return len(s) <= 128 && !isPlaceholder(s) },
			generic:  true,
		},
	}
}

// finishRule fills in what every rule needs after loading.
func finishRule(r *rule) {
	if r.kind == "" {
		r.kind = KindSecret
	}
	if r.label == "" {
		switch {
		case r.kind == KindCustom:
			r.label = "[redacted " + r.id + "]"
		case r.id == "private-key":
			r.label = "[redacted private key]"
		default:
			r.label = "[redacted secret: " + r.id + "]"
		}
	}
	r.reach = lineReach(r.re)
	src := r.re.String()
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return
	}
	tree = tree.Simplify()
	r.assign = r.assign || tree.Op == syntax.OpConcat && strings.HasPrefix(src, `(?i)[\w.-]{0,50}?(?:`) &&
		strings.Contains(src, `(?:[ \t\w.-]{0,20})[\s'"]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)`) &&
		keywordsInKey(src, r.keywords)
	switch {
	case r.assign:
		r.anchor = regexp.MustCompile(`^(?:` + src + `)`)
		vm := valueMin(tree, r.group)
		r.pre = func(s string, _, end int) bool { return assignAfter(s, end, vm) }
	case r.reach >= 0 && r.reach <= 1 && len(r.keywords) > 0 && startsWithKeyword(tree, r.keywords):
		// Multi-line rules (curl, private keys) stay unanchored: their lazy
		// spans would rescan the same lines from every hit.
		r.anchor = regexp.MustCompile(`^(?s:.)?(` + src + `)`)
		r.aoff, r.back = 1, 1
	}
}

// curlHas accepts a window where some "curl" is followed by the given flag
// within the ten lines gitleaks' regexps allow (five times one or two line
// breaks).
func curlHas(short, long string) func(string) bool {
	return func(w string) bool {
		for off := 0; ; {
			i := strings.Index(w[off:], "curl")
			if i < 0 {
				return false
			}
			i += off
			end := i
			for k := 0; k < 11 && end < len(w); k++ {
				j := strings.IndexByte(w[end:min(len(w), i+4096)], '\n')
				if j < 0 {
					// A command this long: let the regexp decide.
					return true
				}
				end += j + 1
			}
			cmd := w[i:end]
			for _, sep := range []string{" ", "\t", "\n", "\r"} {
				if strings.Contains(cmd, sep+short) {
					return true
				}
			}
			if strings.Contains(cmd, long) {
				return true
			}
			off = i + 4
		}
	}
}

// userinfoAfter reports whether the URL whose "://" ends at end has an
// '@' in its authority.
func userinfoAfter(s string, _, end int) bool {
	for j := end; j < len(s) && j < end+400; j++ {
		switch c := s[j]; {
		case c == '@':
			return true
		case c <= ' ' || strings.IndexByte("/?#<>\"'`[]()\\", c) >= 0:
			return false
		}
	}
	return false
}

// assignAfter reports whether an assignment operator can follow the keyword
// that ends at e: only word characters, spaces and quotes may come between.
// It accepts everything gitleaks' generic shape accepts, and more.
// A value then needs at least minValue bytes that are not space or quotes.
func assignAfter(s string, e, minValue int) bool {
	for j := e; j < len(s) && j < e+40; j++ {
		c := s[j]
		switch {
		case strings.IndexByte("=>:|?,", c) >= 0:
			// The value starts within the operator's tail and five gap
			// bytes, inside a run of non-gap bytes at least minValue long.
			for at := j; at < len(s) && at <= j+9; {
				if isValueGap(s[at]) {
					at++
					continue
				}
				k := at
				for k < len(s) && k-at < minValue && !isValueGap(s[k]) {
					k++
				}
				if k-at >= minValue {
					return true
				}
				at = k
			}
			return false
		case isWordChar(c) || strings.IndexByte(". \t\n\r\f\v'\"", c) >= 0:
		default:
			return false
		}
	}
	return false
}

func isValueGap(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == '\'' || c == '"' || c == '`'
}
