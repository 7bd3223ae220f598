// Package redact finds personal data and secrets in Markdown and replaces them
// with typed placeholders before anything reaches a public knowledge base.
//
// It is pure: no I/O, no logging, no global state. A Redactor is built once
// with New and is then safe for concurrent use.
//
// What is detected:
//   - emails (not reserved example domains, not git@host remotes, not
//     logo@2x.png),
//   - phone numbers validated with libphonenumber (a bare digit run only when
//     a word like "phone" or "call" precedes it; never dates, versions,
//     order numbers, SHAs or UUIDs),
//   - payment cards (issuer prefix and Luhn; published test numbers kept),
//   - IBANs (country length and mod-97; the textbook examples kept),
//   - IP addresses, off unless Config.IPs: only public, routable addresses;
//     loopback, private, link-local, shared, documentation and reserved
//     ranges, well-known public resolvers and version-like strings
//     (1.2.3.4) are kept,
//   - secrets: gitleaks' default rules, plus credentials in URLs,
//     Authorization headers and password/secret/api_key assignments;
//     placeholders (<your password>, YOUR_KEY_HERE, ****, $TOKEN, ${TOKEN})
//     and key chords (ctrl+shift+down) are kept,
//   - configured extra patterns.
//
// Where a hit sits decides how it is replaced. In prose the placeholder is
// written \[redacted email\], so that it never forms a link; in code it is
// written as is. A link or image whose destination holds a hit is unwrapped
// to its text (kept, pointing at #redacted, when the bare text would read as
// a list, a heading or a rule), an autolink is replaced whole and a link
// definition gets the destination #redacted. A hit that can only be seen
// after decoding (HTML entities, percent, unicode escapes, base64, hex, a word
// split by code markup), a cut private key block, or a hit that straddles
// Markdown structure is replaced too, but the Result is Held: the caller must
// not publish the text unreviewed. Text is idempotent.
//
// Cost is linear in the input. gitleaks' rules are prefiltered by one
// keyword automaton; a rule whose matches start at its keyword runs anchored
// there, the key = value rules only where an operator follows the keyword,
// the rest on the lines around their hits. The personal-data scanners are
// byte loops, and Markdown is parsed only for documents that have hits.
// Unlike gitleaks, rules bound to file paths and composite rules are left
// out, and tokens may also end at Markdown punctuation (") ] > , |" and a
// final '.').
package redact

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/parser"
)

// Finding kinds.
const (
	KindPII    = "pii"
	KindSecret = "secret"
	KindCustom = "custom"
)

// Names of the personal-data rules (secret rules use gitleaks' ids).
const (
	ruleEmail = iota
	rulePhone
	ruleIP
	ruleCard
	ruleIBAN
)

var piiNames = [...]string{"email", "phone", "ip", "card", "iban"}

// Config selects what is redacted. The zero value is usable.
type Config struct {
	// Rules turns rules on or off by name ("email", "phone", "ip", "card",
	// "iban", a gitleaks id such as "generic-api-key", one of ours:
	// "url-credentials", "authorization-header", "password-assignment", or
	// an Extra name). Unlisted rules are on, except "ip" (see IPs).
	Rules map[string]bool
	// IPs turns on the "ip" rule (public addresses only).
	IPs bool
	// Region is the default region for phone numbers written without a
	// country code (ISO 3166 code, default "US").
	Region string
	// Allow lists values that are never redacted, compared without case:
	// exact values ("support@example.org", "+1 650 253 0000"), or "@domain"
	// for every email at that domain and its subdomains.
	Allow []string
	// Extra adds named patterns, redacted as "[redacted <name>]".
	Extra []Pattern
}

// Pattern is a named regular expression (RE2 syntax). When it has a capture
// group, only the first group that matched is redacted.
type Pattern struct {
	Name   string
	Regexp string
}

// Finding counts the hits of one rule. It never carries the matched value.
type Finding struct {
	Rule  string
	Kind  string
	Count int
}

// Result describes what Text or Plain did.
type Result struct {
	Findings   []Finding // sorted by rule
	Held       bool      // do not publish without review
	HeldReason string    // why, naming rules and encodings, never values
}

// Redactor holds the compiled rules. It is immutable and safe for
// concurrent use.
type Redactor struct {
	region    string
	pii       [len(piiNames)]*ruleRef
	piiOn     [len(piiNames)]bool
	secrets   *ruleSet
	refs      []*ruleRef // parallel to secrets.rules
	pem       *ruleRef
	pemOn     bool
	extra     []extraRule
	allow     map[string]bool // lowercased values
	allowNum  map[string]bool // digits and letters only, for phone, card, iban
	allowDom  []string
	labels    map[string]bool // every placeholder text we may write
	md        parser.Parser
	maxRounds int
}

type extraRule struct {
	re  *regexp.Regexp
	ref *ruleRef
}

var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9 _.-]{0,39}$`)

// New compiles the rules once.
func New(cfg Config) (*Redactor, error) {
	r := &Redactor{region: cfg.Region, allow: map[string]bool{}, allowNum: map[string]bool{},
		labels: map[string]bool{}, md: newMarkdown(), maxRounds: 4}
	if r.region == "" {
		r.region = "US"
	}
	known := map[string]bool{}
	on := func(name string, def bool) bool {
		known[name] = true
		if v, ok := cfg.Rules[name]; ok {
			return v
		}
		return def
	}
	for i, n := range piiNames {
		r.pii[i] = &ruleRef{id: n, kind: KindPII, label: "[redacted " + n + "]"}
		r.piiOn[i] = on(n, n != "ip" || cfg.IPs)
	}
	gl, global, err := loadGitleaks()
	if err != nil {
		return nil, err
	}
	var rules []*rule
	for _, ru := range append(gl, ownSecretRules()...) {
		finishRule(ru)
		r.labels[ru.label] = true
		if on(ru.id, true) {
			rules = append(rules, ru)
		}
	}
	r.pemOn = on("private-key", true)
	for _, p := range cfg.Extra {
		if !namePattern.MatchString(p.Name) {
			return nil, fmt.Errorf("redact: extra pattern name %q: use 1-40 of a-z 0-9 space _ . -", p.Name)
		}
		if known[p.Name] {
			return nil, fmt.Errorf("redact: extra pattern %q: name already used by a built-in rule", p.Name)
		}
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			return nil, fmt.Errorf("redact: extra pattern %q: %w", p.Name, err)
		}
		ref := &ruleRef{id: p.Name, kind: KindCustom, label: "[redacted " + p.Name + "]", rank: 1}
		if on(p.Name, true) {
			r.extra = append(r.extra, extraRule{re: re, ref: ref})
		}
		r.labels[ref.label] = true
	}
	for name := range cfg.Rules {
		if !known[name] {
			return nil, fmt.Errorf("redact: unknown rule %q in Rules", name)
		}
	}
	r.secrets = newRuleSet(rules, global)
	for _, ru := range rules {
		rank := 4 // gitleaks' specific rules know the token's format
		switch {
		case ru.kind == KindCustom:
			rank = 1
		case ru.generic:
			rank = 2
		case ru.own:
			rank = 3
		}
		ref := &ruleRef{id: ru.id, kind: ru.kind, label: ru.label, rank: rank}
		r.refs = append(r.refs, ref)
	}
	r.pem = &ruleRef{id: "private-key", kind: KindSecret, label: "[redacted private key]", rank: 4}
	for _, ref := range r.pii {
		r.labels[ref.label] = true
	}
	for _, a := range cfg.Allow {
		a = strings.ToLower(strings.TrimSpace(a))
		if strings.HasPrefix(a, "@") && len(a) > 1 {
			r.allowDom = append(r.allowDom, a[1:])
			continue
		}
		if a != "" {
			r.allow[a] = true
			r.allowNum[compact(a)] = true
		}
	}
	return r, nil
}

// found is a hit in source coordinates.
type found struct {
	start, end int
	ref        *ruleRef
	held       string
}

// Text redacts a Markdown document: prose, code blocks and spans, link and
// image destinations, titles and alt text. Placeholders in prose are written
// with escaped brackets (\[redacted email\]) so they never form a link; a
// link whose destination held a hit is replaced by its text. Text is
// idempotent: Text(out) returns out with no findings.
func (r *Redactor) Text(s string) (string, Result) {
	return r.redact(s, true)
}

// Plain redacts a plain string such as a title, a tag or a display name,
// writing placeholders as "[redacted email]". Marshal the result (YAML
// quotes it); do not paste it into Markdown.
func (r *Redactor) Plain(s string) (string, Result) {
	return r.redact(s, false)
}

func (r *Redactor) redact(s string, markdown bool) (string, Result) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	counts := map[*ruleRef]int{}
	var reasons []string
	for round := 0; ; round++ {
		hits := r.detect(s)
		if len(hits) == 0 {
			break
		}
		if round == r.maxRounds {
			// Each round removes what it found; text that keeps producing
			// new hits is left for a person.
			reasons = append(reasons, "redaction did not settle")
			s, _ = r.apply(s, hits, false, counts)
			break
		}
		var held []string
		s, held = r.apply(s, hits, markdown, counts)
		reasons = append(reasons, held...)
	}
	var res Result
	for ref, n := range counts {
		res.Findings = append(res.Findings, Finding{Rule: ref.id, Kind: ref.kind, Count: n})
	}
	sort.Slice(res.Findings, func(i, j int) bool { return res.Findings[i].Rule < res.Findings[j].Rule })
	if len(reasons) > 0 {
		res.Held = true
		res.HeldReason = strings.Join(uniq(reasons), "; ")
	}
	return s, res
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// detect finds every hit in s: on the unescaped view, then, line by line, on
// decoded forms (those hits are held).
func (r *Redactor) detect(s string) []found {
	v := unescapeView(s)
	lower := asciiLower(v.s)
	var out []found
	for _, h := range r.scan(v.s, lower) {
		a, b := v.src(h.start, h.end)
		out = append(out, found{start: a, end: b, ref: h.ref})
	}
	if v.lo != nil {
		// Code keeps its backslashes, so lines with escapes are also
		// scanned as written.
		seen := newCover(out)
		for ls := 0; ls < len(s); {
			le := lineEnd(s, ls)
			if line := s[ls:le]; hasEscape(line) {
				for _, h := range r.scan(line, asciiLower(line)) {
					if a, b := ls+h.start, ls+h.end; !seen.covers(a, b) {
						out = append(out, found{start: a, end: b, ref: h.ref})
					}
				}
			}
			ls = le
		}
	}
	out = append(out, r.cutKeys(v, lower)...)
	plain := newCover(out)
	var d decoded
	var d2 decoded
	for ls := 0; ls < len(v.s); {
		le := lineEnd(v.s, ls)
		line := v.s[ls:le]
		if decodeLine(line, &d) {
			dec := d
			// A second pass catches double encodings (base64 of a
			// percent-encoded value).
			if decodeLine(string(d.b), &d2) {
				dec = compose(&d, &d2)
			}
			for _, h := range r.scan(string(dec.b), asciiLower(string(dec.b))) {
				a, b := v.src(ls+int(dec.lo[h.start]), ls+int(dec.hi[h.end-1]))
				if plain.covers(a, b) {
					continue // seen as written
				}
				var enc uint8
				for k := h.start; k < h.end; k++ {
					enc |= dec.enc[k]
				}
				if enc == 0 {
					// Plain bytes that only match once their neighbours are
					// decoded: password=&quot;S3cret&quot;.
					for _, e := range dec.enc {
						enc |= e
					}
				}
				out = append(out, found{start: a, end: b, ref: h.ref,
					held: h.ref.id + " found only after " + encNames(enc) + " decoding"})
			}
		}
		ls = le
	}
	return out
}

func compose(d1, d2 *decoded) decoded {
	var c decoded
	for i := range d2.b {
		c.b = append(c.b, d2.b[i])
		c.lo = append(c.lo, d1.lo[d2.lo[i]])
		c.hi = append(c.hi, d1.hi[d2.hi[i]-1])
		enc := d2.enc[i]
		for k := d2.lo[i]; k < d2.hi[i]; k++ {
			enc |= d1.enc[k]
		}
		c.enc = append(c.enc, enc)
	}
	return c
}

// cover answers "does one of these hits contain [a, b)?" in log time:
// hits sorted by start, with the furthest end reached so far.
type cover struct {
	starts, reach []int
}

func newCover(fs []found) cover {
	sorted := append([]found(nil), fs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].start < sorted[j].start })
	c := cover{starts: make([]int, len(sorted)), reach: make([]int, len(sorted))}
	far := 0
	for i, f := range sorted {
		far = max(far, f.end)
		c.starts[i], c.reach[i] = f.start, far
	}
	return c
}

func (c cover) covers(a, b int) bool {
	i := sort.SearchInts(c.starts, a+1) - 1 // last hit starting at or before a
	return i >= 0 && c.reach[i] >= b
}

// scan runs every enabled detector over s and returns hits in s's
// coordinates, minus allowed values and hits on our own placeholders.
func (r *Redactor) scan(s string, lower []byte) []hit {
	if s == "" {
		return nil
	}
	var hs []hit
	hs = r.secrets.scan(s, lower, r.refs, hs)
	if r.piiOn[ruleEmail] {
		hs = r.scanEmails(s, hs)
	}
	if r.piiOn[rulePhone] || r.piiOn[ruleCard] {
		hs = r.scanNumbers(s, lower, r.piiOn[rulePhone], r.piiOn[ruleCard], hs)
	}
	if r.piiOn[ruleIBAN] {
		hs = r.scanIBANs(s, hs)
	}
	if r.piiOn[ruleIP] {
		hs = r.scanIPs(s, lower, hs)
	}
	for _, x := range r.extra {
		for _, m := range x.re.FindAllStringSubmatchIndex(s, -1) {
			a, b := m[0], m[1]
			for g := 1; 2*g+1 < len(m); g++ {
				if m[2*g] >= 0 {
					a, b = m[2*g], m[2*g+1]
					break
				}
			}
			if a < b {
				hs = append(hs, hit{start: a, end: b, ref: x.ref})
			}
		}
	}
	if len(hs) == 0 {
		return nil
	}
	marks := r.placeholders(s)
	out := hs[:0]
	for _, h := range hs {
		if overlapsAny(marks, h.start, h.end) || r.allowed(s[h.start:h.end], h.ref) {
			continue
		}
		out = append(out, h)
	}
	return out
}

func hasEscape(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '\\' && isASCIIPunct(s[i+1]) {
			return true
		}
	}
	return false
}

// asciiLower lowers ASCII letters only, so offsets stay those of s.
func asciiLower(s string) []byte {
	lower := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return lower
}

// placeholders finds our own placeholders in s, so that no rule (an extra
// pattern matching "redacted", say) ever fires on them again.
func (r *Redactor) placeholders(s string) [][2]int {
	var marks [][2]int
	for off := 0; ; {
		i := strings.Index(s[off:], "[redacted ")
		if i < 0 {
			return marks
		}
		i += off
		off = i + 1
		j := strings.IndexByte(s[i:min(len(s), i+128)], ']')
		if j < 0 {
			continue
		}
		// The Markdown form \[redacted email\] counts too (raw lines).
		a, b := i, i+j+1
		label := s[a:b]
		if strings.HasSuffix(label, `\]`) {
			label = label[:len(label)-2] + "]"
		}
		if r.labels[label] {
			if a > 0 && s[a-1] == '\\' {
				a--
			}
			marks = append(marks, [2]int{a, b})
			off = b
		}
	}
}

// overlapsAny reports whether [a, b) overlaps one of the ordered,
// disjoint ranges rs.
func overlapsAny(rs [][2]int, a, b int) bool {
	k := sort.Search(len(rs), func(k int) bool { return rs[k][1] > a })
	return k < len(rs) && rs[k][0] < b
}

func (r *Redactor) allowed(v string, ref *ruleRef) bool {
	if len(r.allow) == 0 && len(r.allowDom) == 0 {
		return false
	}
	l := strings.ToLower(v)
	if r.allow[l] {
		return true
	}
	switch ref {
	case r.pii[rulePhone], r.pii[ruleCard], r.pii[ruleIBAN]:
		// "+1 650 253 0000" allows +1-650-253-0000 as well.
		return r.allowNum[compact(l)]
	case r.pii[ruleEmail]:
		if _, dom, ok := strings.Cut(l, "@"); ok {
			for _, d := range r.allowDom {
				if dom == d || strings.HasSuffix(dom, "."+d) {
					return true
				}
			}
		}
	}
	return false
}

func compact(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

var (
	pemHeader = regexp.MustCompile(`(?i)-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----`)
	// pemRest is the tail of gitleaks' private-key rule.
	pemRest = regexp.MustCompile(`(?i)^[\s\S-]{64,}?KEY(?: BLOCK)?-----`)
)

// cutKeys finds private key headers that gitleaks' private-key rule cannot
// match in full (a block cut short by a post's length limit or an edit).
// The header and the key lines after it are replaced and the text held.
func (r *Redactor) cutKeys(v view, lower []byte) []found {
	if !r.pemOn || !bytes.Contains(lower, []byte("private key")) {
		return nil
	}
	var out []found
	for _, m := range pemHeader.FindAllStringIndex(v.s, -1) {
		rest := v.s[m[1]:]
		if pemRest.MatchString(rest[:min(len(rest), maxSpan)]) {
			continue
		}
		end := m[1]
		// Swallow the body: base64 lines and PEM headers ("Proc-Type: ...").
		for first := true; end < len(v.s); first = false {
			le := lineEnd(v.s, end)
			line := strings.TrimLeft(strings.TrimSpace(v.s[end:le]), "> \t")
			if !first && !isPEMLine(line) {
				break
			}
			end = le
		}
		for end > m[1] && (v.s[end-1] == '\n' || v.s[end-1] == '\r') {
			end--
		}
		a, b := v.src(m[0], end)
		out = append(out, found{start: a, end: b, ref: r.pem, held: "private key block is cut"})
	}
	return out
}

func isPEMLine(line string) bool {
	if line == "" {
		return false
	}
	if k, _, ok := strings.Cut(line, ": "); ok {
		return isIdent(strings.ReplaceAll(k, "-", "_"))
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if !isAlnum(c) && c != '+' && c != '/' && c != '=' {
			return false
		}
	}
	return true
}
