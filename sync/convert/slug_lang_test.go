package convert

import (
	"strings"
	"testing"
	"unicode"
)

// Slugs of titles in each script, as go-unidecode v0.2.0 spells them.
// Alphabets transliterate letter by letter; abjads (Arabic, Urdu, Persian,
// Hebrew) lose the short vowels they do not write, and Arabic alif and
// ayn are dropped, so the slug is a consonant skeleton: still ASCII,
// stable and close to how the title is romanized by hand. Han is read in
// Mandarin pinyin, which suits Chinese but not Japanese (see the kanji
// cases). Scripts unidecode has no table for give "": the caller then
// names the article by its id.
func TestSlugScripts(t *testing.T) {
	tests := []struct{ script, title, want string }{
		{"Greek", "Πώς μπορώ να αλλάξω τον κωδικό μου;", "pos-mporo-na-allaxo-ton-kodiko-mou"},
		{"Greek diacritics", "Ελληνικά: ΐ ΰ ς Ω ώ", "ellenika-i-u-s-o-o"},
		{"Russian", "Как изменить пароль?", "kak-izmenit-parol"},
		{"Ukrainian", "Як змінити пароль? Ґґ Єє Її", "iak-zminiti-parol-g-g-ieie-yiyi"},
		{"Serbian Cyrillic", "Како могу да променим лозинку?", "kako-mogu-da-promenim-lozinku"},
		{"Serbian letters", "Љубав, њива, џеп, ђак, ћерка", "ljubav-njiva-dzhep-djak-tsherka"},
		{"Serbian Latin", "Kako mogu da promenim lozinku? Đurđevdan", "kako-mogu-da-promenim-lozinku-durdevdan"},
		{"Urdu", "میں اپنا پاس ورڈ کیسے تبدیل کروں؟", "myn-pn-ps-wrdd-khysy-tbdyl-khrwn"},
		{"Urdu letters", "اردو میں ٹ ڈ ڑ ں ے ۓ ہ ھ گ ک", "rdw-myn-tt-dd-rr-n-y-y-h-h-g-kh"},
		{"Arabic", "كيف يمكنني تغيير كلمة المرور؟", "kyf-ymknny-tgyyr-klm-lmrwr"},
		{"Persian", "چگونه رمز عبور را تغییر دهم؟", "chgwnh-rmz-bwr-r-tgyyr-dhm"},
		{"Persian letters", "سلام دنیا، چطوری؟ پژ گچ", "slm-dny-chtwry-pj-gch"},
		{"Hebrew", "שלום עולם", "shlvm-vlm"},
		{"Croatian", "Kako mogu promijeniti lozinku? Čćžšđ", "kako-mogu-promijeniti-lozinku-cczsd"},
		{"Croatian capitals", "Ne mogu se prijaviti – što učiniti? ŠĐČĆŽ", "ne-mogu-se-prijaviti-sto-uciniti-sdccz"},
		{"Tagalog", "Nakalimutan ko ang password ko, ano ang gagawin ko?", "nakalimutan-ko-ang-password-ko-ano-ang-gagawin-ko"},
		{"Tagalog tilde", "Ng̃ayon, Señor Niño", "ngayon-senor-nino"},
		{"French", "Où est l'été ? Noël, garçon, cœur, Æsop", "ou-est-l-ete-noel-garcon-coeur-aesop"},
		{"French decomposed", "Ou\u0300 est l'e\u0301te\u0301 ?", "ou-est-l-ete"},
		{"Chinese simplified", "如何更改我的账户密码？", "ru-he-geng-gai-wo-de-zhang-hu-mi-ma"},
		{"Chinese traditional", "我的電腦無法開機", "wo-de-dian-nao-wu-fa-kai-ji"},
		{"Korean", "비밀번호는 어떻게 변경하나요?", "bimilbeonhoneun-eoddeohge-byeongyeonghanayo"},
		{"Japanese kana", "パスワード", "pasuwado"},
		// unidecode reads kanji the Chinese way (変更, henkō, would be
		// "bian-geng"): Japanese with kanji gets the id-based name. Kanji
		// alone cannot be told from Chinese and keep the Mandarin reading.
		{"Japanese kanji", "パスワードを変更するにはどうすればいいですか？", ""},
		{"Japanese kanji only", "東京", "dong-jing"},
		{"Devanagari", "नमस्ते दुनिया", "nmste-duniyaa"},
		{"Thai", "สวัสดีชาวโลก", "swasdiichaawolk"},
		{"Georgian", "გამარჯობა", "gamarjoba"},
		{"Armenian", "Բարեւ", "barew"},
		{"Tifinagh", "ⴰⵣⵓⵍ", ""},
		{"Javanese", "ꦲꦤꦕꦫꦏ", ""},
		{"Egyptian", "𓀀𓀁", ""},
	}
	for _, tt := range tests {
		got := Slug(tt.title)
		if got != tt.want {
			t.Errorf("%s: Slug(%q) = %q, want %q", tt.script, tt.title, got, tt.want)
		}
		if got != "" && !slugRE.MatchString(got) {
			t.Errorf("%s: Slug(%q) = %q is not a-z0-9-", tt.script, tt.title, got)
		}
	}
}

// A title with nothing to transliterate gets "", and the id-based name the
// callers fall back to is never empty.
func TestSlugFallback(t *testing.T) {
	for _, title := range []string{"ⴰⵣⵓⵍ ⵎⴰ ⵜⵓⴳⵉⵜ", "𓀀𓀁𓀂", "ꦲꦤꦕꦫꦏ", "\u202b\u202c", "؟ ، ۔"} {
		if s := Slug(title); s != "" {
			t.Errorf("Slug(%q) = %q, want the id fallback", title, s)
		}
	}
	if s := IDSlug("discourse", "3785"); s != "discourse-3785" {
		t.Errorf("IDSlug = %q", s)
	}
}

// Right-to-left titles: the slug is ASCII, the same with or without the
// bidi controls and marks a title may carry, and the title is not touched.
func TestSlugRightToLeft(t *testing.T) {
	tests := []struct{ title, plain, want string }{
		{"\u202bمرحبا\u202c بالعالم", "مرحبا بالعالم", "mrhb-bl-lm"},
		{"\u200fשלום\u200f עולם", "שלום עולם", "shlvm-vlm"},
		{"\u2067میں اپنا پاس ورڈ کیسے تبدیل کروں؟\u2069", "میں اپنا پاس ورڈ کیسے تبدیل کروں؟", "myn-pn-ps-wrdd-khysy-tbdyl-khrwn"},
		{"How to use \u2067العربية\u2069 in Go?", "How to use العربية in Go?", "how-to-use-l-rby-in-go"},
		{"\u202eevil.exe\u202c كيف", "evil.exe كيف", "evil-exe-kyf"},
	}
	for _, tt := range tests {
		before := strings.Clone(tt.title)
		got := Slug(tt.title)
		if got != tt.want || Slug(tt.plain) != tt.want {
			t.Errorf("Slug(%q) = %q, Slug(%q) = %q, want %q", tt.title, got, tt.plain, Slug(tt.plain), tt.want)
		}
		if Slug(tt.title) != got {
			t.Errorf("Slug(%q) is not deterministic", tt.title)
		}
		if tt.title != before {
			t.Errorf("title changed to %q", tt.title)
		}
		for _, r := range got {
			if r > unicode.MaxASCII {
				t.Errorf("Slug(%q) = %q is not ASCII", tt.title, got)
			}
		}
	}
}

// Long titles in scripts that transliterate to more bytes than they have
// letters are cut at a word boundary within MaxSlug.
func TestSlugLongScripts(t *testing.T) {
	for _, title := range []string{
		strings.Repeat("میں اپنا پاس ورڈ کیسے تبدیل کروں ", 6),
		strings.Repeat("Как изменить пароль учётной записи ", 6),
		strings.Repeat("如何更改我的账户密码", 6),
		strings.Repeat("비밀번호는 어떻게 변경하나요 ", 6),
	} {
		got := Slug(title)
		if len(got) > MaxSlug || len(got) < MaxSlug/2 || !slugRE.MatchString(got) {
			t.Errorf("Slug(%.30q...) = %q (%d bytes)", title, got, len(got))
		}
		if first := strings.SplitN(Slug(strings.Fields(title)[0]), "-", 2)[0]; !strings.HasPrefix(got, first) {
			t.Errorf("Slug(%.30q...) = %q does not start with %q", title, got, first)
		}
	}
}
