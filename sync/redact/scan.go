package redact

import (
	"math"
	"regexp"
	"sort"
	"strings"
)

// ruleSet is the compiled secret engine: rules plus one Aho-Corasick automaton
// over all their keywords.
type ruleSet struct {
	rules  []*rule
	global []allowlist
	dfa    *keywordDFA
	byWord [][]int // keyword index -> rule indexes
	always []int   // rules without keywords
}

func newRuleSet(rules []*rule, global []allowlist) *ruleSet {
	rs := &ruleSet{rules: rules, global: global}
	index := map[string]int{}
	var words []string
	for i, r := range rules {
		if len(r.keywords) == 0 {
			rs.always = append(rs.always, i)
			continue
		}
		for _, k := range r.keywords {
			w, ok := index[k]
			if !ok {
				w = len(words)
				index[k] = w
				words = append(words, k)
				rs.byWord = append(rs.byWord, nil)
			}
			rs.byWord[w] = append(rs.byWord[w], i)
		}
	}
	rs.dfa = newKeywordDFA(words)
	return rs
}

// hit is one detection in the coordinates of the scanned string.
type hit struct {
	start, end int
	ref        *ruleRef
}

// ruleRef names what fired; shared by all hits of a rule. rank decides
// which name a replacement gets when hits overlap.
type ruleRef struct {
	id    string
	kind  string
	label string
	rank  int
}

// scan runs the keyword-triggered rules over s. lower is s with ASCII letters
// lowered (same length). Anchored rules run once per keyword hit and fail
// within a few bytes; the others run only on the lines around their hits.
func (rs *ruleSet) scan(s string, lower []byte, refs []*ruleRef, out []hit) []hit {
	type window struct{ rule, start, end int }
	var wins []window
	nl := indexLines(s)
	type at struct{ rule, pos int }
	var seen map[at]bool
	rs.dfa.walk(lower, func(word, end int) {
		pos := end - rs.dfa.lens[word]
		for _, ri := range rs.byWord[word] {
			r := rs.rules[ri]
			if r.pre != nil && !r.pre(s, pos, end) {
				continue
			}
			if r.anchor != nil {
				if seen == nil {
					seen = map[at]bool{}
				}
				if seen[at{ri, pos}] {
					continue
				}
				seen[at{ri, pos}] = true
				ws := max(0, pos-r.back)
				we := nl.after(pos, r.reach)
				if r.assign {
					we = min(len(s), end+220)
				}
				out = rs.run(r, refs[ri], r.anchor, r.aoff, s, ws, we, out)
				continue
			}
			w := window{ri, nl.before(pos, r.reach), nl.after(pos, r.reach)}
			if r.reach < 0 {
				w.start, w.end = 0, len(s)
			}
			wins = append(wins, w)
		}
	})
	for _, ri := range rs.always {
		wins = append(wins, window{ri, 0, len(s)})
	}
	// Merge the windows of each rule so no byte is scanned twice.
	sort.Slice(wins, func(i, j int) bool {
		if wins[i].rule != wins[j].rule {
			return wins[i].rule < wins[j].rule
		}
		return wins[i].start < wins[j].start
	})
	for i := 0; i < len(wins); {
		w := wins[i]
		j := i + 1
		for j < len(wins) && wins[j].rule == w.rule && wins[j].start <= w.end {
			w.end = max(w.end, wins[j].end)
			j++
		}
		r := rs.rules[w.rule]
		if r.winPre == nil || r.winPre(s[w.start:w.end]) {
			out = rs.run(r, refs[w.rule], r.re, 0, s, w.start, w.end, out)
		}
		i = j
	}
	return out
}

// maxSpan bounds how far around a keyword hit a match is looked for, so a
// megabyte-long line costs linear time, not hits times its length.
const maxSpan = 16 << 10

// lineIndex holds the offsets of the newlines of a text, so that finding
// the lines around a hit costs a binary search however long the lines are.
type lineIndex struct {
	nl  []int
	len int
}

func indexLines(s string) lineIndex {
	x := lineIndex{len: len(s)}
	for off := 0; ; {
		j := strings.IndexByte(s[off:], '\n')
		if j < 0 {
			return x
		}
		x.nl = append(x.nl, off+j)
		off += j + 1
	}
}

// after returns the end (past the newline) of the line holding pos and n
// more lines, at most maxSpan past pos; len for n < 0.
func (x lineIndex) after(pos, n int) int {
	if n < 0 {
		return x.len
	}
	k := sort.SearchInts(x.nl, pos) + n
	e := x.len
	if k < len(x.nl) {
		e = x.nl[k] + 1
	}
	return min(e, pos+maxSpan, x.len)
}

// before returns the start of the line n lines above the one holding pos,
// at most maxSpan before pos.
func (x lineIndex) before(pos, n int) int {
	k := sort.SearchInts(x.nl, pos) - 1 - max(n, 0)
	s := 0
	if k >= 0 {
		s = x.nl[k] + 1
	}
	return max(s, pos-maxSpan)
}

func (rs *ruleSet) run(r *rule, ref *ruleRef, re *regexp.Regexp, off int, s string, ws, we int, out []hit) []hit {
	text := s[ws:we]
	var ms [][]int
	if re == r.re {
		ms = re.FindAllStringSubmatchIndex(text, -1)
	} else if m := re.FindStringSubmatchIndex(text); m != nil {
		ms = [][]int{m}
	}
	for _, m := range ms {
		if off > 0 {
			m = m[2*off:] // the anchored form's own groups come first
		}
		// The secret: an explicit group, else gitleaks' rule (secretGroup,
		// else the first non-empty group, else the whole match).
		a, b := m[0], m[1]
		switch {
		case len(r.groups) > 0:
			for _, g := range r.groups {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					a, b = m[2*g], m[2*g+1]
					break
				}
			}
		case r.group > 0 && 2*r.group+1 < len(m):
			if m[2*r.group] < 0 {
				continue
			}
			a, b = m[2*r.group], m[2*r.group+1]
		case r.group == 0:
			for g := 1; 2*g+1 < len(m); g++ {
				if m[2*g] >= 0 && m[2*g+1] > m[2*g] {
					a, b = m[2*g], m[2*g+1]
					break
				}
			}
		}
		// gitleaks trims newlines off the match; do the same for the secret.
		for a < b && text[b-1] == '\n' {
			b--
		}
		if a >= b {
			continue
		}
		// Specific rules stop at a fixed length; if the token runs on, the
		// rest is part of the secret too.
		if !r.generic && !strings.ContainsAny(text[a:b], " \t\n") {
			for a > 0 && isAlnum(text[a-1]) {
				a--
			}
			for b < len(text) && isAlnum(text[b]) {
				b++
			}
		}
		secret := text[a:b]
		if r.entropy > 0 && shannon(secret) <= r.entropy {
			continue
		}
		if r.valid != nil && !r.valid(secret) {
			continue
		}
		ma, mb := ws+m[0], ws+m[1]
		if r.assign {
			// What the unanchored regexp would have matched before the keyword.
			for k := 0; k < 50 && ma > 0 && (isWordChar(s[ma-1]) || s[ma-1] == '.'); k++ {
				ma--
			}
		}
		match := strings.Trim(s[ma:mb], "\n")
		line := lineAround(s, ma, mb)
		if rs.allowed(r, secret, match, line) {
			continue
		}
		out = append(out, hit{start: ws + a, end: ws + b, ref: ref})
	}
	return out
}

func (rs *ruleSet) allowed(r *rule, secret, match, line string) bool {
	if r.kind == KindCustom {
		return false
	}
	for i := range rs.global {
		if rs.global[i].allowed(secret, match, line) {
			return true
		}
	}
	for i := range r.allow {
		if r.allow[i].allowed(secret, match, line) {
			return true
		}
	}
	return false
}

// shannon is gitleaks' entropy: rune frequencies over the byte length.
func shannon(s string) float64 {
	if s == "" {
		return 0
	}
	counts := make(map[rune]int, len(s))
	for _, c := range s {
		counts[c]++
	}
	inv := 1.0 / float64(len(s))
	e := 0.0
	for _, n := range counts {
		f := float64(n) * inv
		e -= f * math.Log2(f)
	}
	return e
}

// lineAround returns the line(s) holding s[a:b], cut 512 bytes either side
// (what gitleaks' "line" allowlists look at).
func lineAround(s string, a, b int) string {
	lo := max(0, a-512)
	lo += strings.LastIndexByte(s[lo:a], '\n') + 1
	hi := min(len(s), b+512)
	if j := strings.IndexByte(s[b:hi], '\n'); j >= 0 {
		hi = b + j
	}
	return s[lo:hi]
}

// lineEnd returns the index just past the newline that ends the line holding
// i (or len(s)).
func lineEnd(s string, i int) int {
	if i >= len(s) {
		return len(s)
	}
	j := strings.IndexByte(s[i:], '\n')
	if j < 0 {
		return len(s)
	}
	return i + j + 1
}
