package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"sync"
)

// User is one row of the API's user table, the source of truth for a
// user's name and role. Subject is the Tessera subject (immutable).
type User struct {
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Role    string `json:"role"`
}

type userRow struct {
	username     string
	passwordHash [sha256.Size]byte
	user         User
}

// Users is the in-memory user table with stub credentials (the seed's
// OAuth is out of scope). Safe for concurrent use.
type Users struct {
	mu        sync.Mutex
	bySubject map[string]*userRow // guarded by mu (the rows' user fields too)
	byName    map[string]*userRow // immutable after NewUsers
}

// NewUsers returns the example's two users.
func NewUsers() *Users {
	u := &Users{bySubject: map[string]*userRow{}, byName: map[string]*userRow{}}
	u.add("alice", "alice-password", User{Subject: "user-alice", Name: "Alice Liddell", Role: "admin"})
	u.add("bob", "bob-password", User{Subject: "user-bob", Name: "Bob Stone", Role: "member"})
	return u
}

func (u *Users) add(username, password string, user User) {
	row := &userRow{username: username, passwordHash: sha256.Sum256([]byte(password)), user: user}
	u.bySubject[user.Subject], u.byName[username] = row, row
}

// dummyHash is compared against when the username is unknown, so both
// cases do the same work.
var dummyHash = sha256.Sum256([]byte("no such user"))

// Check returns the user whose credentials these are. The comparison is
// constant-time over SHA-256 digests, so neither the password's length
// nor its content shows in the timing.
func (u *Users) Check(username, password string) (User, bool) {
	row, known := u.byName[username]
	want := dummyHash
	if known {
		want = row.passwordHash
	}
	got := sha256.Sum256([]byte(password))
	match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	if !known || !match {
		return User{}, false
	}
	return u.Get(row.user.Subject)
}

// Get returns the current row of subject.
func (u *Users) Get(subject string) (User, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	row, ok := u.bySubject[subject]
	if !ok {
		return User{}, false
	}
	return row.user, true
}

// Set replaces subject's name and role; false if there is no such user.
func (u *Users) Set(user User) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	row, ok := u.bySubject[user.Subject]
	if ok {
		row.user = user
	}
	return ok
}
