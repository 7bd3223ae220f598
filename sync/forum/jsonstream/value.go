package jsonstream

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrNotID is ID's error for a value that is neither a string nor an
// integer.
var ErrNotID = errors.New("neither a string nor an integer")

// ID reads an id that an export writes as a JSON string or as an integer:
// the string's value, or the integer as written (an id never passes through
// float64). Empty input and null give "". raw must be trimmed.
func ID(raw []byte) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	digits := strings.TrimPrefix(string(raw), "-")
	if digits == "" || strings.Trim(digits, "0123456789") != "" {
		return "", ErrNotID
	}
	return string(raw), nil
}

// FlexID is an id that the API gives as a string or as an integer, read by
// ID. It keeps the literal text.
type FlexID string

// UnmarshalJSON reads a string, an integer or null.
func (f *FlexID) UnmarshalJSON(b []byte) error {
	s, err := ID(b)
	if errors.Is(err, ErrNotID) {
		return fmt.Errorf("id %s is neither a string nor an integer", Truncate(string(b), 40))
	}
	if err != nil {
		return err
	}
	*f = FlexID(s)
	return nil
}

// FlexInt is a count or score: a JSON number (integer or not), a numeric
// string or null. N is clamped to ±2^53; Set is false for null or absent.
type FlexInt struct {
	N   int
	Set bool
}

// UnmarshalJSON reads a number, a numeric string or null.
func (f *FlexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*f = FlexInt{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = FlexInt{N: clampInt(float64(i)), Set: true}
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%s is not a number", Truncate(string(b), 40))
	}
	*f = FlexInt{N: clampInt(x), Set: true}
	return nil
}

func clampInt(x float64) int {
	const lim = 1 << 53
	switch {
	case x > lim:
		return lim
	case x < -lim:
		return -lim
	}
	return int(x)
}

// ValidID accepts ids made of at most 128 ASCII letters, digits and
// "-_.:" (numbers, slugs) and refuses anything that could smuggle
// whitespace, separators or markup into paths and URLs.
func ValidID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// IDLess orders numeric ids by value and anything else as text, for a
// deterministic order among posts of the same time.
func IDLess(a, b string) bool {
	na, ea := strconv.ParseUint(a, 10, 64)
	nb, eb := strconv.ParseUint(b, 10, 64)
	if ea == nil && eb == nil {
		return na < nb
	}
	return a < b
}

// ParseTime parses s with the first of layouts that fits, into UTC. The
// layouts are the reader's: each format says which forms it accepts.
// Surrounding space is ignored and "" gives the zero time.
func ParseTime(s string, layouts []string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not RFC 3339", Truncate(s, 40))
}

// Truncate cuts s to n bytes and marks the cut, for quoting input in
// messages.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// FieldError names the field of a type mismatch from json.Unmarshal; what
// names the record when the whole value has the wrong type ("message").
// Other errors are returned as they are.
func FieldError(err error, what string) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field != "" {
			return fmt.Errorf("field %s is a JSON %s, want %s", te.Field, te.Value, te.Type)
		}
		return fmt.Errorf("%s is a JSON %s, want an object", what, te.Value)
	}
	return err
}

// RecordName appends " (kind id)" to record when raw is an object whose
// "id" is valid, so that an error about a record that failed to decode
// still names it the way the user knows it.
func RecordName(record, kind string, raw []byte) string {
	var just struct {
		ID FlexID `json:"id"`
	}
	if json.Unmarshal(raw, &just) == nil && ValidID(string(just.ID)) {
		record += " (" + kind + " " + string(just.ID) + ")"
	}
	return record
}
