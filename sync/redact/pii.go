package redact

import (
	"net/netip"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PII detectors are hand-written scanners (no regexp): each looks for a cheap
// anchor byte, grows a candidate around it and validates it with a checksum
// or a parser, so ordinary text costs one pass of byte comparisons.

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// ---- email

func isLocalChar(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

func isDomainChar(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

// Reserved names (RFC 2606, RFC 6761) and internal suffixes: never a person's mailbox.
var reservedTLDs = map[string]bool{
	"example": true, "test": true, "invalid": true, "localhost": true, "local": true,
	"internal": true, "lan": true, "localdomain": true,
}

// File extensions that look like TLDs in names such as logo@2x.png.
var fileTLDs = map[string]bool{
	"png": true, "jpg": true, "jpeg": true, "gif": true, "svg": true, "webp": true,
	"bmp": true, "ico": true, "js": true, "mjs": true, "cjs": true, "ts": true, "tsx": true,
	"jsx": true, "css": true, "scss": true, "map": true, "json": true, "xml": true,
	"yml": true, "yaml": true, "txt": true, "html": true, "htm": true, "php": true,
	"lock": true, "exe": true, "dll": true, "gz": true, "tar": true, "wasm": true,
}

// emailAt validates the candidate around the '@' at i and returns its bounds.
func emailAt(s string, i int) (int, int, bool) {
	j := i
	for j > 0 && isLocalChar(s[j-1]) && i-j < 64 {
		j--
	}
	if j > 0 && isLocalChar(s[j-1]) {
		return 0, 0, false // local part too long to be real
	}
	for j < i && !isAlnum(s[j]) {
		j++
	}
	if j == i || s[i-1] == '.' {
		return 0, 0, false
	}
	// scp-style git remotes and URL user-info are not mailboxes.
	if s[j:i] == "git" {
		return 0, 0, false
	}
	if j > 0 && s[j-1] == ':' {
		k := j - 1
		for k > 0 && j-k < 256 && strings.IndexByte(" \t\n([<\"'", s[k-1]) < 0 {
			k--
		}
		if strings.Contains(s[k:j], "://") {
			return 0, 0, false
		}
	}
	k := i + 1
	for k < len(s) && isDomainChar(s[k]) && k-i <= 253 {
		k++
	}
	for k > i+1 && (s[k-1] == '.' || s[k-1] == '-') {
		k--
	}
	dom := s[i+1 : k]
	labels := strings.Split(dom, ".")
	if len(labels) < 2 {
		return 0, 0, false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return 0, 0, false
		}
	}
	tld := strings.ToLower(labels[len(labels)-1])
	if len(tld) < 2 || len(tld) > 24 {
		return 0, 0, false
	}
	for x := 0; x < len(tld); x++ {
		if !isAlpha(tld[x]) {
			return 0, 0, false
		}
	}
	ld := strings.ToLower(dom)
	if reservedTLDs[tld] || fileTLDs[tld] || isRetina(labels[0]) {
		return 0, 0, false
	}
	for _, d := range []string{"example.com", "example.net", "example.org"} {
		if ld == d || strings.HasSuffix(ld, "."+d) {
			return 0, 0, false
		}
	}
	return j, k, true
}

// isRetina matches the "2x" of icon@2x.png.
func isRetina(l string) bool {
	return len(l) >= 2 && l[len(l)-1]|0x20 == 'x' && strings.Trim(l[:len(l)-1], "0123456789") == ""
}

func (r *Redactor) scanEmails(s string, out []hit) []hit {
	for off := 0; ; {
		i := strings.IndexByte(s[off:], '@')
		if i < 0 {
			return out
		}
		i += off
		off = i + 1
		if a, b, ok := emailAt(s, i); ok {
			out = append(out, hit{start: a, end: b, ref: r.pii[ruleEmail]})
			off = b
		}
	}
}

// ---- phone numbers and payment cards share one number-run scanner

// numStartOK rejects runs glued to identifiers, versions, paths, times,
// money and order numbers.
func numStartOK(s string, i int) bool {
	if i == 0 {
		return true
	}
	p := s[i-1]
	switch {
	case isAlnum(p) || p >= 0x80:
		return false
	case strings.IndexByte("_.-#$%@\\&*^~", p) >= 0:
		return false
	case p == ':':
		return i >= 2 && isAlpha(s[i-2])
	}
	return true
}

func isNumSep(c byte) bool { return strings.IndexByte(" -.()/", c) >= 0 }

// numberRun returns the end of the run of digits and single separators that
// starts at i, and how many digits it holds.
func numberRun(s string, i int) (end, digits int) {
	j := i
	if s[j] == '+' || s[j] == '(' {
		j++
	}
	end = j
	for j < len(s) && j-i < 32 {
		c := s[j]
		if isDigit(c) {
			digits++
			j++
			end = j
			continue
		}
		if !isNumSep(c) {
			break
		}
		// At most two separators in a row (") " or " (") and a digit after.
		k := j + 1
		if k < len(s) && (c == ')' && s[k] == ' ' || c == ' ' && s[k] == '(') {
			k++
		}
		if k >= len(s) || !isDigit(s[k]) {
			if c == ')' {
				end = j + 1
			}
			break
		}
		j = k
	}
	return end, digits
}

func luhn(d []byte) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if (len(d)-i)%2 == 0 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}

func atoiPrefix(d []byte, n int) int {
	v := 0
	for _, c := range d[:n] {
		v = v*10 + int(c-'0')
	}
	return v
}

// cardIIN reports whether the digits start with an issuer prefix whose
// numbers have this length.
func cardIIN(d []byte) bool {
	n := len(d)
	p2, p3, p4 := atoiPrefix(d, 2), atoiPrefix(d, 3), atoiPrefix(d, 4)
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65:
		return n >= 16
	case p4 >= 3528 && p4 <= 3589:
		return n >= 16
	case p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39:
		return n >= 14
	case p2 == 62:
		return n >= 16
	case p2 == 50 || p2 >= 56 && p2 <= 69:
		return n >= 13
	}
	return false
}

// Published test card numbers (Stripe, Braintree, Adyen docs): not personal data.
var testCards = map[string]bool{
	"4242424242424242": true, "4111111111111111": true, "4012888888881881": true,
	"4000056655665556": true, "5555555555554444": true, "5105105105105100": true,
	"2223003122003222": true, "5200828282828210": true, "378282246310005": true,
	"371449635398431": true, "6011111111111117": true, "6011000990139424": true,
	"3056930009020004": true, "36227206271667": true, "3566002020360505": true,
	"6200000000000005": true, "30569309025904": true, "38520000023237": true,
}

func (r *Redactor) isCard(run string, d []byte) bool {
	if len(d) < 13 || len(d) > 19 || strings.ContainsAny(run, "+()./") {
		return false
	}
	if strings.Contains(run, " ") && strings.Contains(run, "-") {
		return false
	}
	for _, g := range strings.FieldsFunc(run, func(c rune) bool { return c == ' ' || c == '-' }) {
		if len(g) < 3 {
			return false
		}
	}
	if strings.Count(string(d), string(d[0])) == len(d) {
		return false
	}
	return luhn(d) && cardIIN(d) && !testCards[string(d)]
}

var phoneContext = []string{"phone", "tel", "call", "mobile", "cell", "fax", "whatsapp", "sms", "contact"}

func (r *Redactor) isPhone(s string, lower []byte, start int, run string, d []byte) bool {
	if len(d) < 7 || len(d) > 15 {
		return false
	}
	plus := run[0] == '+'
	seps := strings.Trim(run, "0123456789+")
	switch {
	case strings.Contains(seps, "/"):
		return false // dates and fractions
	case strings.Contains(seps, "."):
		// Dotted numbers are versions or addresses, except US 415.555.0132.
		if !dottedUS(run) {
			return false
		}
	case seps == "" && !plus:
		// A bare digit run is an id, a timestamp or an order number unless
		// the sentence says it is a phone number.
		// Our own "[redacted phone]" must not vouch for its neighbours.
		ctx := strings.ReplaceAll(string(lower[max(0, start-32):start]), "redacted phone", "")
		found := false
		for _, w := range phoneContext {
			if strings.Contains(ctx, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if isDateLike(run) {
		return false
	}
	num, err := phonenumbers.Parse(run, r.region)
	if err != nil {
		return false
	}
	return phonenumbers.IsValidNumber(num)
}

func dottedUS(run string) bool {
	g := strings.Split(run, ".")
	return len(g) == 3 && len(g[0]) == 3 && len(g[1]) == 3 && len(g[2]) == 4
}

// isDateLike matches 2024-01-15, 15-01-2024 and 2024 01 15 shapes.
func isDateLike(run string) bool {
	g := strings.FieldsFunc(run, func(c rune) bool { return c == '-' || c == ' ' })
	if len(g) < 3 {
		return false
	}
	l0, l1, l2 := len(g[0]), len(g[1]), len(g[2])
	return l0 == 4 && l1 <= 2 && l2 <= 2 || l0 <= 2 && l1 <= 2 && l2 == 4
}

func (r *Redactor) scanNumbers(s string, lower []byte, wantPhone, wantCard bool, out []hit) []hit {
	var d []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !((c == '+' || c == '(') && i+1 < len(s) && isDigit(s[i+1])) {
			continue
		}
		if !numStartOK(s, i) {
			// Skip the rest of this token so we never start inside it.
			for i < len(s) && (isAlnum(s[i]) || strings.IndexByte("._-:/", s[i]) >= 0) {
				i++
			}
			continue
		}
		end, n := numberRun(s, i)
		next := i + 1
		if end > next {
			next = end
		}
		if n < 7 {
			i = next - 1
			continue
		}
		// The run must end cleanly: not inside a word, an email, a version.
		if end < len(s) {
			e := s[end]
			if isAlnum(e) || e >= 0x80 || strings.IndexByte("_@%", e) >= 0 ||
				(e == '.' || e == '-' || e == ':') && end+1 < len(s) && isDigit(s[end+1]) {
				for next < len(s) && (isAlnum(s[next]) || strings.IndexByte("._-:@%", s[next]) >= 0) {
					next++
				}
				i = next - 1
				continue
			}
		}
		start := i
		run := s[start:end]
		if run[0] == '(' && !strings.Contains(run, ")") {
			start++
			run = run[1:]
		}
		if run[len(run)-1] == ')' && !strings.Contains(run, "(") {
			end--
			run = run[:len(run)-1]
		}
		d = d[:0]
		for x := 0; x < len(run); x++ {
			if isDigit(run[x]) {
				d = append(d, run[x])
			}
		}
		switch {
		case wantCard && r.isCard(run, d):
			out = append(out, hit{start: start, end: end, ref: r.pii[ruleCard]})
		case wantPhone && r.isPhone(s, lower, start, run, d):
			out = append(out, hit{start: start, end: end, ref: r.pii[rulePhone]})
		}
		i = next - 1
	}
	return out
}

// ---- IBAN

var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// The textbook examples (ECBS, Wikipedia) appear in docs and are nobody's account.
var exampleIBANs = map[string]bool{
	"GB82WEST12345698765432": true, "DE89370400440532013000": true,
	"GB29NWBK60161331926819": true, "FR1420041010050500013M02606": true,
}

func ibanValid(c []byte) bool {
	rem := 0
	for k := 0; k < len(c); k++ {
		ch := c[(k+4)%len(c)]
		switch {
		case isDigit(ch):
			rem = (rem*10 + int(ch-'0')) % 97
		case isUpper(ch):
			rem = (rem*100 + int(ch-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

func (r *Redactor) scanIBANs(s string, out []hit) []hit {
	var c []byte
	for i := 0; i+4 <= len(s); i++ {
		if !isUpper(s[i]) || !isUpper(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
			continue
		}
		if i > 0 && (isAlnum(s[i-1]) || s[i-1] == '_') {
			continue
		}
		want, ok := ibanLengths[s[i:i+2]]
		if !ok {
			continue
		}
		// Compact (DE89370400440532013000) or printed in groups of four.
		c = c[:0]
		j := i
		for j < len(s) && len(c) < want {
			ch := s[j]
			if isDigit(ch) || isUpper(ch) {
				c = append(c, ch)
				j++
				continue
			}
			if ch == ' ' && len(c)%4 == 0 && j+1 < len(s) && (isDigit(s[j+1]) || isUpper(s[j+1])) {
				j++
				continue
			}
			break
		}
		if len(c) != want || j < len(s) && (isAlnum(s[j]) || s[j] == '_') {
			continue
		}
		if ibanValid(c) && !exampleIBANs[string(c)] {
			out = append(out, hit{start: i, end: j, ref: r.pii[ruleIBAN]})
			i = j - 1
		}
	}
	return out
}

// ---- IP addresses

func isAddrChar(c byte) bool {
	return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'f' || c == ':' || c == '.'
}

// Non-personal prefixes beyond what netip classifies: documentation, shared
// address space, benchmarking, reserved, IETF and 6to4/Teredo ranges.
var specialPrefixes = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15",
		"198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "2001::/23", "2001:db8::/32",
		"2002::/16", "3fff::/20",
	} {
		ps = append(ps, netip.MustParsePrefix(p))
	}
	return ps
}()

// Public resolvers that fill support answers ("set DNS to 8.8.8.8").
var wellKnownAddrs = func() map[netip.Addr]bool {
	m := map[netip.Addr]bool{}
	for _, a := range []string{
		"8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "149.112.112.112",
		"208.67.222.222", "208.67.220.220", "2001:4860:4860::8888", "2001:4860:4860::8844",
		"2606:4700:4700::1111", "2606:4700:4700::1001",
	} {
		m[netip.MustParseAddr(a)] = true
	}
	return m
}()

var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// publicAddr reports whether a is a routable address that can point at a
// customer's host.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsGlobalUnicast() || a.IsPrivate() || wellKnownAddrs[a.WithZone("")] {
		return false
	}
	if a.Is6() && !globalUnicast6.Contains(a.WithZone("")) {
		return false
	}
	for _, p := range specialPrefixes {
		if p.Contains(a.WithZone("")) {
			return false
		}
	}
	return true
}

func (r *Redactor) scanIPs(s string, lower []byte, out []hit) []hit {
	for i := 0; i < len(s); i++ {
		// Every address holds a digit or a colon; start there and widen.
		if c := s[i]; !isDigit(c) && c != ':' {
			continue
		}
		start := i
		for start > 0 && isAddrChar(s[start-1]) {
			start--
		}
		end := i
		for end < len(s) && isAddrChar(s[end]) {
			end++
		}
		i = end
		if start > 0 && (isAlnum(s[start-1]) || s[start-1] == '_' || s[start-1] >= 0x80) {
			continue
		}
		if end < len(s) && (isAlnum(s[end]) || s[end] == '_' || s[end] >= 0x80) {
			continue
		}
		cand := s[start:end]
		colons := strings.Count(cand, ":")
		if colons < 2 {
			// IPv4, maybe with a port.
			if k := strings.IndexByte(cand, ':'); k >= 0 {
				cand = cand[:k]
			}
			cand = strings.TrimRight(cand, ".")
			if strings.Count(cand, ".") != 3 || !versionFree(s, lower, start, cand) {
				continue
			}
		} else {
			cand = strings.TrimRight(cand, ":.")
		}
		a, err := netip.ParseAddr(cand)
		if err != nil || !publicAddr(a) {
			continue
		}
		out = append(out, hit{start: start, end: start + len(cand), ref: r.pii[ruleIP]})
	}
	return out
}

// versionFree rejects 1.2.3.4-style version strings: all octets single
// digits, or the word "version" just before.
func versionFree(s string, lower []byte, start int, cand string) bool {
	if len(cand) == 7 {
		return false
	}
	ctx := string(lower[max(0, start-12):start])
	return !strings.Contains(ctx, "version") && !strings.Contains(ctx, "ver.") &&
		!strings.Contains(ctx, "build") && !strings.Contains(ctx, "release")
}
