package main

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// The OpenAPI document lists exactly the routes the server serves: every
// (method, path) of the route table, and nothing else.
func TestOpenAPIListsExactlyTheServedRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1.") {
		t.Fatalf("openapi %q, want 3.1.x", doc.OpenAPI)
	}
	operations := map[string]bool{"get": true, "put": true, "post": true, "delete": true,
		"options": true, "head": true, "patch": true, "trace": true}
	var documented, served []string
	for path, item := range doc.Paths {
		for key := range item {
			if operations[key] {
				documented = append(documented, strings.ToUpper(key)+" "+path)
			}
		}
	}
	h := newHarness(t)
	for _, rt := range h.srv.routes() {
		served = append(served, rt.method+" "+rt.pattern)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("openapi.json documents\n  %s\nthe server serves\n  %s",
			strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}
}

// Protected operations declare the bearer scheme; public ones declare none.
func TestOpenAPISecurityMatchesTheMiddleware(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Security []map[string][]string `json:"security"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	for _, rt := range h.srv.routes() {
		op := doc.Paths[rt.pattern][strings.ToLower(rt.method)]
		bearer := false
		for _, req := range op.Security {
			if _, ok := req["bearer"]; ok {
				bearer = true
			}
		}
		if bearer != rt.protected {
			t.Errorf("%s %s: documented bearer=%v, protected=%v", rt.method, rt.pattern, bearer, rt.protected)
		}
	}
}

func TestOpenAPIIsServed(t *testing.T) {
	h := newHarness(t)
	w := h.do("GET", "/openapi.json", "", "")
	if w.Code != 200 || !bytes.Equal(w.Body.Bytes(), openAPIDocument) ||
		w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %v", w.Code, w.Header())
	}
}
