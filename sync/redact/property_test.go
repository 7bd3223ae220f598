package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// secretValues are values that must never survive redaction, whatever the
// context or encoding they are pasted in.
func secretValues() []string {
	return []string{
		fakeGitHubPAT, fakeGitHubOAu, fakeAWS, fakeGitLab, fakeSlackBot, fakeStripe,
		fakeGCP, fakeNPM, fakeOpenAI, fakeJWT,
		"jane.doe@acme-corp.com", "+44 20 7946 0958", luhnComplete("453201511283036"),
		ibanWith("DE", "500105175407324931"),
	}
}

// randomDoc assembles a support post from real prose, code blocks and
// lists, with secrets and personal data pasted in random places and forms.
func randomDoc(rng *rand.Rand, prose []string) (doc string, planted []string) {
	var b strings.Builder
	values := secretValues()
	for range 3 + rng.IntN(8) {
		v := values[rng.IntN(len(values))]
		enc := v
		switch rng.IntN(10) {
		case 0:
			enc = base64.StdEncoding.EncodeToString([]byte(v))
		case 1:
			enc = strings.ReplaceAll(v, "_", `\_`)
		case 2:
			enc = "&#" + "64;" + v // an entity in front: the value itself stays caught
		}
		planted = append(planted, v)
		p := prose[rng.IntN(len(prose))]
		switch rng.IntN(12) {
		case 0:
			b.WriteString(p + " " + enc + "\n\n")
		case 1:
			b.WriteString("```\n" + p + "\nexport TOKEN=" + enc + "\n```\n\n")
		case 2:
			b.WriteString("- " + p + "\n- see `" + enc + "`\n\n")
		case 3:
			b.WriteString("> " + enc + " " + p + "\n\n")
		case 4:
			b.WriteString("[" + p + "](https://acme-corp.com/x?v=" + enc + ")\n\n")
		case 5:
			b.WriteString("![" + enc + "](https://cdn.acme-corp.com/i.png \"" + p + "\")\n\n")
		case 6:
			b.WriteString("<" + "https://acme-corp.com/?k=" + enc + ">\n\n")
		case 7:
			b.WriteString("| a | b |\n|---|---|\n| " + enc + " | " + p + " |\n\n")
		case 8:
			b.WriteString("## " + enc + "\n\n" + p + "\n\n")
		case 9:
			b.WriteString("    " + enc + "\n\n")
		case 10:
			b.WriteString("[ref]: https://acme-corp.com/" + enc + "\n\nSee [the page][ref].\n\n")
		default:
			b.WriteString(p + "\n\n")
			planted = planted[:len(planted)-1]
		}
	}
	return b.String(), planted
}

func supportProse(t testing.TB) []string {
	t.Helper()
	raw, err := os.ReadFile("testdata/support.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range strings.Split(string(raw), "\n\n") {
		if !strings.HasPrefix(p, "```") && !strings.HasPrefix(p, "|") && strings.TrimSpace(p) != "" {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// assertClean checks what must hold for any output of Text.
func assertClean(t *testing.T, r *Redactor, in, out string, res Result) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("invalid UTF-8 out for %q", in)
	}
	if left := r.detect(out); len(left) > 0 {
		t.Fatalf("detectors still fire after redaction (%s at %d)\nin:  %q\nout: %q", left[0].ref.id, left[0].start, in, out)
	}
	again, res2 := r.Text(out)
	if again != out || len(res2.Findings) > 0 || res2.Held {
		t.Fatalf("not idempotent: %+v\nin:  %q\nout: %q\nout2: %q", res2, in, out, again)
	}
}

func TestRedactionIsComplete(t *testing.T) {
	r := newRedactor(t, Config{IPs: true})
	prose := supportProse(t)
	rng := rand.New(rand.NewPCG(1, 2))
	held := 0
	for i := range 400 {
		doc, planted := randomDoc(rng, prose)
		out, res := r.Text(doc)
		assertClean(t, r, doc, out, res)
		for _, v := range planted {
			if strings.Contains(out, v) {
				t.Fatalf("doc %d: %q survived\n%s\n---\n%s", i, v, doc, out)
			}
		}
		if res.Held {
			held++
			continue
		}
		assertSameBlocks(t, doc, out)
	}
	// base64 plants are held; most documents are not.
	if held == 0 || held > 300 {
		t.Errorf("held %d of 400 documents", held)
	}
}
