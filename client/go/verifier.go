package tessera

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// ErrUnavailable is what Verify returns (wrapped) while the Verifier is
// not in sync with tesserad: before the first snapshot, or after nothing
// was heard for longer than MaxStaleness. It is not a verdict on the
// token: answer 503, not 401.
var ErrUnavailable = errors.New("tessera: verifier not in sync with tesserad")

// Clock is what the Verifier reads time from. Monotonic never goes back;
// staleness is measured on it, token times on Now.
type Clock interface {
	Now() time.Time
	Monotonic() time.Duration
}

type systemClock struct{ start time.Time }

func (c systemClock) Now() time.Time           { return time.Now() }
func (c systemClock) Monotonic() time.Duration { return time.Since(c.start) }

// VerifierOptions configure a Verifier. Issuer and Audience (or
// AcceptAnyAudience) are required.
type VerifierOptions struct {
	// Target is tesserad's gRPC address; ignored if Conn is set.
	Target string
	// Conn is an existing connection to tesserad (e.g. Client.Conn()).
	Conn *grpc.ClientConn
	// TLS, AllowInsecure, APIKey: as in ClientOptions, for Target.
	TLS           *tls.Config
	AllowInsecure bool
	APIKey        string

	// Issuer must equal tesserad's --issuer.
	Issuer string
	// Audience: accept only tokens whose aud holds one of these.
	Audience []string
	// AcceptAnyAudience must be set, explicitly, to leave Audience empty.
	AcceptAnyAudience bool
	// Leeway for exp, nbf and iat. Default 30 s.
	Leeway time.Duration
	// MaxStaleness: fail closed once nothing has been heard from tesserad
	// for longer than this (monotonic clock). Default 30 s.
	MaxStaleness time.Duration
	// Horizon: how long a revocation without forget_after is remembered;
	// at least tesserad's --access_ttl plus --leeway. Default 15 min 30 s.
	Horizon time.Duration
	// CacheCapacity bounds the verified-token cache. Default 10,000.
	CacheCapacity int
	// Clock, for tests; nil: the system's.
	Clock Clock
}

const (
	minBackoff     = 50 * time.Millisecond
	maxBackoff     = 2 * time.Second
	forgetInterval = 2 * time.Second
	neverHeard     = int64(-1 << 63)
)

// published is what Verify reads: one atomic load gives a consistent key
// set and revocation state. Never modified once stored.
type published struct {
	keys *keySet
	revs *revocations
}

// Verifier verifies access tokens locally and follows tesserad's
// WatchRevocations stream on one goroutine of its own (keys, revocations,
// claim cut-offs; resume after the last applied sequence in its
// incarnation, backoff 50 ms..2 s with jitter, fresh state on a reset).
//
// Verify is safe for concurrent use and takes no lock: it loads an
// immutable snapshot (atomic pointer) and a lock-free cache. Revocations
// and cut-offs are applied on every call, cache hits included. Memory is
// bounded: CacheCapacity tokens, and revocations only until no token they
// could reject is still accepted.
type Verifier struct {
	opts   VerifierOptions
	clock  Clock
	policy policy
	cache  *tokenCache

	state     atomic.Pointer[published]
	lastHeard atomic.Int64 // Clock.Monotonic in ns; neverHeard until in sync
	events    atomic.Uint64
	conns     atomic.Uint64

	// Guarded by mu: what WaitForSequence and the next stream read.
	mu          sync.Mutex
	applied     uint64
	incarnation string
	logHash     []byte        // log_hash of applied (PostgreSQL store)
	changed     chan struct{} // closed and replaced when applied changes

	// Stream goroutine only.
	pending    *revocations // until snapshot_end; nil once in sync
	resuming   bool
	synced     bool
	keysVer    uint64
	lastForget time.Duration
	forgotOnce bool

	conn      *grpc.ClientConn
	ownConn   bool
	cancel    context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

func (o *VerifierOptions) withDefaults() (VerifierOptions, error) {
	c := *o
	if c.Leeway == 0 {
		c.Leeway = 30 * time.Second
	}
	if c.MaxStaleness == 0 {
		c.MaxStaleness = 30 * time.Second
	}
	if c.Horizon == 0 {
		c.Horizon = 15*time.Minute + 30*time.Second
	}
	if c.CacheCapacity == 0 {
		c.CacheCapacity = 10000
	}
	switch {
	case c.Issuer == "":
		return c, errors.New("tessera: VerifierOptions.Issuer is required")
	case len(c.Audience) == 0 && !c.AcceptAnyAudience:
		return c, errors.New("tessera: VerifierOptions.Audience is required (or set AcceptAnyAudience)")
	case len(c.Audience) > 0 && c.AcceptAnyAudience:
		return c, errors.New("tessera: VerifierOptions: Audience and AcceptAnyAudience both set")
	case c.Leeway < 0 || c.MaxStaleness < 0 || c.Horizon < 0 || c.CacheCapacity < 0:
		return c, errors.New("tessera: VerifierOptions: negative Leeway, MaxStaleness, Horizon or CacheCapacity")
	}
	for _, a := range c.Audience {
		if a == "" {
			return c, errors.New("tessera: VerifierOptions.Audience holds an empty entry")
		}
	}
	return c, nil
}

// newVerifier builds a Verifier without a stream (NewVerifier starts one;
// the conformance replayer feeds it directly).
func newVerifier(o VerifierOptions) (*Verifier, error) {
	opts, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	v := &Verifier{opts: opts, clock: opts.Clock,
		policy:  policy{issuer: opts.Issuer, audience: opts.Audience, leeway: opts.Leeway},
		cache:   newTokenCache(opts.CacheCapacity),
		changed: make(chan struct{}), done: make(chan struct{})}
	if v.clock == nil {
		v.clock = systemClock{start: time.Now()}
	}
	v.state.Store(&published{revs: &revocations{}})
	v.lastHeard.Store(neverHeard)
	return v, nil
}

// NewVerifier starts following tesserad and returns at once; Verify fails
// closed (ErrUnavailable) until the first snapshot (see WaitUntilReady).
// Close stops it.
func NewVerifier(o VerifierOptions) (*Verifier, error) {
	v, err := newVerifier(o)
	if err != nil {
		return nil, err
	}
	v.conn = v.opts.Conn
	if v.conn == nil {
		dial, err := dialOptions(v.opts.Target, ClientOptions{TLS: v.opts.TLS,
			AllowInsecure: v.opts.AllowInsecure, APIKey: v.opts.APIKey})
		if err != nil {
			return nil, err
		}
		if v.conn, err = grpc.NewClient(v.opts.Target, dial...); err != nil {
			return nil, fmt.Errorf("tessera: dial %q: %w", v.opts.Target, err)
		}
		v.ownConn = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	v.cancel = cancel
	go v.follow(ctx, pb.NewTokenAuthorityClient(v.conn))
	return v, nil
}

// Close stops the stream goroutine (and waits for it) and closes the
// connection the Verifier dialled itself. Verify fails closed afterwards.
// Calling it again does nothing.
func (v *Verifier) Close() error {
	v.closeOnce.Do(func() {
		if v.cancel != nil {
			v.cancel()
			<-v.done
		}
		v.lastHeard.Store(neverHeard)
		if v.ownConn {
			v.closeErr = v.conn.Close()
		}
	})
	return v.closeErr
}

// Verify returns the token's claims if it is valid now; an
// *InvalidTokenError (errors.Is ErrInvalidToken) if not; an error wrapping
// ErrUnavailable if the Verifier is not in sync.
func (v *Verifier) Verify(token string) (*Claims, error) {
	heard := v.lastHeard.Load()
	if heard == neverHeard {
		return nil, fmt.Errorf("%w: no revocation state received yet", ErrUnavailable)
	}
	if time.Duration(int64(v.clock.Monotonic())-heard) > v.opts.MaxStaleness {
		return nil, fmt.Errorf("%w: nothing heard for more than %v", ErrUnavailable, v.opts.MaxStaleness)
	}
	if len(token) > MaxTokenBytes {
		return nil, invalid(rMalformed, "token longer than 8192 bytes")
	}
	now := v.clock.Now()
	st := v.state.Load()
	if st.keys == nil {
		return nil, fmt.Errorf("%w: no key set received yet", ErrUnavailable)
	}
	claims := v.cache.find(token, st.keys.version)
	if claims == nil {
		c, bad := decodeAndVerify(token, st.keys)
		if bad == nil {
			bad = v.policy.check(c, now)
		}
		if bad != nil {
			return nil, bad
		}
		claims = c
		v.cache.insert(token, &cacheEntry{keysVersion: st.keys.version, claims: c})
	} else if bad := v.policy.check(claims, now); bad != nil {
		if bad.Reason == rExpired {
			v.cache.remove(token) // can never be valid again
		}
		return nil, bad
	}
	if bad := st.revs.check(claims); bad != nil {
		return nil, bad
	}
	return claims, nil
}

// AppliedSequence is the sequence everything up to which has been applied
// (what the next stream resumes after).
func (v *Verifier) AppliedSequence() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.applied
}

// WaitForSequence returns nil once every event up to seq (from
// RevokeSession or UpdateClaims) has been applied, or ctx's error.
func (v *Verifier) WaitForSequence(ctx context.Context, seq uint64) error {
	for {
		v.mu.Lock()
		ok, ch := v.applied >= seq && v.synced0(), v.changed
		v.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitUntilReady returns nil once the first snapshot has been applied.
func (v *Verifier) WaitUntilReady(ctx context.Context) error {
	return v.WaitForSequence(ctx, 0)
}

func (v *Verifier) synced0() bool { return v.lastHeard.Load() != neverHeard }

// RevocationsHeld is the number of revoked sessions plus subject cut-offs
// held in memory.
func (v *Verifier) RevocationsHeld() int { return v.state.Load().revs.size() }

// EventsApplied counts stream messages handled over all streams.
func (v *Verifier) EventsApplied() uint64 { return v.events.Load() }

// Connections counts streams opened (1 + reconnects).
func (v *Verifier) Connections() uint64 { return v.conns.Load() }

func (v *Verifier) follow(ctx context.Context, ta pb.TokenAuthorityClient) {
	defer close(v.done)
	backoff := minBackoff
	for ctx.Err() == nil {
		req := v.streamOpened()
		v.conns.Add(1)
		if stream, err := ta.WatchRevocations(ctx, req); err == nil {
			for {
				ev, err := stream.Recv()
				if err != nil {
					break // any end is followed by a resume
				}
				v.handle(ev)
				if v.synced {
					backoff = minBackoff
				}
			}
		}
		// Full jitter over the upper half: reconnecting Verifiers spread out.
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// streamOpened starts a stream: the request to send, and a fresh pending
// state collecting what arrives until its snapshot_end.
func (v *Verifier) streamOpened() *pb.WatchRevocationsRequest {
	v.mu.Lock()
	req := &pb.WatchRevocationsRequest{
		AfterSequence: v.applied, Incarnation: v.incarnation, AfterLogHash: v.logHash,
	}
	v.mu.Unlock()
	v.pending = &revocations{}
	v.resuming = req.AfterSequence > 0
	v.synced = false
	return req
}

// handle applies one stream message. Stream goroutine only.
func (v *Verifier) handle(ev *pb.RevocationEvent) {
	switch e := ev.GetEvent().(type) {
	case *pb.RevocationEvent_SessionRevoked, *pb.RevocationEvent_SubjectRevoked,
		*pb.RevocationEvent_ClaimsInvalidated:
		if v.pending != nil {
			v.pending = v.pending.apply(ev, v.opts.Horizon)
		}
		if v.pending == nil || v.resuming {
			st := v.state.Load()
			v.state.Store(&published{keys: st.keys, revs: st.revs.apply(ev, v.opts.Horizon)})
		}
		v.advanceIfSynced(ev.GetSequence(), ev.GetLogHash())
	case *pb.RevocationEvent_KeysChanged:
		if keys, err := parseJWKS(e.KeysChanged.GetJwksJson()); err == nil {
			v.keysVer++
			st := v.state.Load()
			v.state.Store(&published{keys: &keySet{version: v.keysVer, byKid: keys}, revs: st.revs})
			v.cache.clear()
		} // a bad document is ignored: the old set stays
		v.advanceIfSynced(ev.GetSequence(), ev.GetLogHash())
	case *pb.RevocationEvent_SnapshotEnd:
		v.synced = true
		v.endSnapshot(ev)
	case *pb.RevocationEvent_Heartbeat:
		if v.synced {
			v.advance(e.Heartbeat.GetCurrentSequence(), ev.GetLogHash())
		}
	}
	if v.synced {
		v.lastHeard.Store(int64(v.clock.Monotonic()))
		v.forgetIfDue()
	}
	v.events.Add(1)
	v.notify()
}

func (v *Verifier) endSnapshot(ev *pb.RevocationEvent) {
	end := ev.GetSnapshotEnd()
	replace := end.GetReset_() || !v.resuming
	if replace && v.pending != nil {
		st := v.state.Load()
		v.state.Store(&published{keys: st.keys, revs: v.pending})
	}
	v.pending = nil
	v.mu.Lock()
	if replace || ev.GetSequence() >= v.applied {
		v.applied = ev.GetSequence()
		v.logHash = ev.GetLogHash()
	}
	v.incarnation = end.GetIncarnation()
	v.mu.Unlock()
}

// Before snapshot_end a stream's sequences are no position to resume from.
func (v *Verifier) advanceIfSynced(seq uint64, hash []byte) {
	if v.pending == nil {
		v.advance(seq, hash)
	}
}

// advance moves the position to seq, whose log hash (PostgreSQL store; a
// failover that lost an event shows as a mismatch on resume) is hash.
func (v *Verifier) advance(seq uint64, hash []byte) {
	v.mu.Lock()
	if seq > v.applied {
		v.applied = seq
		v.logHash = hash
	} else if seq == v.applied && len(hash) > 0 {
		v.logHash = hash
	}
	v.mu.Unlock()
}

func (v *Verifier) notify() {
	v.mu.Lock()
	close(v.changed)
	v.changed = make(chan struct{})
	v.mu.Unlock()
}

// forgetIfDue drops revocations no accepted token can still need: leeway
// past their forget-after (the server's covers only its own leeway). At
// most every forgetInterval of monotonic time.
func (v *Verifier) forgetIfDue() {
	now := v.clock.Monotonic()
	if v.forgotOnce && now-v.lastForget < forgetInterval {
		return
	}
	v.forgotOnce, v.lastForget = true, now
	st := v.state.Load()
	v.state.Store(&published{keys: st.keys, revs: st.revs.forget(v.clock.Now().Add(-v.opts.Leeway))})
}
