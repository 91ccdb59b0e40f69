package tessera

import (
	"time"

	pb "github.com/tessera-auth/tessera/client/go/tesserapb"
)

// overlayMax bounds the overlay of a layered map: adding is O(overlayMax)
// and every overlayMax additions one O(n) merge, instead of O(n) per add.
const overlayMax = 64

// layered is an immutable map: a base plus a small overlay of newer
// entries. with returns a new one and never changes the receiver, so
// readers holding it need no lock.
type layered[V any] struct {
	base, overlay map[string]V
}

func (m layered[V]) get(k string) (V, bool) {
	if v, ok := m.overlay[k]; ok {
		return v, true
	}
	v, ok := m.base[k]
	return v, ok
}

func (m layered[V]) len() int {
	n := len(m.base)
	for k := range m.overlay {
		if _, ok := m.base[k]; !ok {
			n++
		}
	}
	return n
}

func (m layered[V]) with(k string, v V) layered[V] {
	if len(m.overlay) >= overlayMax {
		base := make(map[string]V, len(m.base)+len(m.overlay)+1)
		for key, val := range m.base {
			base[key] = val
		}
		for key, val := range m.overlay {
			base[key] = val
		}
		base[k] = v
		return layered[V]{base: base}
	}
	overlay := make(map[string]V, len(m.overlay)+1)
	for key, val := range m.overlay {
		overlay[key] = val
	}
	overlay[k] = v
	return layered[V]{base: m.base, overlay: overlay}
}

// keep returns the entries for which keep is true, in one map.
func (m layered[V]) keep(keep func(V) bool) layered[V] {
	base := map[string]V{}
	for _, src := range []map[string]V{m.base, m.overlay} {
		for k, v := range src {
			if keep(v) {
				base[k] = v
			}
		}
	}
	return layered[V]{base: base}
}

// cutoffs are a subject's: tokens issued before revokedBefore (legacy
// SubjectRevoked) or with sgen below staleBelow are rejected.
type cutoffs struct {
	revokedBefore time.Time
	staleBelow    uint64
	forgetAfter   time.Time
}

// revocations is an immutable revocation state, as tesserad's
// RevocationState: revoked sessions (with when they may be forgotten) and
// per-subject cut-offs.
type revocations struct {
	sessions layered[time.Time]
	subjects layered[cutoffs]
}

func (r *revocations) size() int { return r.sessions.len() + r.subjects.len() }

// check: nil if no revocation applies to the claims.
func (r *revocations) check(c *Claims) *InvalidTokenError {
	if _, ok := r.sessions.get(c.SessionID); ok {
		return invalid(rRevoked, "the session was revoked")
	}
	if cut, ok := r.subjects.get(c.Subject); ok {
		if c.IssuedAt.Before(cut.revokedBefore) {
			return invalid(rRevoked, "the session was revoked")
		}
		if c.SubjectGeneration < cut.staleBelow {
			return invalid(rStale, "the subject's claims changed; refresh the token")
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// apply returns the state with ev applied (r itself if ev revokes nothing).
// horizon is how long an entry without forget_after is kept.
func (r *revocations) apply(ev *pb.RevocationEvent, horizon time.Duration) *revocations {
	at := ev.GetTime().AsTime()
	switch e := ev.GetEvent().(type) {
	case *pb.RevocationEvent_SessionRevoked:
		forget := at.Add(horizon)
		if e.SessionRevoked.GetForgetAfter() != nil {
			forget = e.SessionRevoked.GetForgetAfter().AsTime()
		}
		return &revocations{sessions: r.sessions.with(e.SessionRevoked.GetSessionId(), forget), subjects: r.subjects}
	case *pb.RevocationEvent_SubjectRevoked:
		cut, _ := r.subjects.get(e.SubjectRevoked.GetSubject())
		before := e.SubjectRevoked.GetNotBefore().AsTime()
		cut.revokedBefore = maxTime(cut.revokedBefore, before)
		cut.forgetAfter = maxTime(cut.forgetAfter, before.Add(horizon))
		return &revocations{sessions: r.sessions, subjects: r.subjects.with(e.SubjectRevoked.GetSubject(), cut)}
	case *pb.RevocationEvent_ClaimsInvalidated:
		ci := e.ClaimsInvalidated
		cut, _ := r.subjects.get(ci.GetSubject())
		cut.staleBelow = max(cut.staleBelow, ci.GetGeneration())
		forget := ci.GetNotBefore().AsTime().Add(horizon)
		if ci.GetForgetAfter() != nil {
			forget = ci.GetForgetAfter().AsTime()
		}
		cut.forgetAfter = maxTime(cut.forgetAfter, forget)
		return &revocations{sessions: r.sessions, subjects: r.subjects.with(ci.GetSubject(), cut)}
	}
	return r
}

// forget drops entries whose forget-after time is before `before`.
func (r *revocations) forget(before time.Time) *revocations {
	return &revocations{
		sessions: r.sessions.keep(func(t time.Time) bool { return !t.Before(before) }),
		subjects: r.subjects.keep(func(c cutoffs) bool { return !c.forgetAfter.Before(before) }),
	}
}
