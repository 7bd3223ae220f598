package jsonstream

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// SkipValue consumes the next value, however deep.
func SkipValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if t == json.Delim('{') || t == json.Delim('[') {
		return SkipRest(dec.Token)
	}
	return nil
}

// SkipRest consumes the rest of an object or array whose opening token was
// read, taking tokens from next: a decoder's Token, or a wrapper that
// checks a limit at every token.
func SkipRest(next func() (json.Token, error)) error {
	for depth := 1; depth > 0; {
		t, err := next()
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

// ReadKey reads an object key (the decoder only returns strings there).
func ReadKey(dec *json.Decoder) (string, error) {
	t, err := dec.Token()
	if err != nil {
		return "", err
	}
	k, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("expected an object key, found %v", t)
	}
	return k, nil
}

// ExpectDelim reads the next token and reports whether it is d. It returns
// the token when it is something else, for the error message.
func ExpectDelim(dec *json.Decoder, d json.Delim) (json.Token, bool, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, false, err
	}
	got, ok := t.(json.Delim)
	return t, ok && got == d, nil
}

// Describe names a JSON token for error messages: "an object", "a string".
func Describe(t json.Token) string {
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return strconv.Quote(string(v))
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}
