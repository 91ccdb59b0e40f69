package tessera

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"testing"
	"unicode/utf8"
)

// decoderStrictJSON is the json.Decoder-based strict parser the Verifier
// used before parseStrictJSON (kept as the reference it must agree with). It parses one JSON object, refusing what encoding/json lets
// through: invalid UTF-8, duplicate member names (at any depth), nesting
// deeper than maxDepth containers, and trailing data.
func decoderStrictJSON(b []byte, maxDepth int) (map[string]any, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("invalid UTF-8")
	}
	if hasLoneSurrogate(b) {
		return nil, errors.New("an escaped lone surrogate")
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	v, err := decoderValue(d, 0, maxDepth)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a JSON object")
	}
	return obj, nil
}

func decoderValue(d *json.Decoder, depth, maxDepth int) (any, error) {
	t, err := d.Token()
	if err != nil {
		return nil, errors.New("invalid JSON")
	}
	delim, ok := t.(json.Delim)
	if !ok {
		return t, nil
	}
	if depth >= maxDepth {
		return nil, errors.New("JSON nested too deep")
	}
	switch delim {
	case '{':
		obj := map[string]any{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return nil, errors.New("invalid JSON")
			}
			k := kt.(string)
			if _, dup := obj[k]; dup {
				return nil, fmt.Errorf("duplicate member %s", QuoteUntrusted(k))
			}
			v, err := decoderValue(d, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			obj[k] = v
		}
		if _, err := d.Token(); err != nil {
			return nil, errors.New("invalid JSON")
		}
		return obj, nil
	case '[':
		arr := []any{}
		for d.More() {
			v, err := decoderValue(d, depth+1, maxDepth)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		if _, err := d.Token(); err != nil {
			return nil, errors.New("invalid JSON")
		}
		return arr, nil
	}
	return nil, errors.New("invalid JSON")
}

var strictJSONSeeds = []string{
	`{}`, ` { } `, `{"a":1}`, `{"a":1,"a":2}`, `{"a":{"b":1,"b":2}}`, `{"a":[{"x":1,"x":1}]}`,
	`{"a":"\u00e9\u002F\/\b\f\n\r\t\"\\"}`, `{"\u0061":1,"a":2}`, `{"a":"\ud83d\ude00"}`,
	`{"a":"\ud83d"}`, `{"a":"\ude00\ud83d"}`, `{"a":"\ud83d\u0041"}`, `{"a":"\uZZZZ"}`, `{"a":"\x"}`,
	`{"a":"tab	here"}`, "{\"a\":\"ctl\x01\"}", "{\"a\":\"\xff\"}", `{"a":"ü😀"}`,
	`{"n":0,"m":-0,"f":1.5e-3,"g":1E+10,"h":-12.25}`, `{"n":01}`, `{"n":1.}`, `{"n":.5}`, `{"n":-}`,
	`{"n":1e}`, `{"n":+1}`, `{"n":1e5x}`, `{"t":true,"f":false,"z":null}`, `{"t":tru}`, `{"t":truex}`,
	`{"t":True}`, `[]`, `[1]`, `"s"`, `1`, `null`, ``, ` `, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`,
	`{,"a":1}`, `{"a":1 "b":2}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{} {}`, `{}x`, `{} `,
	"{}\n", `{"a":1}}`, `{a:1}`, `{'a':1}`, `{"a":[[[[]]]]}`, `{"a":[[[[[]]]]]}`, `{"a":{"b":{"c":{}}}}`,
	`{"a":{"b":{"c":{"d":{}}}}}`, "\ufeff{}", `{"a":1}` + "\x00", `{"":1,"":2}`, `{"a\u0000":1,"a":2}`,
}

// TestStrictJSONAgreesWithDecoder: the hand-written parser accepts exactly
// what the json.Decoder-based one did, with the same values.
func TestStrictJSONAgreesWithDecoder(t *testing.T) {
	for _, s := range strictJSONSeeds {
		if msg := strictJSONDisagreement([]byte(s)); msg != "" {
			t.Errorf("%q: %s", s, msg)
		}
	}
	// Sanity: the table holds both verdicts.
	if _, err := parseStrictJSON([]byte(`{"a":1,"a":2}`), 4); err == nil {
		t.Error("duplicate member accepted")
	}
	if _, err := parseStrictJSON([]byte(`{"a":[1,{"b":"\u00e9"}]}`), 4); err != nil {
		t.Error(err)
	}
}

func FuzzStrictJSON(f *testing.F) {
	for _, s := range strictJSONSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if msg := strictJSONDisagreement(b); msg != "" {
			t.Fatalf("%q: %s", b, msg)
		}
	})
}

func strictJSONDisagreement(b []byte) string {
	const depth = 4
	got, gerr := parseStrictJSON(b, depth)
	want, werr := decoderStrictJSON(b, depth)
	switch {
	case (gerr == nil) != (werr == nil):
		return fmt.Sprintf("parseStrictJSON: %v, reference: %v", gerr, werr)
	case gerr == nil && !reflect.DeepEqual(got, want):
		return fmt.Sprintf("parseStrictJSON %#v, reference %#v", got, want)
	}
	return ""
}
