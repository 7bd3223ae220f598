package stackexchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kbsync/kbsync/sync/forum"
)

// viaEncodingXML reads data with encoding/xml in strict mode. err is
// encoding/xml's verdict on the whole input (Token until io.EOF). rows are
// the elements at depth 2 with their attributes; shape is "" when the token
// stream is a dump table (an optional prolog, one root element holding only
// empty <row> elements and whitespace, nothing but whitespace after it), or
// says what else it holds.
//
// Names are compared as written: encoding/xml's Token translates namespace
// prefixes into URLs, which the scanner (like the dumps) knows nothing of, so
// rows are taken from a second, RawToken pass once Token has accepted the
// input. Values need no such care: neither side normalises attribute
// whitespace as XML §3.3.3 says (both keep tabs and newlines and turn a
// literal CR or CR LF into LF), so they must match byte for byte.
func viaEncodingXML(data []byte) (rows [][]kv, shape string, err error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			return nil, "", err
		}
	}
	d = xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth, roots := 0, 0
	bad := func(format string, args ...any) {
		if shape == "" {
			shape = fmt.Sprintf(format, args...)
		}
	}
	for first := true; ; first = false {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, "", fmt.Errorf("RawToken failed where Token did not: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch depth {
			case 0:
				if roots++; roots > 1 {
					bad("a second root <%s>", rawName(t.Name))
				}
			case 1:
				if rawName(t.Name) != "row" {
					bad("element <%s> in the table", rawName(t.Name))
				}
				row := make([]kv, 0, len(t.Attr))
				for _, a := range t.Attr {
					row = append(row, kv{rawName(a.Name), a.Value})
				}
				rows = append(rows, row)
			default:
				bad("element <%s> inside a row", rawName(t.Name))
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			s := string(t)
			if first {
				s = strings.TrimPrefix(s, "\ufeff")
			}
			if strings.Trim(s, " \t\r\n") != "" {
				bad("text %q at depth %d", s, depth)
			}
		case xml.Comment:
			if depth > 1 || depth == 0 && roots > 0 {
				bad("comment at depth %d after %d roots", depth, roots)
			}
		case xml.ProcInst:
			if depth > 0 || roots > 0 {
				bad("processing instruction %s at depth %d", t.Target, depth)
			}
		case xml.Directive:
			if depth > 0 || roots > 0 {
				bad("directive at depth %d", depth)
			}
		}
	}
	if roots == 0 {
		bad("no root element")
	}
	return rows, shape, nil
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// checkAgainstEncodingXML is the differential property: whatever the scanner
// accepts, encoding/xml accepts as the same table with the same rows and the
// same decoded values. The scanner may refuse more (duplicate attributes, a
// second root, text or comments after the table, names beyond ASCII, a
// reference to a surrogate that encoding/xml turns into U+FFFD): the dumps
// never need those and refusing is safe. The reverse, encoding/xml refusing
// what the scanner accepts, is a bug.
func checkAgainstEncodingXML(t *testing.T, data []byte) {
	rows, err := scanAll(data, 1<<16, streamBuf)
	// The scanner's verdict must not depend on how its reads are split.
	small, errSmall := scanAll(data, 1<<16, 16)
	if fmt.Sprint(err) != fmt.Sprint(errSmall) || !reflect.DeepEqual(rows, small) {
		t.Fatalf("buffer size changes the result: %v (%d rows) vs %v (%d rows)", err, len(rows), errSmall, len(small))
	}
	if err != nil {
		var se *scanError
		if !errors.As(err, &se) {
			t.Fatalf("error %T is not a *scanError: %v", err, err)
		}
		if se.off < 0 || se.off > int64(len(data)) {
			t.Fatalf("error offset %d outside the input of %d bytes: %v", se.off, len(data), err)
		}
		return
	}
	xrows, shape, xerr := viaEncodingXML(data)
	if xerr != nil {
		t.Fatalf("the scanner accepted %q (%d rows); encoding/xml refuses it: %v", data, len(rows), xerr)
	}
	if shape != "" {
		t.Fatalf("the scanner accepted %q as a table; encoding/xml sees %s", data, shape)
	}
	if len(rows) != len(xrows) {
		t.Fatalf("the scanner read %d rows, encoding/xml %d, from %q", len(rows), len(xrows), data)
	}
	for i := range rows {
		if len(rows[i]) == 0 && len(xrows[i]) == 0 {
			continue
		}
		if !reflect.DeepEqual(rows[i], xrows[i]) {
			t.Fatalf("row %d differs:\nscanner      %q\nencoding/xml %q\ninput %q", i+1, rows[i], xrows[i], data)
		}
	}
}

// corpusSeeds cuts small tables out of the real dumps: each file's prolog,
// its first rows and its closing tag.
func corpusSeeds(tb testing.TB) [][]byte {
	files, err := filepath.Glob("../../../testdata/corpus/stackexchange/*/*.xml")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no corpus files: %v", err)
	}
	var seeds [][]byte
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			tb.Fatal(err)
		}
		var head, rows []string
		last := ""
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<22)
		for sc.Scan() {
			line := sc.Text() + "\n"
			switch {
			case strings.HasPrefix(strings.TrimSpace(line), "<row "):
				if len(rows) < 3 && len(line) < 4096 {
					rows = append(rows, line)
				}
			case len(rows) == 0:
				head = append(head, line)
			default:
				last = line
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		seeds = append(seeds, []byte(strings.Join(head, "")+strings.Join(rows, "")+last))
	}
	return seeds
}

// fragments are the pieces of markup where the two readers could part. The
// mutator rarely invents "<!--" or "xmlns:" from rows of text, so each input
// is also read as a token stream, one fragment per byte: a one-byte mutation
// then inserts, drops or swaps a piece of markup. Append only: the fuzzer's
// cache holds inputs in this numbering (the seeds in testdata are raw).
var fragments = []string{
	"<posts>", "<posts", "</posts>", "<row ", "/>", "></row>", `="`, `='`, `"`, "'", " ", "\t", "\r\n", "\r", "\n",
	"<!--", "-->", "--", "-", "<?xml", ` version="1.0"`, ` encoding="utf-8"`, " standalone='yes'", "?>", "<?", "<!",
	"<!DOCTYPE posts", " SYSTEM 'posts.dtd'", " PUBLIC '-//x' 'y.dtd'", "[", "]", "<![CDATA[", "]]>",
	"<", ">", "/", "&", ";", "&lt;", "&gt;", "&amp;", "&quot;", "&apos;", "&#", "&#x", "D800", "1F600", "10FFFF", "0", "13",
	":", "xmlns", "xmlns:a", "a:", "xml:", "Id", "Body", "row", "posts", "=", "a", "1", "x", "_", ".",
	bom, "\x00", "\x01", "\xc3", "\xa9", "\u00e9", "\U0001F600",
}

// tokens reads data as fragment indices. Long inputs (the corpus rows) are
// left to the raw check: expanded they would only slow the search down.
func tokens(data []byte) []byte {
	if len(data) > 256 {
		return nil
	}
	var out []byte
	for _, b := range data {
		out = append(out, fragments[int(b)%len(fragments)]...)
	}
	return out
}

// tok builds a token-stream seed.
func tok(tb testing.TB, parts ...string) []byte {
	out := make([]byte, 0, len(parts))
next:
	for _, p := range parts {
		for i, f := range fragments {
			if f == p {
				out = append(out, byte(i))
				continue next
			}
		}
		tb.Fatalf("no fragment %q", p)
	}
	return out
}

func FuzzRowsAgainstEncodingXML(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	for _, s := range []string{
		bom + decl + "\n<posts>\n  <row Id=\"1\" />\n  <row Id=\"2\"></row>\n</posts>\n",
		"<!DOCTYPE posts SYSTEM 'posts.dtd'><!-- c --><posts/>",
		`<posts><row A='say "hi"' B="it's" C=''/></posts>`,
		`<posts><row B="&lt;&gt;&amp;&quot;&apos;&#xA;&#13;&#x1F600;&#233;"/></posts>`,
		"<posts><row B=\"a\tb\r\nc\rd\"/></posts>",
		`<posts xmlns:x="urn:x"><row x:Id="1" xml:lang="fr"/></posts>`,
		`<posts><row B="&#xD800;"/></posts>`,
		`<posts><row a:b:c="1"/></posts>`,
		`<posts><!-- a -- b --></posts>`,
		`<?xml version="1.1"?><posts/>`,
		`<?><posts/>`,
		`<posts a="&x;"/>`,
	} {
		f.Add([]byte(s))
	}
	// Seeds in token form, so that mutations recombine markup.
	f.Add(tok(f, "<?xml", ` version="1.0"`, "?>", "\r\n", "<!DOCTYPE posts", " SYSTEM 'posts.dtd'", ">",
		"<!--", " ", "-", " ", "-->", "<posts>", "<row ", "Id", `="`, "1", `"`, "/>",
		"<row ", "a", ":", "x", `='`, "&#x", "1F600", ";", "&amp;", "'", "></row>", "</posts>"))
	f.Add(tok(f, "<!--", "x", "-", "x", "-->", "<posts>", "<!--", "-->", "<row ", "Body", "=", `"`, "a", "&quot;", "&#", "13", ";", `"`, " ", "/>", "</posts>", "\n", "<!--", "-->"))
	f.Add(tok(f, "<posts", " ", "xml:", "a", `='`, "1", "'", ">", "<row ", "a", ".", "x", `="`, "1", `"`, " ", "x", "_", "a", `='`, "'", "></row>", "</posts>"))
	f.Add(tok(f, "<?", "x", " ", "?>", "<posts", "/>"))
	f.Add(tok(f, bom, "<posts>", "\n", "<row ", "xmlns:a", `="`, "x", `"`, " ", "a:", "x", `="`, "&lt;", "\r\n", "\t", `"`, "/>", "</posts>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstEncodingXML(t, data)
		if x := tokens(data); x != nil {
			checkAgainstEncodingXML(t, x)
		}
	})
}

// The property itself must be able to fail: each of these is a reading the
// scanner once got wrong, replayed against a scanner that still has the bug.
func TestDifferentialCatchesDivergence(t *testing.T) {
	xrows, shape, err := viaEncodingXML([]byte(`<posts><row Id="1" B="a&#xA;b"/></posts>`))
	if err != nil || shape != "" || !reflect.DeepEqual(xrows, [][]kv{{{"Id", "1"}, {"B", "a\nb"}}}) {
		t.Fatalf("encoding/xml view: %q %q %v", xrows, shape, err)
	}
	for _, in := range []string{
		`<posts><!-- a -- b --><row/></posts>`, // "--" inside a comment
		`<?><posts/>`,                          // no target
		`<posts><row a:b:c="1"/></posts>`,      // two colons
		`<?xml version="1.1"?><posts/>`,        // unsupported version
		`<posts a="&x;"/>`,                     // root attribute
	} {
		if _, _, err := viaEncodingXML([]byte(in)); err == nil {
			t.Errorf("encoding/xml accepts %q; the regression seed no longer tests anything", in)
		}
		if _, err := scanAll([]byte(in), 1<<16, streamBuf); err == nil {
			t.Errorf("the scanner accepts %q", in)
		}
	}
	// The corpus seeds are whole tables, so the fuzzer starts from inputs
	// that reach the row comparison.
	for i, s := range corpusSeeds(t) {
		rows, err := scanAll(s, 1<<16, streamBuf)
		if err != nil || len(rows) == 0 {
			t.Errorf("corpus seed %d: %v, %d rows", i, err, len(rows))
		}
		checkAgainstEncodingXML(t, s)
	}
	for _, in := range []string{"junk<posts/>", "<posts/><posts/>", "<posts><x/></posts>", "<posts><row><row/></row></posts>"} {
		if _, shape, err := viaEncodingXML([]byte(in)); err != nil || shape == "" {
			t.Errorf("%q: shape %q, err %v; want encoding/xml to accept it and the shape check to object", in, shape, err)
		}
	}
}

// FuzzChunkedIndex: reading Posts.xml in chunks (the first pass of a large
// file) gives the very threads, and the very error, of a reading in order,
// wherever the chunk boundaries fall. One worker keeps the coverage of an
// input the same from run to run; TestChunkedIndexSameAsInOrder and
// TestBadInput run the chunks in parallel.
func FuzzChunkedIndex(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		if bytes.Contains(s, []byte("<posts")) {
			f.Add(s, uint16(60))
		}
	}
	f.Add([]byte(table("posts", q("1", "3"), q("2", ""), a("3", "1"), a("4", "2"))), uint16(90))
	f.Add([]byte(table("posts", a("3", "1"), "<!-- <row Id=\"9\" --> ", q("1", "3"), q("1", ""))), uint16(40))
	f.Add([]byte(table("posts", q("1", "3"), "  <row Id=\"2\" PostTypeId=\"2\"></row>\n", a("3", "1"))), uint16(1))
	f.Add([]byte(table("posts", q("1", ""))+q("2", "")+"</posts>\n"), uint16(50))
	f.Add([]byte("<posts></posts>"+q("2", "")+"</posts>\n"), uint16(3))
	f.Fuzz(func(t *testing.T, posts []byte, chunk uint16) {
		if len(posts) > 1<<16 {
			return
		}
		dir := filepath.Join(t.TempDir(), "x.stackexchange.com")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "Posts.xml"), posts, 0o644); err != nil {
			t.Fatal(err)
		}
		read := func(chunk int64) string {
			d, err := Open(dir, forum.Options{})
			if err != nil {
				t.Fatal(err)
			}
			d.chunk, d.workers = chunk, 1
			got, err := readAll(t, d)
			b, jerr := json.Marshal(got)
			if jerr != nil {
				t.Fatal(jerr)
			}
			return fmt.Sprintf("%s\nerror: %v", b, err)
		}
		want, got := read(0), read(int64(chunk)+1)
		if got != want {
			t.Fatalf("chunks of %d bytes:\n%s\nin order:\n%s", int64(chunk)+1, got, want)
		}
	})
}
