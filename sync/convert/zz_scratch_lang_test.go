package convert

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/abadojack/whatlanggo"
)

func scratchProse(md string) []string {
	var paras []string
	var cur strings.Builder
	fence := false
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			paras = append(paras, s)
		}
		cur.Reset()
	}
	for _, line := range strings.Split(md, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			flush()
			continue
		}
		if fence {
			continue
		}
		if t == "" || t == "---" || t == "* * *" {
			flush()
			continue
		}
		for _, w := range strings.Fields(t) {
			if strings.Contains(w, "://") || strings.ContainsAny(w, "@_/\\=<>{}`") {
				continue
			}
			cur.WriteString(w)
			cur.WriteByte(' ')
		}
		cur.WriteByte('\n')
	}
	flush()
	return paras
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

func TestScratchDump(t *testing.T) {
	c := New()
	out, _ := os.Create("/tmp/langeval/dump/fm.txt")
	defer out.Close()
	xmlRows(corpusDir+"/stackexchange/french-meta-2021/Posts.xml", func(id string, a map[string]string) {
		if a["Body"] == "" {
			return
		}
		md, err := c.HTML(a["Body"], "")
		if err != nil {
			t.Log(err)
			return
		}
		paras := scratchProse(md)
		whole := strings.Join(paras, "\n\n")
		if a["PostTypeId"] == "1" {
			whole = a["Title"] + "\n\n" + whole
		}
		info := whatlanggo.Detect(whole)
		fmt.Fprintf(out, "=== %s type=%s letters=%d whole=%s %.2f\n", id, a["PostTypeId"], letters(whole), info.Lang.Iso6391(), info.Confidence)
		for _, p := range paras {
			pi := whatlanggo.Detect(p)
			s := p
			if len(s) > 90 {
				s = s[:90]
			}
			fmt.Fprintf(out, "   [%s %.2f %d] %q\n", pi.Lang.Iso6391(), pi.Confidence, letters(p), s)
		}
	})
}

func TestScratchKo(t *testing.T) {
	c := New()
	data, _ := os.ReadFile(corpusDir + "/github-discussions/codestates-agora/discussions.json")
	var ds []struct {
		ID     json.Number
		Title  string
		BodyHTML string
		Answer *struct{ BodyHTML string }
	}
	if err := json.Unmarshal(data, &ds); err != nil {
		t.Fatal(err)
	}
	out, _ := os.Create("/tmp/langeval/dump/ko.txt")
	defer out.Close()
	for _, d := range ds {
		for i, b := range []string{d.BodyHTML, func() string { if d.Answer != nil { return d.Answer.BodyHTML }; return "" }()} {
			md, _ := c.HTML(b, "")
			paras := scratchProse(md)
			whole := strings.Join(paras, "\n\n")
			var hangul, latin, han int
			for _, r := range whole {
				switch {
				case unicode.Is(unicode.Hangul, r):
					hangul++
				case unicode.Is(unicode.Latin, r):
					latin++
				case unicode.Is(unicode.Han, r):
					han++
				}
			}
			info := whatlanggo.Detect(whole)
			s := whole
			if len(s) > 200 { s = s[:200] }
			fmt.Fprintf(out, "=== %s/%d hangul=%d latin=%d han=%d whole=%s %.2f %q\n", d.ID, i, hangul, latin, han, info.Lang.Iso6391(), info.Confidence, s)
		}
	}
}
