package redact

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func entities(s string, hexForm bool) string {
	var b strings.Builder
	for _, c := range s {
		if hexForm {
			fmt.Fprintf(&b, "&#x%x;", c)
		} else {
			fmt.Fprintf(&b, "&#%d;", c)
		}
	}
	return b.String()
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func unicodeEscapes(s string) string {
	var b strings.Builder
	for _, c := range s {
		fmt.Fprintf(&b, `\u%04x`, c)
	}
	return b.String()
}

// Every encoded form of one fake key must be caught: redacted in place
// (plain or Markdown-escaped forms) or held (forms that needed decoding).
// Either way neither the key nor its encoded form may reach the output.
func TestEncodedVariants(t *testing.T) {
	r := newRedactor(t, Config{})
	key := fakeGitHubPAT
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	for _, c := range []struct {
		name, encoded string
		held          bool
	}{
		{"raw", key, false},
		{"markdown-escaped", strings.ReplaceAll(key, "_", `\_`), false},
		{"in-url", "https://acme-corp.com/hook?token=" + key, false},
		{"entity-first", "&#103;" + key[1:], true},
		{"entity-decimal", entities(key, false), true},
		{"entity-hex", entities(key, true), true},
		{"entity-named", strings.ReplaceAll(key, "_", "&lowbar;"), true},
		{"percent-underscore", strings.ReplaceAll(key, "_", "%5F"), true},
		{"percent-all", percentAll(key), true},
		{"base64", b64, true},
		{"base64-url-raw", base64.RawURLEncoding.EncodeToString([]byte(key)), true},
		// A value that a rule catches as it stands is simply redacted.
		{"base64-in-yaml", "token: " + b64, false},
		{"hex", hex.EncodeToString([]byte(key)), true},
		{"unicode-escapes", unicodeEscapes(key), true},
		{"split-by-code", "`" + key[:4] + "``" + key[4:] + "`", true},
		{"base64-of-percent", base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(key, "_", "%5F"))), true},
		{"entity-quoted", "password=&quot;" + key + "&quot;", false},
		{"entity-quoted-password", "password=&quot;" + fakeSecret + "x&quot;", true},
		{"basic-auth", "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("alice:"+key)), false},
		{"query-escaped", "q=" + url.QueryEscape("a b/"+key), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := "Here is my value " + c.encoded + " please help."
			out, res := r.Text(in)
			if strings.Contains(out, key) || strings.Contains(out, c.encoded) {
				t.Errorf("key survived:\n%s", out)
			}
			if len(res.Findings) == 0 {
				t.Errorf("no findings")
			}
			if res.Held != c.held {
				t.Errorf("held = %v (%s), want %v", res.Held, res.HeldReason, c.held)
			}
			if strings.Contains(res.HeldReason, key) || strings.Contains(res.HeldReason, c.encoded) {
				t.Errorf("reason leaks the value: %s", res.HeldReason)
			}
			if c.held && !strings.Contains(res.HeldReason, "decoding") {
				t.Errorf("reason %q does not say why", res.HeldReason)
			}
			if again, res2 := r.Text(out); again != out || len(res2.Findings) > 0 || res2.Held {
				t.Errorf("second pass: %+v\n%s", res2, again)
			}
		})
	}
}

// Personal data behind an encoding is held too (an email in a tracking
// pixel's query string, an obfuscated address).
func TestEncodedPII(t *testing.T) {
	r := newRedactor(t, Config{})
	for _, in := range []string{
		"![](https://t.acme-corp.com/p.gif?u=jane.doe%40acme-corp.com)",
		"mail jane.doe&#64;acme-corp.com",
	} {
		out, res := r.Text(in)
		if !res.Held || !hasRule(res, "email") || strings.Contains(out, "acme-corp.com") && strings.Contains(out, "jane") {
			t.Errorf("%q -> %q %+v", in, out, res)
		}
	}
}

func TestCutPrivateKey(t *testing.T) {
	r := newRedactor(t, Config{})
	cut := "-----BEGIN OPENSSH " + "PRIVATE KEY-----\n" + fakeKeyBody + "\n(the rest did not fit in the post)"
	for _, in := range []string{
		"My key:\n\n```\n" + cut + "\n```\n",
		"My key:\n\n" + cut + "\n",
	} {
		out, res := r.Text(in)
		if !res.Held || !strings.Contains(res.HeldReason, "cut") {
			t.Errorf("not held: %+v", res)
		}
		if strings.Contains(out, "MIIEpAIBAAKCAQEA1c7") || strings.Contains(out, "BEGIN OPENSSH") {
			t.Errorf("key survived:\n%s", out)
		}
		if !strings.Contains(out, "(the rest did not fit in the post)") {
			t.Errorf("swallowed the prose after the key:\n%s", out)
		}
	}
}
