package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// The answer checker: every answer the tests see must have a status the
// document lists for its operation, and a JSON body matching the
// documented schema. It understands the JSON Schema the document uses:
// type, const, enum, required, properties, additionalProperties, items,
// minimum/maximum, minLength/maxLength, $ref, oneOf.

var contractDoc = func() map[string]any {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		panic(err)
	}
	return doc
}()

func resolve(node map[string]any) map[string]any {
	for {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		var target any = contractDoc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			target = target.(map[string]any)[part]
		}
		node = target.(map[string]any)
	}
}

func typeOK(kind string, v any) bool {
	switch kind {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	}
	return false
}

func bounds(schema map[string]any, v any, where string) []string {
	var out []string
	if c, ok := schema["const"]; ok && c != v {
		out = append(out, fmt.Sprintf("%s: %v != const %v", where, v, c))
	}
	if enum, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			found = found || e == v
		}
		if !found {
			out = append(out, fmt.Sprintf("%s: %v not in %v", where, v, enum))
		}
	}
	if s, ok := v.(string); ok {
		n := float64(len([]rune(s)))
		if min, ok := schema["minLength"].(float64); ok && n < min {
			out = append(out, where+": too short")
		}
		if max, ok := schema["maxLength"].(float64); ok && n > max {
			out = append(out, where+": too long")
		}
	}
	if f, ok := v.(float64); ok {
		if min, ok := schema["minimum"].(float64); ok && f < min {
			out = append(out, where+": below minimum")
		}
		if max, ok := schema["maximum"].(float64); ok && f > max {
			out = append(out, where+": above maximum")
		}
	}
	return out
}

func schemaProblems(schema map[string]any, v any, where string) []string {
	schema = resolve(schema)
	if one, ok := schema["oneOf"].([]any); ok {
		matches := 0
		for _, s := range one {
			if len(schemaProblems(s.(map[string]any), v, where)) == 0 {
				matches++
			}
		}
		if matches != 1 {
			return []string{fmt.Sprintf("%s: matches %d of oneOf", where, matches)}
		}
		return nil
	}
	if kind, ok := schema["type"].(string); ok && !typeOK(kind, v) {
		return []string{fmt.Sprintf("%s: %v is not %s", where, v, kind)}
	}
	out := bounds(schema, v, where)
	if obj, ok := v.(map[string]any); ok {
		props, _ := schema["properties"].(map[string]any)
		for _, r := range asSlice(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				out = append(out, fmt.Sprintf("%s: missing %q", where, r))
			}
		}
		for name, member := range obj {
			if p, ok := props[name].(map[string]any); ok {
				out = append(out, schemaProblems(p, member, where+"."+name)...)
			} else if schema["additionalProperties"] == false {
				out = append(out, fmt.Sprintf("%s: unexpected %q", where, name))
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, item := range arr {
				out = append(out, schemaProblems(items, item, fmt.Sprintf("%s[%d]", where, i))...)
			}
		}
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

var templateParam = regexp.MustCompile(`\\\{[a-z_]+\\\}`)

// operation finds the documented operation; a literal path wins over a
// template (revoke-all over {session_id}).
func operation(method, path string) map[string]any {
	paths := contractDoc["paths"].(map[string]any)
	m := strings.ToLower(method)
	if item, ok := paths[path].(map[string]any); ok {
		if op, ok := item[m].(map[string]any); ok {
			return op
		}
	}
	for template, item := range paths {
		re := regexp.MustCompile("^" + templateParam.ReplaceAllString(regexp.QuoteMeta(template), "[^/]+") + "$")
		if op, ok := item.(map[string]any)[m].(map[string]any); ok && re.MatchString(path) {
			return op
		}
	}
	return nil
}

// contractProblems says what an answer gets wrong about the document. An
// undocumented route or method is not judged here (the 404/405 tests are).
func contractProblems(method, path string, status int, contentType string, body []byte) []string {
	path, _, _ = strings.Cut(path, "?")
	op := operation(method, path)
	if op == nil {
		return nil
	}
	resp, ok := op["responses"].(map[string]any)[fmt.Sprint(status)].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s %s: status %d is not documented", method, path, status)}
	}
	content, ok := resolve(resp)["content"].(map[string]any)
	if !ok {
		if len(body) > 0 {
			return []string{fmt.Sprintf("%s %s: %d is documented without a body", method, path, status)}
		}
		return nil
	}
	if !strings.HasPrefix(contentType, "application/json") {
		return []string{fmt.Sprintf("%s %s: content type %q", method, path, contentType)}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []string{fmt.Sprintf("%s %s: body is not JSON: %v", method, path, err)}
	}
	schema := content["application/json"].(map[string]any)["schema"].(map[string]any)
	return schemaProblems(schema, v, "$")
}

func TestContractCheckerAcceptsDocumentedAnswers(t *testing.T) {
	for _, c := range []struct {
		method, path string
		status       int
		ct, body     string
	}{
		{"GET", "/api/items/3", 200, "application/json", `{"n":3,"subject":"u"}`},
		{"DELETE", "/api/devices/abc", 204, "", ``},
		{"POST", "/api/devices/revoke-all", 200, "application/json", `{"revoked":1,"sequence":9}`},
		{"GET", "/api/profile", 401, "application/json", `{"error":"invalid_token","reason":"EXPIRED"}`},
		{"GET", "/nope", 404, "application/json", `{}`},
	} {
		if p := contractProblems(c.method, c.path, c.status, c.ct, []byte(c.body)); len(p) != 0 {
			t.Errorf("%+v: %v", c, p)
		}
	}
}

func TestContractCheckerRefusesWhatTheDocumentDoesNotAllow(t *testing.T) {
	for _, c := range []struct {
		method, path string
		status       int
		ct, body     string
	}{
		{"GET", "/api/items/3", 418, "application/json", `{}`},
		{"GET", "/api/items/3", 200, "application/json", `{"n":3}`},
		{"GET", "/api/items/3", 200, "application/json", `{"n":"3","subject":"u"}`},
		{"GET", "/api/items/3", 200, "application/json", `{"n":100,"subject":"u"}`},
		{"GET", "/api/items/3", 200, "text/plain", `{"n":3,"subject":"u"}`},
		{"GET", "/api/profile", 200, "application/json", `{"subject":"s","session_id":"x","name":"n","role":"owner"}`},
		{"GET", "/healthz", 200, "application/json", `{"ok":false,"verifier_ready":true}`},
		{"DELETE", "/api/devices/abc", 204, "application/json", `{}`},
		{"GET", "/api/profile", 401, "application/json", `{"error":"x"}`},
		{"PATCH", "/api/profile", 400, "application/json", `{"error":"x","extra":1}`},
	} {
		if p := contractProblems(c.method, c.path, c.status, c.ct, []byte(c.body)); len(p) == 0 {
			t.Errorf("%+v: accepted", c)
		}
	}
}
