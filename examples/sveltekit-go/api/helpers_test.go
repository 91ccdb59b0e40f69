package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

func timeParseRFC3339(s string) (time.Time, error) { return time.Parse(time.RFC3339, s) }

func ioNopCloser(r io.Reader) io.ReadCloser { return io.NopCloser(r) }

func httptestRequest(method, path, authorization string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("Authorization", authorization)
	return r
}

func serve(h *harness, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.srv.ServeHTTP(w, r)
	return w
}
