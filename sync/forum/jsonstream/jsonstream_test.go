package jsonstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kbsync/kbsync/sync/forum"
)

func TestFlexID(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`"12"`, "12", true}, {`12`, "12", true}, {`-1`, "-1", true}, {`null`, "", true},
		{`1.5`, "", false}, {`1e3`, "", false}, {`true`, "", false}, {`{}`, "", false},
		{`123456789012345678901234567890`, "123456789012345678901234567890", true},
	}
	for _, tt := range tests {
		var f FlexID
		err := json.Unmarshal([]byte(tt.in), &f)
		if (err == nil) != tt.ok || (tt.ok && string(f) != tt.want) {
			t.Errorf("FlexID(%s) = %q, %v", tt.in, f, err)
		}
	}
}

func TestID(t *testing.T) {
	tests := []struct {
		in, want string
		err      error // nil, ErrNotID, or errAny for a JSON error
	}{
		{``, "", nil},
		{`null`, "", nil},
		{`"a b"`, "a b", nil}, // the caller decides what an id may hold
		{`"\u0031"`, "1", nil},
		{`007`, "007", nil}, // as written
		{`-3`, "-3", nil},
		{`-`, "", ErrNotID},
		{`--3`, "", ErrNotID},
		{`1.0`, "", ErrNotID},
		{`[1]`, "", ErrNotID},
		{`"\x"`, "", errAny},
	}
	for _, tt := range tests {
		got, err := ID([]byte(tt.in))
		switch {
		case tt.err == errAny && err == nil, tt.err != errAny && !errors.Is(err, tt.err), got != tt.want:
			t.Errorf("ID(%s) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

var errAny = errors.New("any error")

func TestFlexInt(t *testing.T) {
	const lim = 1 << 53
	tests := []struct {
		in   string
		want FlexInt
		ok   bool
	}{
		{`3`, FlexInt{3, true}, true},
		{`"4"`, FlexInt{4, true}, true},
		{`" 5 "`, FlexInt{5, true}, true},
		{`-2`, FlexInt{-2, true}, true},
		{`2.7`, FlexInt{2, true}, true},
		{`1e300`, FlexInt{lim, true}, true},
		{`-1e300`, FlexInt{-lim, true}, true},
		{`null`, FlexInt{}, true},
		{`"NaN"`, FlexInt{}, false},
		{`"Inf"`, FlexInt{}, false},
		{`"x"`, FlexInt{}, false},
		{`true`, FlexInt{}, false},
	}
	for _, tt := range tests {
		var f FlexInt
		err := json.Unmarshal([]byte(tt.in), &f)
		if (err == nil) != tt.ok || f != tt.want {
			t.Errorf("FlexInt(%s) = %+v, %v; want %+v", tt.in, f, err, tt.want)
		}
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1001", true}, {"board:id-1_x.y", true}, {"AbC", true},
		{"", false}, {"a b", false}, {"a/b", false}, {"<b>", false}, {"é", false},
		{strings.Repeat("9", 128), true}, {strings.Repeat("9", 129), false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.in); got != tt.want {
			t.Errorf("ValidID(%q) = %v", tt.in, got)
		}
	}
}

func TestIDLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"9", "10", true}, {"10", "9", false}, {"a", "b", true}, {"10", "a", true}, {"b", "10", false}, {"5", "5", false},
	}
	for _, tt := range tests {
		if got := IDLess(tt.a, tt.b); got != tt.want {
			t.Errorf("IDLess(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestParseTime(t *testing.T) {
	layouts := []string{time.RFC3339Nano, "2006-01-02 15:04:05"}
	want := time.Date(2023, 3, 1, 17, 15, 22, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2023-03-01T09:15:22-08:00", want, true},
		{" 2023-03-01T17:15:22Z ", want, true},
		{"2023-03-01 17:15:22", want, true},
		{"", time.Time{}, true},
		{"2023-03-01T09:15:22-0800", time.Time{}, false}, // not in these layouts
		{"yesterday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, layouts)
		if (err == nil) != tt.ok || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v", tt.in, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "is not RFC 3339") {
			t.Errorf("ParseTime(%q) error %q", tt.in, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		tok  json.Token
		want string
	}{
		{json.Delim('{'), "an object"}, {json.Delim('['), "an array"}, {json.Delim('}'), `"}"`},
		{"x", "a string"}, {json.Number("1"), "a number"}, {1.5, "a number"},
		{true, "a boolean"}, {nil, "null"}, {struct{}{}, "a value"},
	}
	for _, tt := range tests {
		if got := Describe(tt.tok); got != tt.want {
			t.Errorf("Describe(%#v) = %q, want %q", tt.tok, got, tt.want)
		}
	}
}

func TestTruncateFieldErrorRecordName(t *testing.T) {
	if got := Truncate("abcdef", 3); got != "abc…" {
		t.Errorf("Truncate = %q", got)
	}
	if got := Truncate("abc", 3); got != "abc" {
		t.Errorf("Truncate = %q", got)
	}
	var v struct {
		N int `json:"n"`
	}
	if err := FieldError(json.Unmarshal([]byte(`{"n":"x"}`), &v), "post"); err == nil || err.Error() != "field n is a JSON string, want int" {
		t.Errorf("FieldError field: %v", err)
	}
	if err := FieldError(json.Unmarshal([]byte(`[1]`), &v), "post"); err == nil || err.Error() != "post is a JSON array, want an object" {
		t.Errorf("FieldError whole: %v", err)
	}
	other := errors.New("other")
	if FieldError(other, "post") != other {
		t.Error("FieldError changed another error")
	}
	for raw, want := range map[string]string{
		`{"id":12,"x":[}`:  "r", // not JSON: no id
		`{"id":12,"x":1}`:  "r (post 12)",
		`{"id":"a b"}`:     "r", // not a valid id
		`{"id":"slug-1"}`:  "r (post slug-1)",
		`{"title":"x"}`:    "r",
		`[{"id":1}]`:       "r",
		`{"id":1.5,"x":1}`: "r",
	} {
		if got := RecordName("r", "post", []byte(raw)); got != want {
			t.Errorf("RecordName(%s) = %q, want %q", raw, got, want)
		}
	}
}

func inputError(t *testing.T, err error) *forum.InputError {
	t.Helper()
	var ie *forum.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v (%T) is not an InputError", err, err)
	}
	return ie
}

func TestStreamOffsetsAndErrors(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	tests := []struct {
		name string
		in   string
		off  int64  // offset the error names
		msg  string // in the error
		hint string // in the hint
	}{
		// The decoder places the error after the colon; the BOM adds 3.
		{"syntax error counts the BOM", bom + `{"a": x}`, 3 + 4, "invalid character 'x'", "not valid JSON"},
		{"syntax error without BOM", `{"a": x}`, 4, "invalid character 'x'", "not valid JSON"},
		// Truncation keeps the offset the caller gives: where the key starts.
		{"truncated", bom + `{"a": [1, 2`, 3 + 1, "truncated", "cut off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(forum.Khoros, "f.json", strings.NewReader(tt.in))
			if tok, off, err := s.Next("response 1"); err != nil || tok != json.Delim('{') || off != int64(len(tt.in)-len(strings.TrimPrefix(tt.in, bom))) {
				t.Fatalf("Next = %v, %d, %v", tok, off, err)
			}
			err := s.Object("response 1", func(key string, off int64) error { return s.Skip("response 1", off) })
			ie := inputError(t, err)
			if ie.Offset != tt.off || ie.Path != "f.json" || ie.Record != "response 1" || ie.Format != forum.Khoros {
				t.Errorf("error %#v", ie)
			}
			if !strings.Contains(ie.Err.Error(), tt.msg) || !strings.Contains(ie.Hint, tt.hint) {
				t.Errorf("error %q hint %q", ie.Err, ie.Hint)
			}
		})
	}
	// A hint given by the caller wins over the default.
	s := New(forum.Zendesk, "g.json", strings.NewReader(`{`))
	s.Dec.Token()
	_, err := s.Dec.Token()
	if ie := inputError(t, s.Fail("r", -1, err, "mine")); ie.Hint != "mine" || ie.Offset != 1 {
		t.Errorf("caller's hint: %#v", ie)
	}
	if ie := inputError(t, s.Fail("r", 5, errors.New("other"), "")); ie.Offset != 5 || ie.Err.Error() != "other" || ie.Hint != "" {
		t.Errorf("other error: %#v", ie)
	}
}

func TestStreamWalk(t *testing.T) {
	const in = "\xef\xbb\xbf" + `{"a": {"b": [1, {"c": 2}]}, "items": [{"id": 1}, {"id": "x", "body": "` + "0123456789" + `"}], "z": null} [7]`
	s := New(forum.Khoros, "f.json", strings.NewReader(in))
	var keys []string
	var records []string
	if tok, off, err := s.Next("v1"); tok != json.Delim('{') || off != 3 || err != nil {
		t.Fatalf("Next = %v, %d, %v", tok, off, err)
	}
	err := s.Object("v1", func(key string, off int64) error {
		keys = append(keys, key)
		if key != "items" {
			return s.Skip("v1", off)
		}
		if _, ok, err := ExpectDelim(s.Dec, '['); !ok || err != nil {
			t.Fatalf("items: %v %v", ok, err)
		}
		for s.Dec.More() {
			raw, start, err := s.Record("v1 item", "record", 0)
			if err != nil {
				return err
			}
			if got := in[start : start+int64(len(raw))]; got != string(raw) {
				t.Errorf("record at %d is %q, file holds %q", start, raw, got)
			}
			records = append(records, string(raw))
		}
		return s.End("v1")
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "items", "z"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if len(records) != 2 || records[0] != `{"id": 1}` {
		t.Errorf("records %q", records)
	}
	if tok, _, err := s.Next("v2"); tok != json.Delim('[') || err != nil {
		t.Fatalf("second value: %v %v", tok, err)
	}
	if err := SkipRest(s.Dec.Token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Next("v3"); err != io.EOF {
		t.Errorf("end of file: %v", err)
	}
}

func TestRecordLimit(t *testing.T) {
	body := strings.Repeat("x", 70<<10)
	s := New(forum.Zendesk, "f.json", strings.NewReader(`{"body":"`+body+`"}`))
	_, _, err := s.Record("posts[0]", "record", 1)
	ie := inputError(t, err)
	want := fmt.Sprintf("record is %d bytes, over the %d byte limit", len(body)+11, 2+64<<10)
	if ie.Err.Error() != want || ie.Offset != 0 || ie.Record != "posts[0]" || !strings.Contains(ie.Hint, "this record is genuine") {
		t.Errorf("limit error %#v", ie)
	}
	s = New(forum.Zendesk, "f.json", strings.NewReader(`{"body":"`+body+`"}`))
	if _, _, err := s.Record("posts[0]", "record", len(body)); err != nil {
		t.Errorf("within the limit: %v", err)
	}
}

func TestReadKeyAndExpectDelim(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`{"k": [1]}`))
	dec.Token()
	if k, err := ReadKey(dec); k != "k" || err != nil {
		t.Errorf("ReadKey = %q, %v", k, err)
	}
	if tok, ok, err := ExpectDelim(dec, '{'); ok || err != nil || tok != json.Delim('[') {
		t.Errorf("ExpectDelim = %v %v %v", tok, ok, err)
	}
	if k, err := ReadKey(dec); err == nil || !strings.Contains(err.Error(), "expected an object key") {
		t.Errorf("ReadKey on a number = %q, %v", k, err)
	}
}

func TestSkipValue(t *testing.T) {
	tests := []struct{ in, next string }{
		{`1 "n"`, "n"},
		{`{"a":{"b":[1,{"c":[]}]}} "n"`, "n"},
		{`[[],[[]],{}] "n"`, "n"},
		{`null "n"`, "n"},
	}
	for _, tt := range tests {
		dec := json.NewDecoder(strings.NewReader(tt.in))
		if err := SkipValue(dec); err != nil {
			t.Fatalf("SkipValue(%s): %v", tt.in, err)
		}
		if tok, err := dec.Token(); tok != tt.next || err != nil {
			t.Errorf("after SkipValue(%s): %v %v", tt.in, tok, err)
		}
	}
	dec := json.NewDecoder(strings.NewReader(`{"a":[1,`))
	if err := SkipValue(dec); err == nil {
		t.Error("SkipValue of a cut value: no error")
	}
}

func TestWalkPrefix(t *testing.T) {
	type step struct {
		path string
		v    any
	}
	tests := []struct {
		in   string
		stop string // stop at this path
		want []step
	}{
		{`{"a":1,"b":{"c":["x",true]},"d":null}`, "", []step{
			{"a", KeySeen{}}, {"a", json.Number("1")}, {"b", KeySeen{}}, {"b.c", KeySeen{}},
			{"b.c.[]", "x"}, {"b.c.[]", true}, {"d", KeySeen{}}, {"d", nil},
		}},
		{`[{"data":{"type":"mess`, "", []step{{"[].data", KeySeen{}}, {"[].data.type", KeySeen{}}}},
		{`{"a":1,"b":2}`, "a", []step{{"a", KeySeen{}}}},
		{`not json`, "", nil},
		{`{}[]"s"`, "", []step{{"", "s"}}},
	}
	for _, tt := range tests {
		var got []step
		WalkPrefix([]byte(tt.in), func(path []string, v any) bool {
			p := strings.Join(path, ".")
			got = append(got, step{p, v})
			return p != tt.stop
		})
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("WalkPrefix(%s)\n got %v\nwant %v", tt.in, got, tt.want)
		}
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecordsReadBack(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := 0; i < maxOpenFiles+3; i++ { // more files than stay open
		name := fmt.Sprintf("f%02d.json", i)
		writeFiles(t, dir, map[string]string{name: fmt.Sprintf(`{"n":%d}`, i)})
		paths = append(paths, filepath.Join(dir, name))
	}
	r := NewRecords(paths)
	defer r.Close()
	for round := 0; round < 2; round++ {
		for i := range paths {
			want := fmt.Sprint(i)
			got, err := r.Read(Loc{File: int32(i), Off: 5, N: int32(len(want))})
			if err != nil || string(got) != want {
				t.Fatalf("Read file %d = %q, %v", i, got, err)
			}
		}
	}
	if len(r.open) > maxOpenFiles {
		t.Errorf("%d files open", len(r.open))
	}
	if _, err := r.Read(Loc{File: 0, Off: 100, N: 4}); err == nil {
		t.Error("read past the end: no error")
	}
	os.Remove(paths[len(paths)-1])
	if _, err := NewRecords(paths).Read(Loc{File: int32(len(paths) - 1), N: 1}); err == nil {
		t.Error("read of a removed file: no error")
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": "\xef\xbb\xbf{}"})
	s, err := Open(forum.Khoros, filepath.Join(dir, "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	if tok, off, err := s.Next(""); tok != json.Delim('{') || off != 3 || err != nil {
		t.Errorf("Next = %v %d %v", tok, off, err)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	missing := filepath.Join(dir, "missing.json")
	_, err = Open(forum.Khoros, missing)
	ie := inputError(t, err)
	if ie.Path != missing || ie.Offset != -1 || ie.Err.Error() != "no such file or directory" {
		t.Errorf("missing file: %#v", ie)
	}
}

func TestSniff(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": `{"yes":1}`, "b.json": `{"no":1}`, "c.txt": "x"})
	yes := func(b []byte) bool { return strings.Contains(string(b), "yes") }
	empty := t.TempDir()
	tests := []struct {
		path    string
		want    bool
		wantErr bool
	}{
		{filepath.Join(dir, "a.json"), true, false},
		{filepath.Join(dir, "b.json"), false, false},
		{dir, true, false}, // the first *.json file decides
		{empty, false, false},
		{filepath.Join(dir, "missing.json"), false, true},
	}
	for _, tt := range tests {
		got, err := SniffFirst(tt.path, 64, yes, ".json")
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("SniffFirst(%s) = %v, %v", tt.path, got, err)
		}
	}
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if ok, err := SniffEach("x", []string{a, a}, 64, yes); !ok || err != nil {
		t.Errorf("SniffEach all yes: %v %v", ok, err)
	}
	if ok, err := SniffEach("x", []string{a, b}, 64, yes); ok || err != nil {
		t.Errorf("SniffEach one no: %v %v", ok, err)
	}
	missing := filepath.Join(dir, "missing.json")
	if _, err := SniffEach("x", []string{missing}, 64, yes); err == nil || !strings.HasPrefix(err.Error(), "x: sniff "+missing) {
		t.Errorf("SniffEach missing: %v", err)
	}
	short := func(b []byte) bool { return len(b) == 3 }
	if ok, _ := SniffFirst(a, 3, short); !ok {
		t.Error("Prefix read more than n bytes")
	}
}

// FuzzWalkPrefix: WalkPrefix never panics, and on a whole JSON value it
// reports every key, and exactly the scalars that a plain decode finds
// (when no duplicate key hides some from the decode).
func FuzzWalkPrefix(f *testing.F) {
	for _, s := range []string{`{"a":[1,{"b":null}],"c":"x"}`, `[[],{}]`, `{"data":{"type":"mess`, `"s"`, `{"a":}`, `[1,2`, `{"":1,"":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		scalars, keys := 0, 0
		WalkPrefix(b, func(path []string, v any) bool {
			if _, ok := v.(KeySeen); ok {
				if len(path) == 0 {
					t.Fatal("a key with an empty path")
				}
				keys++
				return true
			}
			scalars++
			return true
		})
		if !json.Valid(b) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber() // a huge number is still one scalar
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		wantScalars, wantKeys := count(v)
		if keys < wantKeys {
			t.Fatalf("%d keys walked, %d decoded", keys, wantKeys)
		}
		if keys == wantKeys && scalars != wantScalars {
			t.Fatalf("%d scalars walked, %d decoded", scalars, wantScalars)
		}
	})
}

// count returns the scalars and the object keys of a decoded value.
func count(v any) (scalars, keys int) {
	switch x := v.(type) {
	case map[string]any:
		keys = len(x)
		for _, e := range x {
			s, k := count(e)
			scalars, keys = scalars+s, keys+k
		}
		return scalars, keys
	case []any:
		for _, e := range x {
			s, k := count(e)
			scalars, keys = scalars+s, keys+k
		}
		return scalars, keys
	}
	return 1, 0
}

var intLiteral = regexp.MustCompile(`^-?[0-9]+$`)

// FuzzID: ID never panics, gives strings their decoded value and integers
// their literal text, and refuses everything else.
func FuzzID(f *testing.F) {
	for _, s := range []string{`"x"`, `12`, `-1`, `null`, `1.5`, `{}`, `"\u00e9"`, `-`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ID(b)
		var s string
		isString := json.Unmarshal(b, &s) == nil && len(b) > 0 && b[0] == '"'
		isInt := intLiteral.Match(b) // as written, leading zeros included
		switch {
		case len(b) == 0 || string(b) == "null":
			if got != "" || err != nil {
				t.Fatalf("ID(%q) = %q, %v", b, got, err)
			}
		case isString:
			if got != s || err != nil {
				t.Fatalf("ID(%q) = %q, %v; want %q", b, got, err, s)
			}
		case isInt:
			if got != string(b) || err != nil {
				t.Fatalf("ID(%q) = %q, %v", b, got, err)
			}
		default:
			if err == nil {
				t.Fatalf("ID(%q) = %q, want an error", b, got)
			}
		}
	})
}
