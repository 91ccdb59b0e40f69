package main

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestConfigDefaults(t *testing.T) {
	c, err := ConfigFromEnv(envOf(map[string]string{"TESSERA_ADDRESS": "127.0.0.1:50051"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{TesseraAddress: "127.0.0.1:50051", ListenAddress: "127.0.0.1:8081",
		Issuer: "tessera", Audience: []string{"api"}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v, want %+v", c, want)
	}
}

func TestConfigFromEnv(t *testing.T) {
	c, err := ConfigFromEnv(envOf(map[string]string{"TESSERA_ADDRESS": "[::1]:9", "API_ADDRESS": "127.0.0.1:0",
		"TESSERA_API_KEY": "k", "TESSERA_MAX_STALENESS": "2.5", "TESSERA_ISSUER": "iss", "TESSERA_AUDIENCE": "a,b"}))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{TesseraAddress: "[::1]:9", ListenAddress: "127.0.0.1:0", APIKey: "k",
		MaxStaleness: 2500 * time.Millisecond, Issuer: "iss", Audience: []string{"a", "b"}}
	if !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v, want %+v", c, want)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, "TESSERA_ADDRESS is required"},
		{map[string]string{"TESSERA_ADDRESS": "localhost"}, "TESSERA_ADDRESS"},
		{map[string]string{"TESSERA_ADDRESS": "h:1", "API_ADDRESS": "8081"}, "API_ADDRESS"},
		{map[string]string{"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "0"}, "TESSERA_MAX_STALENESS"},
		{map[string]string{"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "-3"}, "TESSERA_MAX_STALENESS"},
		{map[string]string{"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "NaN"}, "TESSERA_MAX_STALENESS"},
		{map[string]string{"TESSERA_ADDRESS": "h:1", "TESSERA_MAX_STALENESS": "30s"}, "TESSERA_MAX_STALENESS"},
	} {
		if _, err := ConfigFromEnv(envOf(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
