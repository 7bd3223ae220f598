package redact

import (
	"strings"
	"testing"
)

func newRedactor(t testing.TB, cfg Config) *Redactor {
	t.Helper()
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A true positive: text holds value, which rule must catch and remove.
type tp struct {
	name, text, rule, value string
}

// Markdown places a support post puts things in. Line contexts prefix every
// line, so multi-line values stay inside the block.
var contexts = []struct {
	name       string
	wrap       func(string) string
	escapedOut bool // prose: placeholders are written \[...\]
}{
	{"prose", func(s string) string { return "Here is what I ran " + s + " and it failed." }, true},
	{"fenced", func(s string) string { return "Config:\n\n```\n" + s + "\n```\n" }, false},
	{"indented", func(s string) string { return "Config:\n\n" + prefixLines("    ", s) + "\n" }, false},
	{"inline-code", func(s string) string { return "Run `" + s + "` first." }, false},
	{"list", func(s string) string { return "Steps:\n\n" + prefixLines("  ", "- "+s) + "\n" }, true},
	{"quote", func(s string) string { return prefixLines("> ", s) + "\n" }, true},
}

func prefixLines(p, s string) string {
	lines := strings.Split(s, "\n")
	for i := range lines {
		lines[i] = p + lines[i]
	}
	return strings.Join(lines, "\n")
}

func hasRule(res Result, rule string) bool {
	for _, f := range res.Findings {
		if f.Rule == rule && f.Count > 0 {
			return true
		}
	}
	return false
}

// checkTP runs one true positive in every context: the value must be gone,
// the rule named, nothing held, and a second pass must change nothing.
func checkTP(t *testing.T, r *Redactor, c tp) {
	t.Helper()
	for _, ctx := range contexts {
		if ctx.name == "inline-code" && strings.Contains(c.text, "\n") {
			continue // a code span cannot hold a line break
		}
		in := ctx.wrap(c.text)
		out, res := r.Text(in)
		if strings.Contains(out, c.value) {
			t.Errorf("%s/%s: value survived:\n%s", c.name, ctx.name, out)
		}
		if !hasRule(res, c.rule) {
			t.Errorf("%s/%s: want rule %s, got %+v", c.name, ctx.name, c.rule, res.Findings)
		}
		if res.Held {
			t.Errorf("%s/%s: held: %s", c.name, ctx.name, res.HeldReason)
		}
		if ctx.escapedOut != strings.Contains(out, `\[redacted`) {
			t.Errorf("%s/%s: placeholder style wrong:\n%s", c.name, ctx.name, out)
		}
		again, res2 := r.Text(out)
		if again != out || len(res2.Findings) > 0 || res2.Held {
			t.Errorf("%s/%s: not idempotent: %+v\n%s\n---\n%s", c.name, ctx.name, res2, out, again)
		}
	}
}

// checkFP asserts that text is left alone.
func checkFP(t *testing.T, r *Redactor, text string) {
	t.Helper()
	for _, ctx := range contexts[:3] {
		in := ctx.wrap(text)
		out, res := r.Text(in)
		if out != in || len(res.Findings) > 0 || res.Held {
			t.Errorf("false positive %q (%s): %+v\n%s", text, ctx.name, res, out)
		}
	}
}

func TestSecretTruePositives(t *testing.T) {
	r := newRedactor(t, Config{})
	for _, c := range []tp{
		{"github-pat", "token " + fakeGitHubPAT, "github-pat", fakeGitHubPAT},
		{"github-oauth", "GH_TOKEN=" + fakeGitHubOAu, "github-oauth", fakeGitHubOAu},
		{"aws", "export AWS_ACCESS_KEY_ID=" + fakeAWS, "aws-access-token", fakeAWS},
		{"gitlab", "GITLAB_TOKEN=" + fakeGitLab, "gitlab-pat", fakeGitLab},
		{"slack", "SLACK_BOT_TOKEN=" + fakeSlackBot, "slack-bot-token", fakeSlackBot},
		{"stripe", "Stripe.api_key = '" + fakeStripe + "'", "stripe-access-token", fakeStripe},
		// gitleaks wants a code terminator after the token; prose has a '.'.
		{"stripe-sentence", "my key is " + fakeStripe + ". Next", "stripe-access-token", fakeStripe},
		{"gcp", "maps.js?key=" + fakeGCP, "gcp-api-key", fakeGCP},
		{"npm", "//registry.npmjs.org/:_authToken=" + fakeNPM, "npm-access-token", fakeNPM},
		{"openai", "OPENAI_API_KEY=" + fakeOpenAI, "openai-api-key", fakeOpenAI},
		{"jwt", "Authorization: Bearer " + fakeJWT, "jwt", fakeJWT},
		{"private-key", fakeRSAKey, "private-key", "MIIEpAIBAAKCAQEA1c7"},
		{"curl-user", "curl -u alice:" + fakeSecret + " https://api.acme-corp.com/v1/items", "curl-auth-user", fakeSecret},
		{"curl-header", `curl -H "Authorization: Bearer 8f2d9c1e7b3a4f60a1b2c3d4e5f60718" https://api.acme-corp.com`, "curl-auth-header", "8f2d9c1e7b3a4f60a1b2c3d4e5f60718"},
		{"url-credentials", "git clone https://alice:" + fakeSecret + "@git.acme-corp.com/team/repo.git", "url-credentials", fakeSecret},
		{"db-url", "DATABASE_URL=postgres://app:" + fakeSecret + "@db.acme-corp.com:5432/prod", "url-credentials", fakeSecret},
		{"authorization", "Authorization: Bearer 8f2d9c1e7b3a4f60a1b2c3d4e5f60718", "authorization-header", "8f2d9c1e7b3a4f60a1b2c3d4e5f60718"},
		{"generic", `api_key = "9fT2kLm8QxZ4vB7nR1sW"`, "generic-api-key", "9fT2kLm8QxZ4vB7nR1sW"},
		{"password-yaml", "password: " + fakeSecret, "password-assignment", fakeSecret},
		{"password-env", "DB_PASSWORD=" + fakeSecret, "password-assignment", fakeSecret},
		{"password-json", `{"password": "correct horse battery staple"}`, "password-assignment", "correct horse battery staple"},
		{"secret-yaml", "client_secret: 7dK2pQ9xWq", "password-assignment", "7dK2pQ9xWq"},
	} {
		t.Run(c.name, func(t *testing.T) { checkTP(t, r, c) })
	}
}

func TestSecretFalsePositives(t *testing.T) {
	r := newRedactor(t, Config{IPs: true})
	for _, text := range []string{
		"password: <your password>",
		"password=<your-password>",
		"api_key=YOUR_KEY_HERE",
		"api_key: YOUR_API_KEY",
		"api_key: xxx",
		"api_key: xxxxxxxxxxxxxxxxxxxx",
		"password: ********",
		`secret: "****"`,
		"token: $API_TOKEN",
		"password=${DB_PASSWORD}",
		"api_key: %API_KEY%",
		"secret: {{ .Values.secret }}",
		`"key": "ctrl+shift+down"`,
		"key: ctrl+shift+down",
		"keybinding: cmd+k",
		"job id 123e4567-e89b-12d3-a456-426614174000",
		"commit 3f786850e387550fdab836ed7e6dc881de23001b",
		"sha256:3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed",
		"Password: restart the app and log in again.",
		"Reset your password: click the link in the mail.",
		"The API key is stored in the vault; the token expires after 3600 seconds.",
		`password = os.environ["DB_PASSWORD"]`,
		"token = get_token()",
		"password=config.db_password",
		`password = "$PASSWORD"`,
		"public_key_path: ~/.ssh/id_ed25519.pub",
		"monkey: banana",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		"Authorization: Bearer <token>",
		"Authorization: Bearer $TOKEN",
		"Authorization: Bearer YOUR_TOKEN_HERE",
		"We use Bearer authentication everywhere.",
		"https://user:password@git.acme-corp.com/repo.git",
		"postgres://postgres:postgres@localhost:5432/app",
		"https://${USER}:${PASS}@git.acme-corp.com/repo.git",
		"max_tokens: 4096",
		"token_ttl: 3600",
		"-----BEGIN PUBLIC KEY-----",
	} {
		checkFP(t, r, text)
	}
}

func TestEmail(t *testing.T) {
	r := newRedactor(t, Config{})
	for _, c := range []tp{
		{"plain", "jane.doe@acme-corp.com", "email", "jane.doe@acme-corp.com"},
		{"plus", "JOHN+filter@mail.acme.co.uk", "email", "JOHN+filter"},
		{"escaped", `john\_doe@acme-corp.com`, "email", "doe@acme-corp.com"},
		{"sentence", "write to jane@acme-corp.com.", "email", "jane@acme-corp.com"},
		{"author", "Author: Jane Doe <jane.doe@acme-corp.io>", "email", "jane.doe@acme-corp.io"},
	} {
		t.Run(c.name, func(t *testing.T) { checkTP(t, r, c) })
	}
	for _, text := range []string{
		"user@localhost",
		"git@github.com:acme/repo.git",
		"support@example.com",
		"someone@mail.example.org",
		"dev@acme.test",
		"logo@2x.png and icon@3x.webp",
		"npm install lodash@4.17.21 @angular/core@12.0.0",
		"docker pull nginx@sha256:abc",
		"a@b",
		"name@company",
		"@decorator.call()",
		"ssh ubuntu@10.0.0.12",
	} {
		checkFP(t, r, text)
	}
}

func TestPhone(t *testing.T) {
	r := newRedactor(t, Config{})
	for _, c := range []tp{
		{"e164-us", "call +1 650-253-0000", "phone", "253-0000"},
		{"us-parens", "call (415) 555-0132", "phone", "555-0132"},
		{"us-dots", "call 415.555.0132", "phone", "555.0132"},
		{"toll-free", "1-800-555-0199", "phone", "555-0199"},
		{"uk", "ring +44 20 7946 0958", "phone", "7946 0958"},
		{"fr", "tel +33 1 23 45 67 89", "phone", "23 45 67 89"},
		{"context", "mobile: 4155550132", "phone", "4155550132"},
	} {
		t.Run(c.name, func(t *testing.T) { checkTP(t, r, c) })
	}
	for _, text := range []string{
		"version 1.2.3.4",
		"build 10.0.19041.1234",
		"2024-03-15 10:30:45",
		"15/03/2024",
		"order 4155550132",
		"Order #100234567",
		"ticket 1234567890",
		"timestamp 1700000000123",
		"uuid 12345678-1234-1234-1234-123456789012",
		"sha 3f786850e387550fdab836ed7e6dc881de23001b",
		"ISBN 978-3-16-148410-0",
		"ports 8080-8090",
		"555-123-4567",
		"v2.10.3 and 192.168.10.15",
		"1. 2. 3. 4. 5. 6. 7.",
		"values 1 2 3 4 5 6 7 8",
		"Price: $1,299.00",
	} {
		checkFP(t, r, text)
	}
}

func TestPhoneRegion(t *testing.T) {
	national := "ring 020 7946 0958 now"
	if out, res := newRedactor(t, Config{}).Text(national); len(res.Findings) > 0 {
		t.Errorf("a UK national number is not a US one: %s", out)
	}
	out, res := newRedactor(t, Config{Region: "GB"}).Text(national)
	if !hasRule(res, "phone") || strings.Contains(out, "7946") {
		t.Errorf("Region GB: %s %+v", out, res)
	}
}

func TestCard(t *testing.T) {
	r := newRedactor(t, Config{})
	visa := luhnComplete("453201511283036")
	amex := luhnComplete("37828224631001")
	mc := luhnComplete("522222222222222")
	for _, c := range []tp{
		{"visa", "card " + visa, "card", visa},
		{"visa-spaces", "card " + group4(visa), "card", group4(visa)[5:]},
		{"visa-dashes", "card " + strings.ReplaceAll(group4(visa), " ", "-"), "card", visa[4:8]},
		{"amex", "amex " + amex[:4] + " " + amex[4:10] + " " + amex[10:], "card", amex[4:10]},
		{"mastercard", "mc=" + mc, "card", mc},
	} {
		t.Run(c.name, func(t *testing.T) { checkTP(t, r, c) })
	}
	bad := visa[:15] + string('0'+(visa[15]-'0'+1)%10) // breaks Luhn
	for _, text := range []string{
		"card " + bad,
		"order 4000 1234 5678 9010",
		"test card 4242 4242 4242 4242",
		"test card 4111111111111111",
		"invoice 1234567890123456",
		"Order #" + visa,
		"id " + luhnComplete("999999999999999"), // no issuer
	} {
		checkFP(t, r, text)
	}
}

func TestIBAN(t *testing.T) {
	r := newRedactor(t, Config{})
	de := ibanWith("DE", "500105175407324931")
	fr := ibanWith("FR", "30006000011234567890189")
	for _, c := range []tp{
		{"compact", "IBAN " + de, "iban", de},
		{"grouped", "IBAN " + group4(de), "iban", group4(de)[5:]},
		{"fr", "pay to " + fr, "iban", fr},
	} {
		t.Run(c.name, func(t *testing.T) { checkTP(t, r, c) })
	}
	wrong := de[:2] + "00" + de[4:]
	for _, text := range []string{
		"IBAN " + wrong,
		"GB82WEST12345698765432",
		"DE89 3704 0044 0532 0130 00",
		"XX12345678901234567890",
		"serial AB12CDEF3456",
	} {
		checkFP(t, r, text)
	}
}

func TestIP(t *testing.T) {
	r := newRedactor(t, Config{IPs: true})
	for _, c := range []tp{
		{"v4", "server 93.184.216.34 refused", "ip", "93.184.216.34"},
		{"v4-port", "http://93.184.216.34:8080/", "ip", "93.184.216.34"},
		{"v6", "host 2a00:1450:4007:80e::200e", "ip", "2a00:1450:4007:80e::200e"},
	} {
		t.Run(c.name, func(t *testing.T) { checkTP(t, r, c) })
	}
	for _, text := range []string{
		"127.0.0.1", "0.0.0.0", "10.20.30.40:3128", "192.168.1.1", "172.16.5.4",
		"100.64.1.2", "169.254.169.254", "203.0.113.5", "198.51.100.7", "192.0.2.1",
		"255.255.255.255", "224.0.0.251", "1.2.3.4", "version 10.2.33.44", "v1.22.33.44",
		"8.8.8.8", "1.1.1.1", "::1", "fe80::1%eth0", "2001:db8::1", "std::vector<int>",
		"10:30:00", "00:1a:2b:3c:4d:5e", "1.2.3.4.5", "255.256.1.1",
	} {
		checkFP(t, r, text)
	}
	// Off unless asked for.
	if _, res := newRedactor(t, Config{}).Text("server 93.184.216.34"); len(res.Findings) > 0 {
		t.Errorf("ip rule on by default: %+v", res)
	}
}

func TestExtraPatterns(t *testing.T) {
	r := newRedactor(t, Config{Extra: []Pattern{
		{Name: "ticket", Regexp: `\bSR-\d{6}\b`},
		{Name: "customer id", Regexp: `cust=(C\d{8})`},
	}})
	out, res := r.Text("See SR-448812 for cust=C12345678 details.")
	want := `See \[redacted ticket\] for cust=\[redacted customer id\] details.`
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if !hasRule(res, "ticket") || !hasRule(res, "customer id") || res.Findings[0].Kind != KindCustom {
		t.Errorf("findings %+v", res.Findings)
	}
	// A pattern that matches our own placeholder text must not loop.
	r2 := newRedactor(t, Config{Extra: []Pattern{{Name: "word", Regexp: `redacted|word`}}})
	out, _ = r2.Text("a word here")
	if again, res := r2.Text(out); again != out || len(res.Findings) > 0 {
		t.Errorf("not idempotent: %q -> %q", out, again)
	}
}
