//go:build !linux

package server

import (
	"errors"

	"github.com/ember-kv/ember/internal/client"
)

// eventLoop is not built here: event loops need epoll.
type eventLoop struct{}

func (s *Server) startLoops(n int) error {
	return errors.New("event loops need Linux (epoll)")
}

func (s *Server) stopLoops() {}

func (s *Server) adopt(c *client.Client, out *outConn) bool { return false }
