package keyspace

import (
	"strings"
	"testing"

	"github.com/ember-kv/ember/internal/value"
)

// TestCheckFindsEmptyCollections: Redis deletes a key with its last
// element, so an empty collection in the keyspace is a bug Check reports.
func TestCheckFindsEmptyCollections(t *testing.T) {
	ks := New(1)
	db := ks.DB(0, 1)
	l := value.NewList()
	l.PushBack([]byte("x"))
	key := []byte("l")
	ks.LockAll()
	db.Set(key, l)
	ks.UnlockAll()
	if err := ks.Check(); err != nil {
		t.Fatalf("healthy keyspace: %v", err)
	}
	l.PopFront()
	if err := ks.Check(); err == nil || !strings.Contains(err.Error(), "empty list") {
		t.Fatalf("empty list not reported: %v", err)
	}
}
