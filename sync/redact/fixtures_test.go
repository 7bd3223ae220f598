package redact

import (
	"math/big"
	"strconv"
	"strings"
)

// Fake secrets are built by concatenation so that this repository does not
// itself trip secret scanners (ours in CI, or a forge's push protection);
// they still match the rules.
var (
	fakeGitHubPAT = "ghp" + "_" + "R4nd0mL00kingT0k3nV4lu3abcdEFGH12345"
	fakeGitHubOAu = "gho" + "_" + "Q8wE2rT6yU0iO4pA7sD1fG5hJ9kL3zX6cV2b"
	fakeAWS       = "AKIA" + "Z7Q4M2X3P5L6K4W7"
	fakeGitLab    = "glpat" + "-" + "Xk3v9QmZ2pL8rT5wYb7N"
	fakeSlackBot  = "xoxb" + "-" + "2384729384" + "-" + "9234823948234" + "-" + "a8Kd93LmQz0pXv7TnR2sYw4B"
	fakeStripe    = "sk" + "_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
	fakeGCP       = "AIza" + "SyD8Qm3vL0pXk2Zr9Tn5Wb7Yc1Hf4Jg6Ke8"
	fakeNPM       = "npm" + "_" + "k3Jd8Qm2Zx7Lp4Wv9Rt1Yb6Nc0Hs5Gf2Ua8E"
	fakeOpenAI    = "sk-" + "Ab3De5Gh7Jk9Mn2Pq4St" + "T3Blbk" + "FJ" + "Uv6Wx8Yz1Bc3Df5Gh7Jk"
	fakeJWT       = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + "." +
		"eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUiLCJpYXQiOjE1MTYyMzkwMjJ9" + "." +
		"Xk3v9QmZ2pL8rT5wYb7NqR4sT6uV8wX0yZ2aB4cD6eF"
	fakeKeyBody = "MIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HecCFH\n" +
		"qDb2pS7dVtgAc3nTQOpxq0r5Q8hNk1RyUZz2mFJx8VqLc5wKd9ErBs4GHiT6yMnP\n" +
		"Zx0a3Lq7fWc1Yt8Rv2Ks5Jm9Dg4Hb6Nf0Pe3Ui7Wo1Xr5Ty9Az2Qs8Cv4Bn6Mk0"
	fakeRSAKey = "-----BEGIN RSA " + "PRIVATE KEY-----\n" + fakeKeyBody + "\n-----END RSA " + "PRIVATE KEY-----"
	fakeSecret = "S3cr3t" + "Pa55" // a password; low entropy, no prefix
)

// luhnComplete appends the check digit that makes digits Luhn-valid. It is
// written apart from the package's own check on purpose.
func luhnComplete(digits string) string {
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return digits + strconv.Itoa((10-sum%10)%10)
}

// ibanWith computes the check digits of an IBAN with math/big (ISO 13616),
// independently of the package's streaming mod-97.
func ibanWith(country, bban string) string {
	var num strings.Builder
	for _, c := range bban + country + "00" {
		if c >= 'A' && c <= 'Z' {
			num.WriteString(strconv.Itoa(int(c-'A') + 10))
		} else {
			num.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(num.String(), 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return country + leftPad(strconv.FormatInt(check, 10)) + bban
}

func leftPad(s string) string {
	if len(s) < 2 {
		return "0" + s
	}
	return s
}

// group4 prints an IBAN or card in groups of four.
func group4(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(len(s), i+4)])
	}
	return b.String()
}
