package main

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config is the process configuration, read from the environment (the
// examples' contract).
type Config struct {
	// TesseraAddress is tesserad's gRPC host:port (TESSERA_ADDRESS, required).
	TesseraAddress string
	// ListenAddress is where the API serves (API_ADDRESS, default
	// 127.0.0.1:8081; port 0 picks a free one).
	ListenAddress string
	// APIKey is the caller key for tesserad (TESSERA_API_KEY, optional).
	APIKey string
	// MaxStaleness (TESSERA_MAX_STALENESS, seconds; 0: the library's default).
	MaxStaleness time.Duration
	// Issuer and Audience the Verifier accepts (TESSERA_ISSUER, default
	// "tessera"; TESSERA_AUDIENCE, comma-separated, default "api":
	// tesserad's --default_audience, which the web app's sessions get).
	Issuer   string
	Audience []string
}

// ConfigFromEnv reads the configuration with getenv (os.Getenv in main).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		TesseraAddress: getenv("TESSERA_ADDRESS"),
		ListenAddress:  getenv("API_ADDRESS"),
		APIKey:         getenv("TESSERA_API_KEY"),
		Issuer:         getenv("TESSERA_ISSUER"),
	}
	if c.TesseraAddress == "" {
		return c, errors.New("TESSERA_ADDRESS is required (tesserad's gRPC host:port)")
	}
	if _, _, err := net.SplitHostPort(c.TesseraAddress); err != nil {
		return c, fmt.Errorf("TESSERA_ADDRESS=%q is not host:port", c.TesseraAddress)
	}
	if c.ListenAddress == "" {
		c.ListenAddress = "127.0.0.1:8081"
	}
	if _, _, err := net.SplitHostPort(c.ListenAddress); err != nil {
		return c, fmt.Errorf("API_ADDRESS=%q is not host:port", c.ListenAddress)
	}
	if c.Issuer == "" {
		c.Issuer = "tessera"
	}
	c.Audience = []string{"api"}
	if a := getenv("TESSERA_AUDIENCE"); a != "" {
		c.Audience = strings.Split(a, ",")
	}
	if v := getenv("TESSERA_MAX_STALENESS"); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(secs) || secs <= 0 || secs > 86400 {
			return c, fmt.Errorf("TESSERA_MAX_STALENESS=%q: want seconds, more than 0 and at most 86400", v)
		}
		c.MaxStaleness = time.Duration(secs * float64(time.Second))
	}
	return c, nil
}
