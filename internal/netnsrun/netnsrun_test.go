package netnsrun

import (
	"errors"
	"os"
	"testing"
)

func TestDoHere(t *testing.T) {
	want := errors.New("from f")
	if err := Do("", func() error { return want }); err != want {
		t.Fatalf("got %v, want f's error", err)
	}
}

func TestDoMissingNamespace(t *testing.T) {
	called := false
	err := Do("/nonexistent-gokeepalived/netns", func() error { called = true; return nil })
	if err == nil || called || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err %v, called %v; want a not-exist error and f not run", err, called)
	}
}
