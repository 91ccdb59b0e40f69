package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// MaxBodyBytes bounds every request body; a longer one is answered 413.
const MaxBodyBytes = 16 << 10

// apiError is the body of every error this API answers itself (the
// middleware's refusals have their own, per the HTTP answer contract).
type apiError struct {
	Error  string `json:"error"`
	Detail string `json:"detail,omitempty"`
}

// writeJSON sends v as the answer. Every answer is per-user data or an
// error, so none may be cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil { // only our own types get here; they always marshal
		status, body = http.StatusInternalServerError, []byte(`{"error":"internal"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

func writeError(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, apiError{Error: code, Detail: detail})
}

// errBodyTooLarge and errBadBody are what readJSON fails with.
var errBodyTooLarge = errors.New("request body larger than 16 KiB")

type badBodyError struct{ detail string }

func (e *badBodyError) Error() string { return e.detail }

// readJSON decodes the request body, which must be exactly one JSON object
// of valid UTF-8, of at most MaxBodyBytes, holding only fields of dst.
func readJSON(r *http.Request, dst any) error {
	if r.ContentLength > MaxBodyBytes {
		return errBodyTooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return &badBodyError{"the request body could not be read"}
	}
	if len(raw) > MaxBodyBytes {
		return errBodyTooLarge
	}
	if !utf8.Valid(raw) {
		return &badBodyError{"the request body is not valid UTF-8"}
	}
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &badBodyError{"the request body must be a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &badBodyError{describeJSONError(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &badBodyError{"unexpected data after the JSON object"}
	}
	return nil
}

// describeJSONError says what is wrong without echoing the input.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("the request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be a %s", typ.Field, typ.Type.Kind())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the request body is truncated JSON"
	default:
		// DisallowUnknownFields: `json: unknown field "x"`; the field name is
		// quoted by encoding/json with strconv.Quote, so it is safe to show.
		return "the request body does not match the schema: " + err.Error()
	}
}

// answerBodyError sends the 413 or 400 for a readJSON error.
func answerBodyError(w http.ResponseWriter, err error) {
	if errors.Is(err, errBodyTooLarge) {
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", err.Error())
		return
	}
	writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
}
