package convert

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/abadojack/whatlanggo"
	"golang.org/x/text/language"
)

const (
	frenchMeta = corpusDir + "/stackexchange/french-meta-2021/Posts.xml"
	agora      = corpusDir + "/github-discussions/codestates-agora/discussions.json"
)

// frenchMetaLabels is the language of each accepted question and answer
// of french-meta-2021 (86 threads), as a reader says it after reading the
// title, the question and the answer:
//
//	en, fr  one language only (a word or a title quoted in the other is fine)
//	en?     English with a quoted passage or a list of titles in French:
//	        "en" or nothing are both right
//	mix     both languages at length (a post and its translation, a quoted
//	        help page): must get no label
//	fr~     584: French with an English summary and an English edit note,
//	        13% of the letters in two blocks each under a sixth of the text;
//	        DetectLang is documented to miss such blocks and says "fr"
func frenchMetaLabels() map[string]string {
	labels := map[string]string{}
	for label, ids := range map[string]string{
		"en":  "18 256 263 271 303 308 317 323 354 405 439 441 445 527 562 595 597 610 619 670 672 675 677 707 720 756 807 814 824",
		"fr":  "542 544 559 582 586 687 715 727 744",
		"en?": "59 114 156 366 395 452 480 497 522 529 570 573 627 701",
		"fr?": "330 478",
		"mix": "50 106 125 138 214 240 247 279 282 285 305 327 333 348 352 371 374 385 422 434 459 505 568 589 591 629 638 650 661 684 725",
		"fr~": "584",
	} {
		for _, id := range strings.Fields(ids) {
			labels[id] = label
		}
	}
	return labels
}

// seRows decodes every row of a Stack Exchange XML file into its attributes.
func seRows(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []map[string]string
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			row := map[string]string{}
			for _, a := range se.Attr {
				row[a.Name.Local] = a.Value
			}
			rows = append(rows, row)
		}
	}
}

// article is the text the renderer has for a thread: title, question and
// accepted answer, converted to Markdown.
func article(t testing.TB, c *Converter, title string, bodies ...string) string {
	t.Helper()
	parts := []string{title}
	for _, b := range bodies {
		md, err := c.HTML(b, "")
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, md)
	}
	return strings.Join(parts, "\n\n")
}

type labelled struct{ id, label, text string }

func frenchMetaThreads(t testing.TB) []labelled {
	rows := seRows(t, frenchMeta)
	byID := map[string]map[string]string{}
	for _, r := range rows {
		byID[r["Id"]] = r
	}
	c := New()
	labels := frenchMetaLabels()
	var out []labelled
	for _, q := range rows {
		if q["PostTypeId"] != "1" || q["AcceptedAnswerId"] == "" {
			continue
		}
		a, ok := byID[q["AcceptedAnswerId"]]
		if !ok {
			t.Fatalf("question %s: accepted answer %s not in the file", q["Id"], q["AcceptedAnswerId"])
		}
		out = append(out, labelled{q["Id"], labels[q["Id"]], article(t, c, q["Title"], q["Body"], a["Body"])})
	}
	return out
}

func TestDetectLangFrenchMeta(t *testing.T) {
	threads := frenchMetaThreads(t)
	if n := len(frenchMetaLabels()); len(threads) != n {
		t.Fatalf("%d threads with an accepted answer, %d labelled", len(threads), n)
	}
	tally := map[string]map[string]int{}
	for _, th := range threads {
		tag, ok := DetectLang(th.text)
		if !ok {
			tag = "none"
		}
		if tally[th.label] == nil {
			tally[th.label] = map[string]int{}
		}
		tally[th.label][tag]++
		base := strings.TrimRight(th.label, "?~")
		var right bool
		switch th.label {
		case "en", "fr":
			right = tag == th.label
		case "en?", "fr?", "fr~":
			right = tag == base || tag == "none"
		case "mix":
			right = tag == "none"
		default:
			t.Fatalf("thread %s has no label", th.id)
		}
		if !right {
			t.Errorf("thread %s (%s): DetectLang = %s", th.id, th.label, tag)
		}
	}
	t.Logf("label: verdicts = %v", tally)
}

// Every post on its own: the site is in French and English only, so any
// other tag is wrong, and a post under 100 letters is too short to tell.
func TestDetectLangFrenchMetaPosts(t *testing.T) {
	c := New()
	verdicts := map[string]int{}
	for _, r := range seRows(t, frenchMeta) {
		if r["Body"] == "" {
			continue
		}
		text := article(t, c, r["Title"], r["Body"])
		tag, ok := DetectLang(text)
		switch {
		case !ok:
			verdicts["none"]++
		case tag != "fr" && tag != "en":
			t.Errorf("post %s: DetectLang = %q", r["Id"], tag)
		default:
			verdicts[tag]++
		}
		if n := rawLetters(r["Title"] + " " + r["Body"]); n < defaultLangParams.minTotal && ok {
			t.Errorf("post %s has %d letters and got %q", r["Id"], n, tag)
		}
	}
	t.Logf("verdicts = %v", verdicts)
	if verdicts["fr"] < 100 || verdicts["en"] < 100 {
		t.Errorf("too few posts labelled: %v", verdicts)
	}
}

// rawLetters counts the letters of an HTML body outside tags: at least as
// many as DetectLang reads.
func rawLetters(h string) int {
	n, inTag := 0, false
	for _, r := range html.UnescapeString(h) {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
		case !inTag && unicode.IsLetter(r):
			n++
		}
	}
	return n
}

func TestDetectLangKorean(t *testing.T) {
	data, err := os.ReadFile(agora)
	if err != nil {
		t.Fatal(err)
	}
	var ds []struct {
		ID       json.Number `json:"id"`
		Title    string      `json:"title"`
		BodyHTML string      `json:"bodyHTML"`
		Answer   *struct {
			BodyHTML string `json:"bodyHTML"`
		} `json:"answer"`
	}
	if err := json.Unmarshal(data, &ds); err != nil {
		t.Fatal(err)
	}
	c := New()
	answered, ko, questions := 0, 0, map[string]int{}
	for _, d := range ds {
		// A question alone may be mostly an error log: Korean or nothing.
		tag, ok := DetectLang(article(t, c, d.Title, d.BodyHTML))
		if !ok {
			tag = "none"
		}
		questions[tag]++
		if tag != "ko" && tag != "none" {
			t.Errorf("discussion %s question: DetectLang = %q", d.ID, tag)
		}
		if d.Answer == nil {
			continue
		}
		answered++
		tag, ok = DetectLang(article(t, c, d.Title, d.BodyHTML, d.Answer.BodyHTML))
		if ok && tag == "ko" {
			ko++
		} else {
			t.Errorf("discussion %s: DetectLang = %q, %v", d.ID, tag, ok)
		}
	}
	t.Logf("%d of %d answered threads ko; questions alone: %v", ko, answered, questions)
	if answered != 35 {
		t.Errorf("%d answered discussions, SOURCE.md says 35", answered)
	}
}

// The texts a support forum would have in each language and script.
var langSamples = []struct{ tag, text string }{
	{"en", "How do I change the password of my account? Open the settings, choose the security section and press the button to change the password. You will receive an email with the instructions."},
	{"fr", "Comment puis-je changer le mot de passe de mon compte ? Ouvrez les paramètres, choisissez la section sécurité et cliquez sur le bouton de modification du mot de passe. Vous recevrez un courriel avec les instructions à suivre."},
	{"el", "Πώς μπορώ να αλλάξω τον κωδικό πρόσβασης του λογαριασμού μου; Πήγαινε στις ρυθμίσεις, επίλεξε την ενότητα ασφάλεια και πάτησε το κουμπί αλλαγή κωδικού. Θα λάβεις ένα μήνυμα ηλεκτρονικού ταχυδρομείου με οδηγίες."},
	{"ru", "Как изменить пароль своей учётной записи? Откройте настройки, выберите раздел безопасности и нажмите кнопку смены пароля. Вы получите письмо с инструкциями на адрес электронной почты, указанный при регистрации."},
	{"uk", "Як змінити пароль свого облікового запису? Відкрийте налаштування, виберіть розділ безпеки та натисніть кнопку зміни пароля. Ви отримаєте лист з інструкціями на адресу електронної пошти, вказану під час реєстрації."},
	{"sr", "Како могу да променим лозинку на свом налогу? Отворите подешавања, изаберите одељак безбедност и кликните на дугме за промену лозинке. Добићете поруку са упутствима на адресу е-поште коју сте навели приликом регистрације."},
	{"ur", "میں اپنے اکاؤنٹ کا پاس ورڈ کیسے تبدیل کر سکتا ہوں؟ ترتیبات کھولیں، سیکیورٹی کا حصہ منتخب کریں اور پاس ورڈ تبدیل کرنے کے بٹن پر کلک کریں۔ آپ کو ای میل کے ذریعے ہدایات موصول ہوں گی۔"},
	{"ar", "كيف يمكنني تغيير كلمة المرور الخاصة بحسابي؟ افتح الإعدادات، ثم اختر قسم الأمان واضغط على زر تغيير كلمة المرور. ستصلك رسالة على بريدك الإلكتروني تحتوي على التعليمات اللازمة."},
	{"fa", "چگونه می\u200cتوانم رمز عبور حساب کاربری خود را تغییر دهم؟ تنظیمات را باز کنید، بخش امنیت را انتخاب کنید و روی دکمه تغییر رمز عبور کلیک کنید. یک ایمیل حاوی دستورالعمل\u200cها برای شما ارسال خواهد شد."},
	{"hr", "Kako mogu promijeniti lozinku svog korisničkog računa? Otvorite postavke, odaberite odjeljak sigurnost i kliknite na gumb za promjenu lozinke. Dobit ćete poruku s uputama na adresu e-pošte koju ste naveli prilikom registracije."},
	{"tl", "Paano ko mapapalitan ang password ng aking account? Buksan ang mga setting, piliin ang seksyon ng seguridad at pindutin ang pindutan para palitan ang password. Makakatanggap ka ng email na may mga tagubilin kung paano ito gawin."},
	{"zh", "如何更改我的账户密码？打开设置，选择安全部分，然后点击更改密码按钮。您将收到一封包含操作说明的电子邮件。如果没有收到邮件，请检查垃圾邮件文件夹。"},
	{"ja", "アカウントのパスワードを変更するにはどうすればいいですか？設定を開いて、セキュリティの項目を選び、パスワード変更のボタンを押してください。手順を記載したメールが届きます。"},
	{"ko", "계정 비밀번호는 어떻게 변경하나요? 설정을 열고 보안 항목을 선택한 다음 비밀번호 변경 버튼을 누르세요. 안내가 담긴 이메일이 발송됩니다. 메일이 오지 않으면 스팸 폴더를 확인해 주세요."},
}

func TestDetectLangScripts(t *testing.T) {
	for _, s := range langSamples {
		if tag, ok := DetectLang(s.text); !ok || tag != s.tag {
			t.Errorf("DetectLang(%.40q) = %q, %v; want %q", s.text, tag, ok, s.tag)
		}
	}
}

func TestDetectLangUnreliable(t *testing.T) {
	sample := func(tag string) string {
		for _, s := range langSamples {
			if s.tag == tag {
				return s.text
			}
		}
		panic(tag)
	}
	en, fr, ko := sample("en"), sample("fr"), sample("ko")
	tests := []struct{ name, text string }{
		{"empty", ""},
		{"short", "How do I change my password? Open the settings."},
		{"short Korean", "비밀번호는 어떻게 변경하나요?"},
		{"code only", "```go\nfunc main() { fmt.Println(\"How do I change the password of my account in the settings page\") }\n```"},
		{"identifiers", strings.Repeat("getUserPassword() user_settings.json http://example.com/settings/security ", 10)},
		{"translation after", fr + "\n\n" + en},
		{"translation before", en + "\n\n" + fr},
		{"one paragraph", fr + " " + en},
		{"Korean and English", ko + "\n\n" + en},
		{"Urdu and English", sample("ur") + "\n\n" + en},
		{"Greek and Russian", sample("el") + "\n\n" + sample("ru")},
		{"Croatian and Tagalog", sample("hr") + "\n\n" + sample("tl")},
	}
	for _, tt := range tests {
		if tag, ok := DetectLang(tt.text); ok || tag != "" {
			t.Errorf("%s: DetectLang = %q, %v; want no verdict", tt.name, tag, ok)
		}
	}
}

// What is not prose is not read: a French answer with an English code
// block, English code spans and an English link destination is French.
func TestDetectLangSkipsCode(t *testing.T) {
	code := "```\n// Open the settings, choose the security section and press the button to change the password.\nuser.ChangePassword(old, new)\n```\n"
	indented := "\n    Open the settings, choose the security section and press the button to change the password.\n    You will receive an email with the instructions.\n\n"
	md := langSamples[1].text + "\n\n" + code + indented +
		"Voir [la documentation](https://example.com/how-do-i-change-the-password-of-my-account) ou `change the password of my account`.\n\n" +
		strings.Repeat("<span class=\"how-do-i-change-the-password\">", 3) + "\n"
	if tag, ok := DetectLang(md); !ok || tag != "fr" {
		t.Errorf("DetectLang = %q, %v; want fr", tag, ok)
	}
}

// A second language filling a quarter of the text in one block is seen
// wherever it is (the sampling takes one unit in every sixth of the text,
// so a third is seen by construction).
func TestDetectLangSecondLanguageBlock(t *testing.T) {
	var frParas, enParas []string
	for _, r := range seRows(t, frenchMeta) {
		switch r["Id"] {
		case "479": // a French answer of 9 paragraphs
			frParas = paragraphs(t, r["Body"])
		case "708": // an English answer
			enParas = paragraphs(t, r["Body"])
		}
	}
	frLetters := 0
	for _, p := range frParas {
		frLetters += rawLetters(p)
	}
	// An English block of at least a third of the French letters, so at
	// least a quarter of the whole.
	var block []string
	for n := 0; n < frLetters/3; n += rawLetters(enParas[len(block)]) {
		block = append(block, enParas[len(block)])
	}
	for at := 0; at <= len(frParas); at++ {
		paras := append(append(append([]string{}, frParas[:at]...), block...), frParas[at:]...)
		if tag, ok := DetectLang(strings.Join(paras, "\n\n")); ok {
			t.Errorf("English block after French paragraph %d: DetectLang = %q", at, tag)
		}
	}
	if tag, ok := DetectLang(strings.Join(frParas, "\n\n")); !ok || tag != "fr" {
		t.Errorf("French alone: DetectLang = %q, %v", tag, ok)
	}
}

func paragraphs(t testing.TB, body string) []string {
	md, err := New().HTML(body, "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range strings.Split(md, "\n\n") {
		if rawLetters(p) > 0 {
			out = append(out, p)
		}
	}
	if len(out) < 5 {
		t.Fatalf("only %d paragraphs", len(out))
	}
	return out
}

func TestLangTag(t *testing.T) {
	want := map[whatlanggo.Lang]string{
		whatlanggo.Pes: "fa", whatlanggo.Ydd: "yi", whatlanggo.Cmn: "zh", whatlanggo.Arb: "ar",
		whatlanggo.Tgl: "tl", whatlanggo.Urd: "ur", whatlanggo.Hrv: "hr", whatlanggo.Srp: "sr",
		whatlanggo.Ceb: "ceb", whatlanggo.Nob: "nb",
	}
	langs := make([]whatlanggo.Lang, 0, len(whatlanggo.Langs))
	for l := range whatlanggo.Langs {
		langs = append(langs, l)
	}
	sort.Slice(langs, func(i, j int) bool { return langs[i] < langs[j] })
	seen := map[string]whatlanggo.Lang{}
	for _, l := range langs {
		tag := langTag(l)
		// Raw: CLDR would rewrite "tl" as "fil", both valid.
		parsed, err := language.Raw.Parse(tag)
		if err != nil || parsed.String() != tag || len(tag) < 2 || len(tag) > 3 {
			t.Errorf("%s: tag %q is not a canonical BCP 47 language (%v)", whatlanggo.Langs[l], tag, err)
		}
		if other, dup := seen[tag]; dup {
			t.Errorf("%s and %s share the tag %q", whatlanggo.Langs[l], whatlanggo.Langs[other], tag)
		}
		seen[tag] = l
		if w, ok := want[l]; ok && tag != w {
			t.Errorf("%s: tag %q, want %q", whatlanggo.Langs[l], tag, w)
		}
	}
}

func FuzzDetectLang(f *testing.F) {
	for _, s := range langSamples {
		f.Add(s.text)
	}
	for _, s := range []string{"", "```", "```\nx", "    code\n\ntext", "[a](b", "`", "<", "# \n- \n1. ", "\xff\xfe", strings.Repeat("é ", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		tag, ok := DetectLang(text)
		if tag2, ok2 := DetectLang(text); tag2 != tag || ok2 != ok {
			t.Fatalf("not deterministic: %q %v then %q %v", tag, ok, tag2, ok2)
		}
		if !ok {
			if tag != "" {
				t.Fatalf("no verdict but tag %q", tag)
			}
			return
		}
		if _, err := language.Parse(tag); err != nil || len(tag) < 2 || len(tag) > 3 {
			t.Fatalf("tag %q: %v", tag, err)
		}
		if n := len([]rune(text)); n < defaultLangParams.minTotal/2 {
			t.Fatalf("verdict %q on %d runes", tag, n)
		}
	})
}

// BenchmarkDetectLang runs on the 86 french-meta articles (title, question
// and accepted answer: 2,600 letters on average) and on short ones.
func BenchmarkDetectLang(b *testing.B) {
	threads := frenchMetaThreads(b)
	size := 0
	for _, th := range threads {
		size += len(th.text)
	}
	b.Run(fmt.Sprintf("french-meta-%dB", size/len(threads)), func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			DetectLang(threads[i%len(threads)].text)
		}
	})
	for _, s := range []struct{ name, text string }{
		{"en-200B", langSamples[0].text},
		{"ko-200B", langSamples[len(langSamples)-1].text},
		{"en-20KB", strings.Repeat(langSamples[0].text+"\n\n", 100)},
	} {
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				DetectLang(s.text)
			}
		})
	}
}
