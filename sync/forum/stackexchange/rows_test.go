package stackexchange

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// kv is one attribute as read: its name as written and its decoded value.
type kv struct{ Name, Value string }

// scanAll reads a whole table with the scanner, validating and decoding
// every attribute of every row, as the reader's passes do.
func scanAll(data []byte, limit, bufSize int) ([][]kv, error) {
	sc := newRowScanner(bytes.NewReader(data), limit, bufSize)
	var rows [][]kv
	for {
		ok, err := sc.Next()
		if err != nil {
			return rows, err
		}
		if !ok {
			return rows, nil
		}
		if err := sc.validateAll(); err != nil {
			return rows, err
		}
		row := make([]kv, 0, len(sc.attrs))
		for _, a := range sc.attrs {
			v, _, err := sc.Attr(string(a.name))
			if err != nil {
				return rows, err
			}
			row = append(row, kv{string(a.name), v})
		}
		rows = append(rows, row)
	}
}

const (
	bom  = "\xef\xbb\xbf"
	decl = `<?xml version="1.0" encoding="utf-8"?>`
)

func TestScannerTable(t *testing.T) {
	one := [][]kv{{{"Id", "1"}}}
	val := func(v string) [][]kv { return [][]kv{{{"B", v}}} }
	tests := []struct {
		name string
		in   string
		want [][]kv // expected rows when err is ""
		err  string // substring of the error
		off  int64  // expected error offset; -1: not checked
		row  int    // expected row of the error (with after)
		aft  bool
	}{
		// Prolog.
		{name: "BOM, declaration, both row forms", in: bom + decl + "\n<posts>\n  <row Id=\"1\" />\n  <row Id=\"2\"></row>\n</posts>\n",
			want: [][]kv{{{"Id", "1"}}, {{"Id", "2"}}}},
		{name: "no prolog", in: `<posts><row Id="1"/></posts>`, want: one},
		{name: "CRLF lines", in: decl + "\r\n<posts>\r\n  <row Id=\"1\" />\r\n</posts>\r\n", want: one},
		{name: "declaration with single quotes and standalone", in: `<?xml version='1.0' encoding='UTF-8' standalone="yes"?><posts><row Id="1"/></posts>`, want: one},
		{name: "declaration without encoding", in: `<?xml version="1.0"?><posts><row Id="1"/></posts>`, want: one},
		{name: "declaration version 1.1", in: `<?xml version="1.1"?><posts/>`, err: "unsupported XML declaration", off: 0},
		{name: "declaration in latin1", in: `<?xml version="1.0" encoding="ISO-8859-1"?><posts/>`, err: "unsupported XML declaration", off: 0},
		{name: "declaration without version", in: `<?xml encoding="utf-8"?><posts/>`, err: "unsupported XML declaration", off: 0},
		{name: "declaration not first", in: "\n" + decl + "<posts/>", err: "must come first", off: 1},
		{name: "declaration after a comment", in: "<!-- c -->" + decl + "<posts/>", err: "must come first", off: 10},
		{name: "declaration in capitals", in: `<?XML version="1.0"?><posts/>`, err: "must come first", off: 0},
		{name: "processing instruction without target", in: `<?><posts/>`, err: "target name", off: 0},
		{name: "processing instruction with space before target", in: `<? xml version="1.0"?><posts/>`, err: "target name", off: 0},
		{name: "stylesheet instruction in the prolog", in: decl + `<?xml-stylesheet type="text/xsl" href="s.xsl"?><posts><row Id="1"/></posts>`, want: one},
		{name: "processing instruction inside the table", in: `<posts><row Id="1"/><?pi x?></posts>`, err: "processing instruction inside the table", off: 20, row: 1, aft: true},
		{name: "DOCTYPE with a system id", in: decl + "\n<!DOCTYPE posts SYSTEM 'posts.dtd'>\n<posts><row Id=\"1\"/></posts>", want: one},
		{name: "DOCTYPE with a public id", in: `<!DOCTYPE posts PUBLIC "-//SE//DTD Posts//EN" "https://example.invalid/posts.dtd"><posts><row Id="1"/></posts>`, want: one},
		{name: "DOCTYPE with an internal subset", in: decl + `<!DOCTYPE posts [<!ENTITY x "y">]><posts><row B="&x;"/></posts>`, err: "internal subset", off: int64(len(decl))},
		{name: "DOCTYPE with markup outside the subset", in: `<!DOCTYPE posts <x>><posts/>`, err: "internal subset", off: 0},
		{name: "DOCTYPE inside the table", in: `<posts><!DOCTYPE posts SYSTEM "p.dtd"></posts>`, err: "unexpected <!DOCTYPE", off: 7},
		{name: "CDATA inside the table", in: `<posts><![CDATA[x]]></posts>`, err: "unexpected <![CDATA[", off: 7},
		{name: "comments before, between and inside the table", in: `<!-- head --><posts><!-- between - with - dashes --><row Id="1"/><!----></posts>`, want: one},
		{name: "double dash inside a comment", in: `<posts><!-- a -- b --></posts>`, err: `"--" inside a comment`, off: 14},
		{name: "comment after the table", in: `<posts/><!-- tail -->`, err: "content after the closing </posts> tag", off: 8},
		// Tables and rows.
		{name: "empty table, short form", in: bom + decl + "\n<posts/>\n", want: nil},
		{name: "empty table, long form", in: "<posts>\n</posts>", want: nil},
		{name: "root attributes are checked", in: `<posts a="&bad;"><row Id="1"/></posts>`, err: "invalid character entity &bad;", off: 0},
		{name: "short root attributes are checked", in: `<posts a=/>`, err: "no quoted value", off: 0},
		{name: "long row form with space", in: "<posts><row Id=\"1\" >\n</row ></posts>", want: one},
		{name: "row with content", in: `<posts><row Id="1"><x/></row></posts>`, err: "a row must be empty", off: 19, row: 1},
		{name: "row with text", in: `<posts><row Id="1">x</row></posts>`, err: "unexpected text outside a row", off: 19, row: 1},
		{name: "unexpected element", in: `<posts><row Id="1"/><item/></posts>`, err: "unexpected element <item>", off: 20, row: 2},
		{name: "wrong closing tag", in: `<posts></post>`, err: "unexpected closing tag </post>", off: 7, row: 1},
		{name: "closing tag before any root", in: `</posts>`, err: "unexpected closing tag", off: 0},
		{name: "text before the table", in: `x<posts/>`, err: "unexpected text outside a row", off: 0},
		{name: "text between rows", in: "<posts>\n<row Id=\"1\"/>\nx<row Id=\"2\"/></posts>", err: "unexpected text outside a row", off: 22, row: 1, aft: true},
		{name: "character reference between rows", in: `<posts>&#32;</posts>`, err: "unexpected text outside a row", off: 7},
		{name: "second root", in: `<posts></posts><users></users>`, err: "content after the closing </posts> tag", off: 15},
		{name: "text after the table", in: "<posts><row Id=\"1\"/></posts>\njunk", err: "content after the closing </posts> tag", off: 29, row: 1, aft: true},
		{name: "malformed tag", in: `<posts>< row/></posts>`, err: "malformed tag", off: 7, row: 1},
		{name: "empty tag", in: `<posts><></posts>`, err: "malformed tag <>", off: 7, row: 1},
		{name: "name with two colons", in: `<posts><row a:b:c="1"/></posts>`, err: "malformed attribute name", off: 7, row: 1},
		{name: "prefixed attribute name", in: `<posts><row x:Id="1"/></posts>`, want: [][]kv{{{"x:Id", "1"}}}},
		// Attribute values.
		{name: "single and double quotes", in: `<posts><row A='say "hi"' B="it's" C='' /></posts>`,
			want: [][]kv{{{"A", `say "hi"`}, {"B", "it's"}, {"C", ""}}}},
		{name: "predefined and numeric entities", in: `<posts><row B="&lt;p&gt;a &amp;amp; b&lt;/p&gt;&#xA;&quot;q&quot; &apos;s&apos;&#13;&#x1F600;&#233;" /></posts>`,
			want: val("<p>a &amp; b</p>\n\"q\" 's'\r\U0001F600\u00e9")},
		{name: "literal CR LF and CR become LF, tab and LF kept", in: "<posts><row B=\"a\tb\r\nc\rd\ne\" /></posts>", want: val("a\tb\nc\nd\ne")},
		{name: "character reference to CR is kept", in: "<posts><row B=\"a&#xD;&#xA;b\" /></posts>", want: val("a\r\nb")},
		{name: "greater-than in a value", in: `<posts><row B="a>b" C='>'/></posts>`, want: [][]kv{{{"B", "a>b"}, {"C", ">"}}}},
		{name: "UTF-8 text", in: "<posts><row B=\"caf\u00e9 \u2014 \u00e0 bient\u00f4t\u00a0!\"/></posts>", want: val("caf\u00e9 \u2014 \u00e0 bient\u00f4t\u00a0!")},
		{name: "unknown entity", in: `<posts><row Id="1" B="&nbsp;"/></posts>`, err: "invalid character entity &nbsp;", off: 7, row: 1},
		{name: "entity without semicolon", in: `<posts><row B="a &amp b; c"/></posts>`, err: "invalid character entity &amp b;", off: 7, row: 1},
		{name: "entity never terminated", in: `<posts><row B="a &amp"/></posts>`, err: "unterminated character entity", off: 7, row: 1},
		{name: "empty numeric entity", in: `<posts><row B="&#;"/></posts>`, err: "invalid character entity", off: 7, row: 1},
		{name: "capital X in a hex entity", in: `<posts><row B="&#X41;"/></posts>`, err: "invalid character entity", off: 7, row: 1},
		{name: "surrogate entity", in: `<posts><row B="&#xD800;"/></posts>`, err: "invalid character entity", off: 7, row: 1},
		{name: "entity beyond Unicode", in: `<posts><row B="&#x110000;"/></posts>`, err: "invalid character entity", off: 7, row: 1},
		{name: "entity to an illegal character", in: `<posts><row B="&#x1;"/></posts>`, err: "invalid character entity &#x1;", off: 7, row: 1},
		{name: "raw illegal character", in: "<posts><row B=\"a\x01b\"/></posts>", err: "illegal character code U+0001", off: 7, row: 1},
		{name: "raw U+FFFE", in: "<posts><row B=\"\xef\xbf\xbe\"/></posts>", err: "illegal character code U+FFFE", off: 7, row: 1},
		{name: "invalid UTF-8", in: "<posts><row Id=\"1\"/><row B=\"caf\xe9\"/></posts>", err: "invalid UTF-8", off: 20, row: 2},
		{name: "invalid UTF-8 next to an entity", in: "<posts><row B=\"\xc3&#xA9;\"/></posts>", err: "invalid UTF-8", off: 7, row: 1},
		{name: "less-than in a value", in: "<posts>\n<row Id=\"1\"/>\n<row B=\"a<b\"/>\n</posts>", err: "contains '<'", off: 22, row: 2},
		{name: "duplicate attribute", in: `<posts><row Id="1" Id="2"/></posts>`, err: "attribute Id appears twice", off: 7, row: 1},
		{name: "missing equals sign", in: `<posts><row Id "1"/></posts>`, err: "malformed attribute", off: 7, row: 1},
		{name: "attribute without value", in: `<posts><row Id/></posts>`, err: "malformed attribute", off: 7, row: 1},
		{name: "unquoted value", in: `<posts><row Id=1/></posts>`, err: "no quoted value", off: 7, row: 1},
		{name: "spaces around the equals sign", in: `<posts><row Id = "1"/></posts>`, want: one},
		{name: "no space between attributes", in: `<posts><row A="1"B="2"/></posts>`, err: "separated by spaces", off: 7, row: 1},
		{name: "slash not closing the tag", in: `<posts><row Id="1"/ ></posts>`, err: "separated by spaces", off: 7, row: 1},
		// Ends of file.
		{name: "empty input", in: "", err: "unexpected end of file before the table's root element", off: 0},
		{name: "whitespace only", in: " \n", err: "unexpected end of file before the table's root element", off: 2},
		{name: "byte-order mark only", in: bom, err: "unexpected end of file before the table's root element", off: 3},
		{name: "truncated byte-order mark", in: "\xef\xbb", err: "unexpected end of file inside the byte-order mark", off: 2},
		{name: "byte-order mark not at the start", in: " " + bom + "<posts/>", err: "unexpected text outside a row", off: 1},
		{name: "closing tag missing", in: `<posts><row Id="1"/>`, err: "unexpected end of file after row 1: the closing </posts> tag is missing", off: 20, row: 1, aft: true},
		{name: "truncated inside a row", in: `<posts><row Id="1"/><row Id="2`, err: "unexpected end of file inside a tag", off: 30, row: 2},
		{name: "truncated inside a value with '>'", in: `<posts><row B="a>b`, err: "unexpected end of file inside a tag", off: 18, row: 1},
		{name: "long row not closed", in: `<posts><row Id="1">`, err: "<row> is not closed", off: 19, row: 1},
		{name: "truncated comment", in: `<posts><!-- c -`, err: "unexpected end of file inside a comment", off: 15},
		{name: "truncated declaration", in: bom + `<?xml version="1.0"`, err: "unexpected end of file inside a processing instruction", off: 22},
		{name: "truncated after '<'", in: `<posts><`, err: "unexpected end of file after '<'", off: 8, row: 0, aft: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// A 16-byte buffer makes every row cross buffer boundaries.
			for _, buf := range []int{16, streamBuf} {
				rows, err := scanAll([]byte(tc.in), 1<<16, buf)
				if tc.err == "" {
					if err != nil {
						t.Fatalf("buffer %d: unexpected error: %v", buf, err)
					}
					if !reflect.DeepEqual(rows, tc.want) {
						t.Fatalf("buffer %d: rows\n got %q\nwant %q", buf, rows, tc.want)
					}
					continue
				}
				if err == nil {
					t.Fatalf("buffer %d: accepted %q, want an error with %q (rows %q)", buf, tc.in, tc.err, rows)
				}
				if !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("buffer %d: error %q, want it to contain %q", buf, err, tc.err)
				}
				var se *scanError
				if !errors.As(err, &se) {
					t.Fatalf("buffer %d: error %T is not a *scanError", buf, err)
				}
				if tc.off >= 0 && se.off != tc.off {
					t.Errorf("buffer %d: error at byte %d, want %d (%v)", buf, se.off, tc.off, err)
				}
				if se.row != tc.row || tc.row > 0 && se.after != tc.aft {
					t.Errorf("buffer %d: error at row %d (after: %v), want row %d (after: %v)", buf, se.row, se.after, tc.row, tc.aft)
				}
			}
		})
	}
}

// An external DTD is never read: an entity it declares stays unknown.
func TestScannerNeverFetchesTheDTD(t *testing.T) {
	dtd := filepath.Join(t.TempDir(), "posts.dtd")
	if err := os.WriteFile(dtd, []byte(`<!ENTITY me "expanded">`), 0o644); err != nil {
		t.Fatal(err)
	}
	head := decl + "\n<!DOCTYPE posts SYSTEM \"file://" + filepath.ToSlash(dtd) + "\">\n<posts>"
	rows, err := scanAll([]byte(head+`<row B="plain"/></posts>`), 1<<16, streamBuf)
	if err != nil || len(rows) != 1 {
		t.Fatalf("plain row: %v %q", err, rows)
	}
	_, err = scanAll([]byte(head+`<row B="&me;"/></posts>`), 1<<16, streamBuf)
	if err == nil || !strings.Contains(err.Error(), "invalid character entity &me;") {
		t.Fatalf("entity declared in the external DTD: got %v, want it refused", err)
	}
}

// Every proper prefix of a valid table must fail as truncated, never yield
// a short table silently; once the closing tag is in, the table is whole.
func TestScannerTruncatedAtEveryByte(t *testing.T) {
	full := bom + decl + "\r\n<!DOCTYPE posts SYSTEM 'posts.dtd'>\r\n<!-- dump -->\r\n<posts>\r\n" +
		"  <row Id=\"1\" Title=\"caf\u00e9 &amp; cr\u00e8me\" Body=\"&lt;p&gt;a&#xA;b&lt;/p&gt;\" />\r\n" +
		"  <row Id='2' Body=\"x &gt; y \U0001F600\"></row>\r\n" +
		"  <row Id=\"3\"/>\r\n" +
		"</posts>\r\n"
	want, err := scanAll([]byte(full), 1<<16, streamBuf)
	if err != nil || len(want) != 3 {
		t.Fatalf("the full table: %v, %d rows", err, len(want))
	}
	end := strings.Index(full, "</posts>") + len("</posts>")
	for n := 0; n <= len(full); n++ {
		for _, buf := range []int{16, streamBuf} {
			rows, err := scanAll([]byte(full[:n]), 1<<16, buf)
			if n >= end {
				if err != nil || !reflect.DeepEqual(rows, want) {
					t.Fatalf("prefix of %d bytes (complete table): %v, %d rows", n, err, len(rows))
				}
				continue
			}
			if err == nil {
				t.Fatalf("prefix of %d bytes %q: accepted with %d rows", n, full[:n], len(rows))
			}
			if !errors.Is(err, errTruncated) {
				t.Fatalf("prefix of %d bytes %q: error %q does not say the file is truncated", n, full[:n], err)
			}
			var se *scanError
			if !errors.As(err, &se) || se.off < 0 || se.off > int64(n) {
				t.Fatalf("prefix of %d bytes: error offset out of range: %v", n, err)
			}
		}
	}
}

func TestScannerRowLimit(t *testing.T) {
	big := strings.Repeat("x", 300)
	in := "<posts>\n<row Id=\"1\"/>\n<row Id=\"2\" Body=\"" + big + "\"/>\n</posts>"
	for _, buf := range []int{16, 64, streamBuf} {
		_, err := scanAll([]byte(in), 200, buf)
		var se *scanError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "a row is larger than 200 bytes") {
			t.Fatalf("buffer %d: got %v, want the row limit error", buf, err)
		}
		if want := int64(strings.Index(in, `<row Id="2"`)); se.off != want || se.row != 2 || se.after {
			t.Errorf("buffer %d: error at byte %d row %d, want byte %d row 2", buf, se.off, se.row, want)
		}
		// Just under the limit passes.
		if _, err := scanAll([]byte(in), 400, buf); err != nil {
			t.Errorf("buffer %d: limit 400: %v", buf, err)
		}
	}
	// A comment is held to the same limit.
	_, err := scanAll([]byte("<!--"+big+"--><posts/>"), 200, streamBuf)
	if err == nil || !strings.Contains(err.Error(), "comment is larger than 200 bytes") {
		t.Fatalf("long comment: %v", err)
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"42", 42, true}, {"-1", -1, true}, {"007", 7, true},
		{"9223372036854775807", 1<<63 - 1, true}, {"-9223372036854775808", -1 << 63, true},
		{"9223372036854775808", 0, false}, {"99999999999999999999", 0, false},
		{"", 0, false}, {"-", 0, false}, {"+1", 0, false}, {" 1", 0, false}, {"1.0", 0, false}, {"0x10", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseInt([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseTags(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"<a><b>", []string{"a", "b"}},
		{"&lt;a&gt;", []string{"&lt;a&gt;"}}, // decoded once by the scanner, never here
		{"|a|b|", []string{"a", "b"}},
		{"|c#|.net|", []string{"c#", ".net"}},
		{"<c++><.net><node.js>", []string{"c++", ".net", "node.js"}},
		{"<single>", []string{"single"}},
		{"|single|", []string{"single"}},
		{"", nil},
		{"   ", nil},
		{"<>", nil},
		{"||", nil},
		{"|a||b|", []string{"a", "b"}},
		{" <a><b> ", []string{"a", "b"}},
		{"< a >< b  c >", []string{"a", "b c"}},
		{"a b", []string{"a", "b"}},
	}
	for _, tc := range tests {
		got := ParseTags(tc.in)
		if len(got) == 0 && len(tc.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseTags(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseTime(t *testing.T) {
	at := func(y, mo, d, h, mi, s, ms int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ms*int(time.Millisecond), time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2015-01-27T20:09:32", at(2015, 1, 27, 20, 9, 32, 0), ""},
		{"2015-01-27T20:09:32.7", at(2015, 1, 27, 20, 9, 32, 700), ""},
		{"2015-01-27T20:09:32.72", at(2015, 1, 27, 20, 9, 32, 720), ""},
		{"2015-01-27T20:09:32.720", at(2015, 1, 27, 20, 9, 32, 720), ""},
		{"2015-01-27T20:09:32.007", at(2015, 1, 27, 20, 9, 32, 7), ""},
		{"2000-01-01T00:00:00", at(2000, 1, 1, 0, 0, 0, 0), ""},
		{"2200-12-31T23:59:59.999", at(2200, 12, 31, 23, 59, 59, 999), ""},
		{"1999-12-31T23:59:59.999", time.Time{}, "out of range"},
		{"2201-01-01T00:00:00", time.Time{}, "out of range"},
		{"0001-01-01T00:00:00", time.Time{}, "out of range"},
		{"2015-01-27 20:09:32", time.Time{}, "cannot parse"},
		{"2015-01-27T20:09:32Z", time.Time{}, "extra text"},
		{"2015-02-30T00:00:00", time.Time{}, "out of range"},
		{"", time.Time{}, "cannot parse"},
	}
	for _, tc := range tests {
		got, err := ParseTime(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTime(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v UTC", tc.in, got, err, tc.want)
		}
	}
}

func TestImpliedLicense(t *testing.T) {
	ms := time.Millisecond
	v3 := time.Date(2011, 4, 8, 0, 0, 0, 0, time.UTC)
	v4 := time.Date(2018, 5, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, "CC BY-SA"},
		{time.Date(2008, 7, 31, 0, 0, 0, 0, time.UTC), "CC BY-SA 2.5"},
		{v3.Add(-ms), "CC BY-SA 2.5"},
		{v3, "CC BY-SA 3.0"},
		{v4.Add(-ms), "CC BY-SA 3.0"},
		{v4, "CC BY-SA 4.0"},
		{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "CC BY-SA 4.0"},
	}
	for _, tc := range tests {
		if got := impliedLicense(tc.at); got != tc.want {
			t.Errorf("impliedLicense(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
}

func ExampleParseTags() {
	fmt.Println(ParseTags("<espresso><grinding>"), ParseTags("|c#|.net|"))
	// Output: [espresso grinding] [c# .net]
}
