package redact

import (
	"regexp"
	"regexp/syntax"
	"strings"
)

// What the engine learns from a rule's regexp syntax to run it cheaply.

// keywordsInKey reports whether every keyword lies in the key part of an
// assign-shape regexp (the group after [\w.-]{0,50}?), so that an operator
// must follow each keyword hit. Rules keyed on the value's prefix
// (lob: live_..., typeform: tfp_...) fail this and run unanchored.
func keywordsInKey(src string, keywords []string) bool {
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil || tree.Op != syntax.OpConcat || len(tree.Sub) < 3 || tree.Sub[0].Op != syntax.OpRepeat {
		return false
	}
	keys := enumerate(tree.Sub[1])
	if len(keys) == 0 {
		return false
	}
	for _, k := range keywords {
		found := false
		for _, key := range keys {
			if strings.Contains(key, k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// enumerate lists, lowercased, every string a small finite regexp matches,
// or nil.
func enumerate(re *syntax.Regexp) []string {
	const limit = 256
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}
	case syntax.OpCharClass:
		ps, _ := prefixes(re)
		return ps
	case syntax.OpCapture:
		return enumerate(re.Sub[0])
	case syntax.OpQuest:
		return append(enumerate(re.Sub[0]), "")
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			e := enumerate(sub)
			if e == nil || len(out)+len(e) > limit {
				return nil
			}
			out = append(out, e...)
		}
		return out
	case syntax.OpConcat:
		out := []string{""}
		for _, sub := range re.Sub {
			e := enumerate(sub)
			if e == nil || len(out)*len(e) > limit {
				return nil
			}
			var next []string
			for _, a := range out {
				for _, b := range e {
					next = append(next, a+b)
				}
			}
			out = next
		}
		return out
	}
	return nil
}

// startsWithKeyword reports whether every match of re starts with one of
// the keywords, so the rule can run anchored at keyword hits.
func startsWithKeyword(re *syntax.Regexp, keywords []string) bool {
	ps, _ := prefixes(re)
	if len(ps) == 0 {
		return false
	}
	for _, p := range ps {
		ok := false
		for _, k := range keywords {
			if strings.HasPrefix(p, k) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// prefixes lists, lowercased, the literal strings every match of re starts
// with (nil when they cannot be listed); full means a match is exactly one
// of them.
func prefixes(re *syntax.Regexp) (ps []string, full bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{strings.ToLower(string(re.Rune))}, true
	case syntax.OpCharClass:
		var cs []string
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i+1]-re.Rune[i] > 8 {
				return nil, false
			}
			for c := re.Rune[i]; c <= re.Rune[i+1]; c++ {
				if l := strings.ToLower(string(c)); !seen[l] {
					seen[l] = true
					cs = append(cs, l)
				}
			}
		}
		if len(cs) > 8 {
			return nil, false
		}
		return cs, true
	case syntax.OpCapture:
		return prefixes(re.Sub[0])
	case syntax.OpAlternate:
		full = true
		for _, sub := range re.Sub {
			sp, sf := prefixes(sub)
			if len(sp) == 0 {
				return nil, false
			}
			ps = append(ps, sp...)
			full = full && sf
		}
		return ps, full
	case syntax.OpConcat:
		acc := []string{""}
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpEmptyMatch:
				continue
			}
			sp, sf := prefixes(sub)
			if len(sp) == 0 || len(acc)*len(sp) > 64 {
				return nonEmpty(acc), false
			}
			var next []string
			for _, a := range acc {
				for _, b := range sp {
					next = append(next, a+b)
				}
			}
			acc = next
			if !sf {
				return nonEmpty(acc), false
			}
		}
		return nonEmpty(acc), true
	}
	return nil, false
}

func nonEmpty(ps []string) []string {
	for _, p := range ps {
		if p == "" {
			return nil
		}
	}
	return ps
}

// minLen is the shortest match of re, in bytes of ASCII.
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, sub := range re.Sub {
			n += minLen(sub)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, sub := range re.Sub {
			if m := minLen(sub); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	}
	return 0
}

// valueMin is how long the secret group of an assign-shape rule must be;
// 0 when its classes allow spaces or quotes (assignAfter's runs stop there).
func valueMin(tree *syntax.Regexp, group int) int {
	var caps []*syntax.Regexp
	var walk func(*syntax.Regexp)
	walk = func(re *syntax.Regexp) {
		if re.Op == syntax.OpCapture {
			caps = append(caps, re)
		}
		for _, sub := range re.Sub {
			walk(sub)
		}
	}
	walk(tree)
	if len(caps) == 0 {
		return 0
	}
	g := caps[0]
	if group > 0 && group <= len(caps) {
		g = caps[group-1]
	}
	gap := false
	var look func(*syntax.Regexp)
	look = func(re *syntax.Regexp) {
		switch re.Op {
		case syntax.OpCharClass:
			for i := 0; i+1 < len(re.Rune); i += 2 {
				for _, c := range " \t\n\r\f\v'\"`" {
					if re.Rune[i] <= c && c <= re.Rune[i+1] {
						gap = true
					}
				}
			}
		case syntax.OpLiteral:
			for _, c := range re.Rune {
				if c < 0x80 && isValueGap(byte(c)) {
					gap = true
				}
			}
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			gap = true
		}
		for _, sub := range re.Sub {
			look(sub)
		}
	}
	look(g)
	if gap {
		return 0
	}
	return minLen(g)
}

// lineReach returns how many newlines a match of re can contain, or -1 when
// it is unbounded (or large enough that windowing would not pay).
func lineReach(re *regexp.Regexp) int {
	p, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return -1
	}
	n := newlines(p.Simplify())
	if n < 0 || n > 12 {
		return -1
	}
	return n
}

func newlines(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpAnyChar:
		return 1
	case syntax.OpLiteral:
		n := 0
		for _, r := range re.Rune {
			if r == '\n' {
				n++
			}
		}
		return n
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
				return 1
			}
		}
		return 0
	case syntax.OpCapture:
		return newlines(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus:
		if newlines(re.Sub[0]) != 0 {
			return -1
		}
		return 0
	case syntax.OpQuest:
		return newlines(re.Sub[0])
	case syntax.OpRepeat:
		n := newlines(re.Sub[0])
		if n < 0 || (n > 0 && re.Max < 0) {
			return -1
		}
		return n * re.Max
	case syntax.OpConcat:
		t := 0
		for _, s := range re.Sub {
			n := newlines(s)
			if n < 0 {
				return -1
			}
			t += n
		}
		return t
	case syntax.OpAlternate:
		m := 0
		for _, s := range re.Sub {
			n := newlines(s)
			if n < 0 {
				return -1
			}
			m = max(m, n)
		}
		return m
	}
	return 0
}
