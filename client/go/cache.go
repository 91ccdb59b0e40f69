package tessera

import (
	"sync"
	"sync/atomic"
)

// tokenCache remembers tokens that verified (signature and claims), keyed
// by the token text, so a repeat costs a map lookup. Bounded: entries go
// into the current generation; when it holds capacity/2, it becomes the
// previous one and the older is dropped whole, so at most capacity
// entries are held. Lookups are lock-free (sync.Map's read path, atomic
// pointer loads). An entry names the key-set version it was checked
// against and never hits under another.
type tokenCache struct {
	half int64
	gens atomic.Pointer[cacheGens]
	mu   sync.Mutex // serialises rotation only
}

type cacheGens struct {
	cur, prev *cacheGen
}

type cacheGen struct {
	m sync.Map // string -> *cacheEntry
	n atomic.Int64
}

type cacheEntry struct {
	keysVersion uint64
	claims      *Claims
}

func newTokenCache(capacity int) *tokenCache {
	c := &tokenCache{half: int64(max(capacity/2, 1))}
	c.gens.Store(&cacheGens{cur: &cacheGen{}, prev: &cacheGen{}})
	return c
}

func (c *tokenCache) find(token string, keysVersion uint64) *Claims {
	g := c.gens.Load()
	if e, ok := g.cur.m.Load(token); ok {
		if ce := e.(*cacheEntry); ce.keysVersion == keysVersion {
			return ce.claims
		}
		return nil
	}
	if e, ok := g.prev.m.Load(token); ok {
		if ce := e.(*cacheEntry); ce.keysVersion == keysVersion {
			c.insert(token, ce) // still in use: keep it past the next rotation
			return ce.claims
		}
	}
	return nil
}

func (c *tokenCache) insert(token string, e *cacheEntry) {
	g := c.gens.Load()
	if _, loaded := g.cur.m.LoadOrStore(token, e); loaded {
		return
	}
	if g.cur.n.Add(1) >= c.half {
		c.mu.Lock()
		if c.gens.Load() == g {
			c.gens.Store(&cacheGens{cur: &cacheGen{}, prev: g.cur})
		}
		c.mu.Unlock()
	}
}

func (c *tokenCache) remove(token string) {
	g := c.gens.Load()
	g.cur.m.Delete(token)
	g.prev.m.Delete(token)
}

// clear drops everything (a new key set: no entry can hit again).
func (c *tokenCache) clear() {
	c.gens.Store(&cacheGens{cur: &cacheGen{}, prev: &cacheGen{}})
}
