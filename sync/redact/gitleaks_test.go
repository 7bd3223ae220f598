package redact

import (
	"math/rand/v2"
	"regexp/syntax"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/viper"
	gitleaks "github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
)

// gitleaksDetector builds gitleaks' own detector on its default rules, as a
// referee for our faster engine (keyword windows, anchored runs, prechecks).
// It uses a local viper instance, never the global one.
func gitleaksDetector(t *testing.T) *detect.Detector {
	t.Helper()
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(gitleaks.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	var vc gitleaks.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		t.Fatal(err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	return detect.NewDetector(cfg)
}

// sample writes a random string the regexp may match (assertions are
// ignored; the referee decides what really matches).
func sample(rng *rand.Rand, re *syntax.Regexp, b *strings.Builder) {
	repeat := func(lo, hi int) {
		if hi < 0 || hi > lo+3 {
			hi = lo + 3
		}
		for range lo + rng.IntN(hi-lo+1) {
			sample(rng, re.Sub[0], b)
		}
	}
	switch re.Op {
	case syntax.OpLiteral:
		for _, c := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && rng.IntN(2) == 0 {
				c = unicode.ToUpper(c)
			}
			b.WriteRune(c)
		}
	case syntax.OpCharClass:
		var cs []rune
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for c := re.Rune[i]; c <= re.Rune[i+1] && c < 0x7f; c++ {
				if c >= ' ' || c == '\t' {
					cs = append(cs, c)
				}
			}
		}
		if len(cs) == 0 {
			cs = []rune{re.Rune[0]}
		}
		b.WriteRune(cs[rng.IntN(len(cs))])
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte("abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)])
	case syntax.OpCapture:
		sample(rng, re.Sub[0], b)
	case syntax.OpConcat:
		for _, s := range re.Sub {
			sample(rng, s, b)
		}
	case syntax.OpAlternate:
		sample(rng, re.Sub[rng.IntN(len(re.Sub))], b)
	case syntax.OpStar:
		repeat(0, 2)
	case syntax.OpPlus:
		repeat(1, 3)
	case syntax.OpQuest:
		repeat(0, 1)
	case syntax.OpRepeat:
		repeat(re.Min, re.Max)
	}
}

// Whatever gitleaks finds in a document, our output must not contain.
func TestAgreesWithGitleaks(t *testing.T) {
	d := gitleaksDetector(t)
	r := newRedactor(t, Config{})
	rng := rand.New(rand.NewPCG(7, 11))
	checked, skipped := 0, 0
	for _, id := range d.Config.OrderedRules {
		rule := d.Config.Rules[id]
		if rule.Regex == nil || rule.Path != nil {
			continue
		}
		tree, err := syntax.Parse(rule.Regex.String(), syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		for k := range 12 {
			var b strings.Builder
			sample(rng, tree, &b)
			doc := []string{
				"Here is my config:\n\n" + b.String() + "\n\nThanks.",
				"```\n" + b.String() + "\n```",
				"I ran " + b.String() + " and got an error",
			}[k%3]
			found := d.DetectString(doc)
			if len(found) == 0 {
				continue
			}
			out, _ := r.Text(doc)
			for _, f := range found {
				secret := strings.TrimSpace(f.Secret)
				if isPlaceholder(secret) {
					skipped++ // a stand-in we keep on purpose
					continue
				}
				checked++
				if strings.Contains(out, secret) {
					t.Errorf("%s: gitleaks found %q, we kept it:\n%s", id, secret, out)
				}
			}
		}
	}
	t.Logf("%d gitleaks findings checked, %d placeholders kept", checked, skipped)
	if checked < 300 {
		t.Errorf("only %d findings checked: the generator is not producing matches", checked)
	}
}

// New must not touch the global viper instance that the CLI configures.
func TestNewLeavesGlobalViperAlone(t *testing.T) {
	before := viper.AllSettings()
	newRedactor(t, Config{})
	if after := viper.AllSettings(); len(after) != len(before) {
		t.Errorf("global viper changed: %v", after)
	}
}
