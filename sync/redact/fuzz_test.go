package redact

import (
	"encoding/base64"
	"os"
	"strings"
	"testing"
)

func FuzzText(f *testing.F) {
	seeds := []string{
		"",
		"Contact " + mail + " today.",
		"[write me](mailto:" + mail + ")",
		"[---](mailto:" + mail + ")",
		"![" + mail + "](https://cdn.acme-corp.com/a.png \"t " + mail + "\")",
		"<" + mail + "> and <https://alice:" + fakeSecret + "@git.acme-corp.com/x>",
		"See [me][1].\n\n[1]: mailto:" + mail + " \"" + mail + "\"\n",
		"```\nexport TOKEN=" + fakeGitHubPAT + "\n```\n",
		"Use `" + fakeGitHubPAT[:4] + "``" + fakeGitHubPAT[4:] + "` now",
		"&#103;" + fakeGitHubPAT[1:],
		base64.StdEncoding.EncodeToString([]byte(fakeGitHubPAT)),
		fakeRSAKey,
		"-----BEGIN RSA " + "PRIVATE KEY-----\n" + fakeKeyBody + "\n",
		"password: " + fakeSecret + "\npassword: <your password>\nkey: ctrl+shift+down",
		"call +1 650-253-0000 or (415) 555-0132, card " + luhnComplete("453201511283036"),
		"IBAN " + group4(ibanWith("DE", "500105175407324931")) + " ip 93.184.216.34 ::1",
		"> quote " + mail + "\n> - list " + fakeAWS + "\n",
		"| a | " + mail + " |\n|---|---|\n",
		"<div>\n" + mail + "\n</div>\n",
		"john\\_doe@acme-corp.com \\\\" + mail,
		"[redacted email] \\[redacted email\\] [redacted secret: github-pat]",
		"\xff\xfe invalid " + mail,
	}
	if b, err := os.ReadFile("testdata/support.md"); err == nil {
		seeds = append(seeds, string(b))
	}
	for _, s := range seeds {
		f.Add(s)
	}
	r, err := New(Config{IPs: true, Extra: []Pattern{{Name: "ticket", Regexp: `SR-\d{6}`}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 1<<16 {
			return
		}
		out, res := r.Text(in)
		assertClean(t, r, in, out, res)
		if res.HeldReason != "" != res.Held {
			t.Fatalf("Held %v with reason %q", res.Held, res.HeldReason)
		}
		for _, fd := range res.Findings {
			if fd.Count <= 0 || fd.Rule == "" || fd.Kind == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
		if !res.Held && len(res.Findings) > 0 && !strings.ContainsRune(in, '\uFFFD') && isUTF8(in) {
			if a, b := blockKinds(in), blockKinds(out); a != b {
				t.Fatalf("block structure changed without a hold:\n%s\n%s\nin:  %q\nout: %q", a, b, in, out)
			}
		}
	})
}

func isUTF8(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
